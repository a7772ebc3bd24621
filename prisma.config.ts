// Prisma CLI configuration (loaded by the CLI only, never by the app at runtime).
// Offline: Prisma 6.19 runs migrations through the wasm engine + a driver adapter, so no
// engine binary is ever downloaded. See docs/decisions/0003-prisma-offline.md.
import path from "node:path";
import { randomUUID } from "node:crypto";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

process.env.DATABASE_URL ??= "file:./prisma/dev.sqlite";
const url = process.env.DATABASE_URL;
const isSqlite = url.startsWith("file:");

// adapter-pg 6.19 cannot deserialise catalog types such as `name` (19) and `"char"` (18) that
// the schema engine reads while introspecting (prisma/prisma#27403). Report them as text.
const KNOWN_PG_TYPES = new Set([
  16, 17, 20, 21, 23, 25, 26, 114, 142, 650, 700, 701, 790, 869, 1042, 1043, 1082, 1083, 1114,
  1184, 1266, 1560, 1562, 1700, 2950, 3802, 143, 199, 651, 791, 1000, 1001, 1002, 1005, 1007,
  1009, 1014, 1015, 1016, 1021, 1022, 1041, 1115, 1182, 1183, 1185, 1231, 1561, 1563, 2951, 3807,
]);
function patchPgCatalogTypes() {
  const proto = pg.Pool.prototype as unknown as { query: (...args: unknown[]) => unknown; __patched?: boolean };
  if (proto.__patched) return;
  const original = proto.query;
  proto.query = async function (this: unknown, ...args: unknown[]) {
    const result = (await original.apply(this, args)) as { fields?: { dataTypeID: number }[] };
    for (const field of result?.fields ?? []) {
      if (field.dataTypeID < 10000 && !KNOWN_PG_TYPES.has(field.dataTypeID)) field.dataTypeID = 25;
    }
    return result;
  };
  proto.__patched = true;
}

// The stock factory points the shadow database at the main one when given a connection
// string, and drops it before closing its pool. Connect with discrete settings and close first.
class PgMigrateAdapterFactory extends PrismaPg {
  constructor(private readonly settings: pg.PoolConfig) {
    super(settings);
  }
  async connectToShadowDb() {
    const admin = await this.connect();
    const database = `prisma_shadow_${randomUUID().replace(/-/g, "")}`;
    await admin.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = await new PrismaPg({ ...this.settings, database }).connect();
    const disposeShadow = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await disposeShadow();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.dispose();
    };
    return shadow;
  }
}

function pgSettings(connectionString: string): pg.PoolConfig {
  const u = new URL(connectionString);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ""),
  };
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: isSqlite ? path.join("prisma", "schema.prisma") : path.join("prisma", "postgresql", "schema.prisma"),
  migrations: {
    path: isSqlite ? path.join("prisma", "migrations") : path.join("prisma", "postgresql", "migrations"),
  },
  adapter: async () => {
    if (isSqlite) return new PrismaBetterSQLite3({ url });
    patchPgCatalogTypes();
    return new PgMigrateAdapterFactory(pgSettings(url));
  },
});
