// What the benchmarks that drive the BUILT app share: the bench build (the production app plus
// app/bench-routes), a fresh database with a connected shop, the app under scripts/serve.mjs in a
// child process, signed orders/create bodies, percentiles.
import { execSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { demoOrderPayload } from "../app/features/demo/simulate.server";
import { buildOutput } from "../remix.config.js";

/** The bench build: the production app plus the baseline route. */
export const BUILD = buildOutput("bench").serverBuildPath;

/**
 * A free local port. Benchmarks share this machine with other people's servers, so they stay in
 * 5100-5300 (BENCH_PORT_BASE moves the range).
 */
export async function freePort(): Promise<number> {
  const base = Number(process.env.BENCH_PORT_BASE ?? 5100);
  const offset = Math.floor(Math.random() * 200);
  for (let i = 0; i < 200; i++) {
    const port = base + ((offset + i) % 200);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${base}-${base + 199}`);
}

/** Builds the app unless the bench build is there and newer than app/ and remix.config.js. */
export function ensureBuild() {
  const stale = !existsSync(BUILD) || statSync(BUILD).mtimeMs < newestMtime("app") || statSync(BUILD).mtimeMs < statSync("remix.config.js").mtimeMs;
  if (stale || process.env.BENCH_BUILD === "1") {
    execSync("npx remix build", { env: { ...process.env, APP_BUILD: "bench" }, stdio: ["ignore", "ignore", "inherit"] });
  }
}

function newestMtime(dir: string): number {
  if (!existsSync(BUILD)) return Date.now();
  const out = execSync(`find ${dir} -type f -newer ${BUILD} -print -quit`, { encoding: "utf8" }).trim();
  return out ? Date.now() : 0;
}

export type Connection = { status?: string; accessTokenEnc: string; advertiserId: string; pixelCode: string };

/** A migrated database (a fresh file on SQLite; `shops`' rows removed on a reused PostgreSQL one). */
export async function prepareDatabase(databaseUrl: string, shops: string[]) {
  if (databaseUrl.startsWith("file:")) {
    const file = databaseUrl.replace(/^file:/, "");
    mkdirSync("tests/.tmp", { recursive: true });
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
  }
  execSync("npx prisma migrate deploy", { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "pipe" });
  const { PrismaClient } = await import("@prisma/client");
  const adapter = databaseUrl.startsWith("file:")
    ? new (await import("@prisma/adapter-better-sqlite3")).PrismaBetterSQLite3({ url: databaseUrl })
    : new (await import("@prisma/adapter-pg")).PrismaPg({ connectionString: databaseUrl });
  const prisma = new PrismaClient({ adapter });
  if (databaseUrl.startsWith("file:") && process.env.BENCH_WAL === "1") await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  if (!databaseUrl.startsWith("file:")) {
    const where = { shop: { in: shops } };
    await prisma.outboxEvent.deleteMany({ where });
    await prisma.orderRecord.deleteMany({ where });
    await prisma.touchpoint.deleteMany({ where });
    await prisma.tikTokConnection.deleteMany({ where });
  }
  return prisma;
}

/** Connected the way the wizard leaves a shop. */
export function connectionRow(shop: string, c: Connection) {
  return {
    shop,
    status: c.status ?? "connected",
    accessTokenEnc: c.accessTokenEnc,
    advertiserId: c.advertiserId,
    pixelCode: c.pixelCode,
    connectedAt: new Date(Date.now() - 24 * 60 * 60 * 1000),
  };
}

export type AppSecrets = { SHOPIFY_API_SECRET: string; TOKEN_ENCRYPTION_KEY: string };

export function appSecrets(): AppSecrets {
  return { SHOPIFY_API_SECRET: randomBytes(16).toString("hex"), TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
}

export type App = { child: ChildProcess; url: string; output: () => string; stop: () => Promise<void> };

/**
 * The built app under scripts/serve.mjs. `profileDir`: a V8 CPU profile of the server, written
 * when it stops.
 */
export async function startApp(opts: {
  databaseUrl: string;
  secrets: AppSecrets;
  jobsInProcess: boolean;
  tiktokUrl?: string;
  profileDir?: string;
  env?: Record<string, string>;
}): Promise<App> {
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: "test",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: opts.databaseUrl,
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    TIKTOK_APP_ID: "bench-tiktok-app",
    TIKTOK_APP_SECRET: randomBytes(16).toString("hex"),
    TIKTOK_API_BASE_URL: opts.tiktokUrl ?? "http://127.0.0.1:9",
    RUN_JOBS_IN_PROCESS: opts.jobsInProcess ? "1" : "0",
    ...opts.secrets,
    ...opts.env,
  };
  const prof = opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : [];
  const child = spawn(process.execPath, [...prof, "scripts/serve.mjs", BUILD], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`app exited:\n${output}`);
    try {
      if ((await fetch(`${url}/healthcheck`)).ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`app did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  return { child, url, output: () => output, stop };
}

/**
 * `npm run worker` (scripts/worker.ts) beside app instances that run no jobs: the README's
 * deployment for several instances. Stopped with SIGTERM, as a platform stops it.
 */
export async function startWorker(opts: { databaseUrl: string; secrets: AppSecrets; tiktokUrl: string; env?: Record<string, string> }) {
  const env: Record<string, string> = {
    NODE_ENV: "test",
    DATABASE_URL: opts.databaseUrl,
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_APP_URL: "http://127.0.0.1:9",
    TIKTOK_APP_ID: "bench-tiktok-app",
    TIKTOK_APP_SECRET: randomBytes(16).toString("hex"),
    TIKTOK_API_BASE_URL: opts.tiktokUrl,
    RUN_JOBS_IN_PROCESS: "0",
    ...opts.secrets,
    ...opts.env,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
  return {
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export function percentile(sorted: number[], p: number) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

let nextOrderId = 7_000_000_000_000 + (Date.now() % 1_000_000) * 1_000;

/**
 * Attributed orders/create bodies, each a new order; returns [orderId, body]. By default the cart
 * carries a new visitor and a ttclid; with `visitorId` (and `noteTtclid: false`) the order is
 * attributed to that visitor's touchpoints only.
 */
export function attributedOrders(n: number, opts: { visitorId?: () => string; noteTtclid?: boolean } = {}): [string, string][] {
  return Array.from({ length: n }, () => {
    const orderId = nextOrderId++;
    const visitorId = opts.visitorId?.() ?? `tta1.${randomBytes(17).toString("base64url").slice(0, 22)}`;
    const ttclid = opts.noteTtclid === false ? undefined : `E.C.P.bench${orderId}`;
    const body = JSON.stringify(demoOrderPayload({ orderId, visitorId, ttclid, capturedAt: Date.now() - 60_000, createdAt: new Date() }));
    return [String(orderId), body];
  });
}

export const round = (n: number, d = 1) => Number(n.toFixed(d));
