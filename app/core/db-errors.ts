// Telling a database that failed for a moment from a statement or data that is wrong. Kept apart
// from db.server.ts so it can be tested without a database.
import { Prisma } from "@prisma/client";

export const isBusyCode = (code: unknown) => typeof code === "string" && code.startsWith("SQLITE_BUSY");

/**
 * SQLSTATE codes (and classes) that say the database, not the statement, failed: the connection
 * dropped or the server is shutting down, restarting or full, or the statement lost a race it
 * can win when repeated. https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const TRANSIENT_SQLSTATE = /^(08|57P0[1-4]$|53300$|40001$|40P01$)/;
/** What pg throws, unwrapped, when a pooled connection dies under a query. */
const DROPPED_CONNECTION = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;
/** Prisma's own codes for "cannot reach / lost / timed out waiting for" the database. */
const TRANSIENT_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
const TRANSIENT_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

type ErrorShape = { name?: unknown; code?: unknown; message?: unknown; kind?: unknown; originalCode?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };

/**
 * True when `error` says the database was unavailable for a moment (connection dropped, server
 * restarting, pool exhausted, SQLite locked by another process), not that this statement or its
 * data is wrong. Such a failure hits every shop alike, so a background pass stops and runs again later instead of
 * blaming the shop it was working on. The shapes differ by layer: a Prisma error, the adapter's
 * DriverAdapterError, or pg's own Error, which a batch $transaction can let through unwrapped.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError || error instanceof Prisma.PrismaClientRustPanicError) return true;
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length) {
    const e = pending.pop() as ErrorShape | null | undefined;
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    if (typeof e.code === "string" && (TRANSIENT_PRISMA_CODES.has(e.code) || TRANSIENT_SQLSTATE.test(e.code))) return true;
    if (typeof e.originalCode === "string" && TRANSIENT_SQLSTATE.test(e.originalCode)) return true;
    if (typeof e.kind === "string" && TRANSIENT_ADAPTER_KINDS.has(e.kind)) return true;
    if (typeof e.message === "string" && DROPPED_CONNECTION.test(e.message)) return true;
    if (typeof e.code === "string" && ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"].includes(e.code)) return true;
    if (isBusyCode(e.code) || isBusyCode(e.originalCode)) return true;
    pending.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}
