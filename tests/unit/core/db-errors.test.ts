// The shapes below are the ones @prisma/adapter-pg 6.19 and pg 8 produced when PostgreSQL
// terminated the app's connections (pg_terminate_backend) under single queries, interactive and
// batch transactions; scripts/test-faults.ts reproduces them against a real server.
import { Prisma } from "@prisma/client";
import { isDatabaseUnavailable } from "~/core/db-errors";

const known = (code: string, meta?: Record<string, unknown>) => new Prisma.PrismaClientKnownRequestError("Invalid `prisma.x()` invocation", { code, clientVersion: "6.19.3", meta });
const adapterError = (cause: Record<string, unknown>) => Object.assign(new Error(String(cause.message ?? cause.kind)), { name: "DriverAdapterError", cause });
const terminated = { originalCode: "57P01", originalMessage: "terminating connection due to administrator command", kind: "postgres", code: "57P01", severity: "FATAL" };

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a raw query whose connection was terminated (P2010 carrying 57P01)", known("P2010", { driverAdapterError: adapterError(terminated) })],
    ["the adapter's own error, let through a batch $transaction", adapterError(terminated)],
    ["pg's unwrapped error when the socket closed under a batch", new Error("Connection terminated unexpectedly")],
    ["pg's error for a pool that could not connect in time", new Error("timeout exceeded when trying to connect")],
    ["Prisma: server closed the connection", known("P1017")],
    ["Prisma: timed out waiting for a pooled connection", known("P2024")],
    ["the server is starting or shutting down (57P03)", adapterError({ ...terminated, code: "57P03", originalCode: "57P03" })],
    ["too many connections (53300)", adapterError({ ...terminated, code: "53300", originalCode: "53300" })],
    ["a deadlock the statement loses (40P01)", known("P2034", { driverAdapterError: adapterError({ kind: "postgres", originalCode: "40P01" }) })],
    ["the server cannot be reached", adapterError({ kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 })],
    ["a socket reset", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", syscall: "read", errno: -104 })],
    ["SQLite locked by another process", known("P2010", { driverAdapterError: adapterError({ kind: "sqlite", originalCode: "SQLITE_BUSY" }) })],
    ["the client could not start", new Prisma.PrismaClientInitializationError("Can't reach database server", "6.19.3")],
  ])("%s: unavailable", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ["a unique violation (a race our code handles)", known("P2002", { target: ["shop"] })],
    ["a value too long for its column (our data)", known("P2000")],
    ["a missing table (a migration not applied)", known("P2021", { driverAdapterError: adapterError({ kind: "TableDoesNotExist", originalCode: "42P01" }) })],
    ["a bug of ours", new TypeError("Cannot read properties of undefined (reading 'pixelCode')")],
    ["a token the app cannot decrypt", new Error("Unsupported state or unable to authenticate data")],
    ["not an error at all", "terminated"],
    ["nothing", null],
  ])("%s: not unavailable", (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it("follows causes without looping on a cycle", () => {
    const a: Error & { cause?: unknown } = new Error("outer");
    a.cause = a;
    expect(isDatabaseUnavailable(a)).toBe(false);
  });
});
