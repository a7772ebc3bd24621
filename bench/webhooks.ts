// orders/create acknowledgement benchmark: the BUILT app under scripts/serve.mjs, N signed orders/create
// webhooks (attributed, each a new order, so each one records an order and queues an event) at a
// fixed concurrency, against a bare route on the same server that only verifies the HMAC and
// answers 200 (app/bench-routes/webhook-baseline.tsx, only in the APP_BUILD=bench build). Reports
// throughput, p50/p99 latency and the ratio of the two throughputs. No TikTok call happens in
// either (RUN_JOBS_IN_PROCESS=0).
// Knobs: BENCH_WEBHOOKS (requests per route, 2,000), BENCH_CONCURRENCY (16), BENCH_BUILD=1 (rebuild),
// BENCH_WAL=1 (SQLite in WAL mode, as the demo runs it; the app itself leaves the journal mode
// alone), BENCH_PROF=<dir> (a V8 CPU profile of the server).
import { execSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { webhookHeaders } from "../app/features/demo/shopify-double.server";
import { demoOrderPayload } from "../app/features/demo/simulate.server";
import { buildOutput } from "../remix.config.js";

const SHOP = "bench-webhooks.myshopify.com";
const REQUESTS = Number(process.env.BENCH_WEBHOOKS ?? 2_000);
const WARMUP = 200;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

type Result = Record<string, number | string>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The bench build: the production app plus the baseline route.
const BUILD = buildOutput("bench").serverBuildPath;

/** Builds the app unless the bench build is there and newer than app/ and remix.config.js. */
function ensureBuild() {
  const stale = !existsSync(BUILD) || statSync(BUILD).mtimeMs < newestMtime("app") || statSync(BUILD).mtimeMs < statSync("remix.config.js").mtimeMs;
  if (stale || process.env.BENCH_BUILD === "1") {
    execSync("npx remix build", { env: { ...process.env, APP_BUILD: "bench" }, stdio: ["ignore", "ignore", "inherit"] });
  }
}

function newestMtime(dir: string): number {
  const out = execSync(`find ${dir} -type f -newer ${BUILD} -print -quit`, { encoding: "utf8" }).trim();
  return out ? Date.now() : 0;
}

async function prepareDatabase(databaseUrl: string) {
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
    // A reused PostgreSQL database: start from this shop's clean slate.
    await prisma.outboxEvent.deleteMany({ where: { shop: SHOP } });
    await prisma.orderRecord.deleteMany({ where: { shop: SHOP } });
    await prisma.tikTokConnection.deleteMany({ where: { shop: SHOP } });
  }
  // Connected the way the wizard leaves a shop; the token is never used (no TikTok call here).
  await prisma.tikTokConnection.create({
    data: {
      shop: SHOP,
      status: "connected",
      accessTokenEnc: "bench-not-a-token",
      advertiserId: "7100000000000000001",
      pixelCode: "C1SBX001KKKKKKKKKKKK",
      connectedAt: new Date(Date.now() - 24 * 60 * 60 * 1000),
    },
  });
  return prisma;
}

async function startApp(env: Record<string, string>) {
  const prof = process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, "scripts/serve.mjs", BUILD], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${env.PORT}`;
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
  return { child, url, output: () => output };
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Posts `bodies` to `url` with `CONCURRENCY` in flight; returns per-request latency and wall time. */
async function run(url: string, topic: string, bodies: string[], secret: string) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const headers = webhookHeaders({ topic, shop: SHOP, rawBody: body, secret });
        const t0 = performance.now();
        const res = await fetch(url, { method: "POST", headers, body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: bodies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

let nextOrderId = 7_000_000_000_000;
function orders(n: number) {
  return Array.from({ length: n }, () => {
    const orderId = nextOrderId++;
    const visitorId = `tta1.${randomBytes(17).toString("base64url").slice(0, 22)}`;
    return JSON.stringify(demoOrderPayload({ orderId, visitorId, ttclid: `E.C.P.bench${orderId}`, capturedAt: Date.now() - 60_000, createdAt: new Date() }));
  });
}

export async function benchWebhooks(opts: { databaseUrl: string; label: string }): Promise<Result> {
  ensureBuild();
  const prisma = await prepareDatabase(opts.databaseUrl);
  const secret = randomBytes(16).toString("hex");
  const port = await freePort();
  let app: { child: ChildProcess; url: string; output: () => string } | undefined;
  try {
    app = await startApp({
      NODE_ENV: "test",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: opts.databaseUrl,
      SHOPIFY_API_KEY: "bench-api-key",
      SHOPIFY_API_SECRET: secret,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      TIKTOK_APP_ID: "bench-tiktok-app",
      TIKTOK_APP_SECRET: randomBytes(16).toString("hex"),
      TIKTOK_API_BASE_URL: "http://127.0.0.1:9",
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      RUN_JOBS_IN_PROCESS: "0",
    });
    const baselineUrl = `${app.url}/bench/webhook-baseline`;
    const ordersUrl = `${app.url}/webhooks/orders/create`;
    // Warm both paths (module load, JIT, the database's first pages).
    await run(baselineUrl, "orders/create", orders(WARMUP), secret);
    await run(ordersUrl, "orders/create", orders(WARMUP), secret);

    const baseline = await run(baselineUrl, "orders/create", orders(REQUESTS), secret);
    const ingest = await run(ordersUrl, "orders/create", orders(REQUESTS), secret);
    const recorded = await prisma.orderRecord.count({ where: { shop: SHOP } });
    const queued = await prisma.outboxEvent.count({ where: { shop: SHOP, status: "queued" } });
    const round = (n: number, d = 1) => Number(n.toFixed(d));
    return {
      database: opts.label,
      requests_each: REQUESTS,
      concurrency: CONCURRENCY,
      baseline_per_s: round(baseline.rps),
      orders_create_per_s: round(ingest.rps),
      ratio: round(ingest.rps / baseline.rps, 2),
      baseline_p50_ms: round(baseline.p50),
      baseline_p99_ms: round(baseline.p99),
      orders_create_p50_ms: round(ingest.p50),
      orders_create_p99_ms: round(ingest.p99),
      non_200: baseline.failures + ingest.failures,
      orders_recorded: recorded,
      events_queued: queued,
      targets: "ratio >= 0.8; p99 well under 250 ms",
    };
  } finally {
    app?.child.kill("SIGTERM");
    await prisma.$disconnect();
  }
}
