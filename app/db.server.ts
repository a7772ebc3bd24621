import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "./env.server";

declare global {
  // Keeps one client across dev-server reloads.
  var prismaGlobal: PrismaClient | undefined;
}

export const isPostgres = () => !env().DATABASE_URL.startsWith("file:");

function createClient() {
  const url = env().DATABASE_URL;
  const adapter = url.startsWith("file:")
    ? new PrismaBetterSQLite3({ url, timeout: 10_000 })
    : new PrismaPg({ connectionString: url, max: 10 });
  return new PrismaClient({ adapter });
}

export const prisma: PrismaClient = globalThis.prismaGlobal ?? createClient();
if (!globalThis.prismaGlobal && !isPostgres()) {
  // The app, `npm run worker` and the demo may share one SQLite file: WAL lets a reader and the
  // writer work at once instead of failing with SQLITE_BUSY. The mode is stored in the file.
  void prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL").catch(() => {});
}
if (process.env.NODE_ENV !== "production") globalThis.prismaGlobal = prisma;

export default prisma;

export async function enableSqliteWal() {
  if (isPostgres()) return;
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
}
