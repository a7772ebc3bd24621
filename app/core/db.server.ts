import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "./env.server";
import { isBusyCode } from "./db-errors";
import { backoffMs, SQLITE_BUSY_RETRY } from "./retry-policy";

declare global {
  // Keeps one client across dev-server reloads.
  var prismaGlobal: PrismaClient | undefined;
}

export const isPostgres = () => !env().DATABASE_URL.startsWith("file:");

/**
 * adapter-pg 6.19 leaks a pooled connection whenever COMMIT or ROLLBACK fails (the server went
 * away mid-transaction): Prisma then never calls the transaction's commit()/rollback(), which is
 * where the client goes back to the pool. After `max` such leaks every query waits for a
 * connection forever. Release a dead transaction's client (destroying it) when that happens.
 */
class ReleasingPrismaPg extends PrismaPg {
  async connect() {
    const adapter = await super.connect();
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx = (await start(isolationLevel)) as Awaited<ReturnType<typeof start>> & {
        client: { release(error?: unknown): void; on(event: "error", listener: (error: Error) => void): void };
        cleanup?: () => void;
      };
      const executeRaw = tx.executeRaw.bind(tx);
      let released = false;
      const releaseBroken = (error: unknown) => {
        if (released) return;
        released = true;
        tx.cleanup?.();
        tx.client.release(error instanceof Error ? error : new Error(String(error)));
      };
      tx.executeRaw = async (query) => {
        try {
          return await executeRaw(query);
        } catch (error) {
          if (/^\s*(COMMIT|ROLLBACK)\b/i.test(query.sql)) releaseBroken(error);
          throw error;
        }
      };
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      tx.commit = async () => (released ? undefined : ((released = true), commit()));
      tx.rollback = async () => (released ? undefined : ((released = true), rollback()));
      return tx;
    };
    return adapter;
  }
}

/**
 * A pooled client the server disconnects emits 'error'; a client that is checked out and has no
 * listener at that moment (seen under load after Prisma gave up waiting for a connection) would
 * crash the process with an unhandled 'error' event. Every client gets one listener for its life.
 */
function createPgPool(connectionString: string) {
  const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 10_000 });
  pool.on("connect", (client) => client.on("error", () => {}));
  // Idle clients that die are dropped by the pool and reported here (Prisma's own listener goes
  // away on $disconnect, which does not end a pool it was given).
  pool.on("error", (error) => console.warn(`database: pooled connection lost (${error.message})`));
  return pool;
}

/**
 * better-sqlite3 waits for another process's write lock synchronously, inside SQLite's busy
 * handler: the whole event loop stands still for as long as the busy timeout allows. So the
 * timeout is short, and a statement that still finds the file locked is retried after an
 * asynchronous pause, during which other requests run. When the lock outlasts the retries the
 * statement fails with SQLITE_BUSY (isDatabaseUnavailable, db-errors.ts), which a webhook
 * answers with 503 so Shopify delivers again. A few hundred ms in all: a webhook must answer well
 * inside Shopify's 5 s, and background jobs simply run again on their next tick.
 */

type SqliteAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
type Queryable = Pick<SqliteAdapter, "queryRaw" | "executeRaw">;

function retryWhileBusy(target: Queryable) {
  for (const name of ["queryRaw", "executeRaw"] as const) {
    const inner = target[name].bind(target) as (query: unknown) => Promise<unknown>;
    (target as Record<typeof name, unknown>)[name] = async (query: unknown) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await inner(query);
        } catch (error) {
          const e = error as { code?: unknown; cause?: { originalCode?: unknown } };
          if (attempt > SQLITE_BUSY_RETRY.retries || !(isBusyCode(e.cause?.originalCode) || isBusyCode(e.code))) throw error;
          await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, SQLITE_BUSY_RETRY.backoff)));
        }
      }
    };
  }
}

class YieldingPrismaBetterSQLite3 extends PrismaBetterSQLite3 {
  async connect() {
    const adapter = await super.connect();
    retryWhileBusy(adapter);
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx = await start(isolationLevel);
      retryWhileBusy(tx);
      return tx;
    };
    return adapter;
  }
}

function createClient() {
  const url = env().DATABASE_URL;
  const adapter = url.startsWith("file:")
    ? new YieldingPrismaBetterSQLite3({ url, timeout: SQLITE_BUSY_RETRY.busyTimeoutMs })
    : new ReleasingPrismaPg(createPgPool(url));
  return new PrismaClient({ adapter });
}

const prisma: PrismaClient = globalThis.prismaGlobal ?? createClient();
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

/** One cheap query: throws when the database cannot be reached. */
export async function pingDatabase() {
  await prisma.$queryRaw`SELECT 1`;
}
