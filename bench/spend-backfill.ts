// Spend backfill benchmark: a 30-day backfill of an ad account with 1,000 ad groups (100
// campaigns) against the local sandbox, through the real client (and its rate limiter) and the
// real sync engine, on a fresh SQLite database. Reports requests made, the minimum possible
// (pages of 1,000 ad-group rows per 30-day window: that report serves both levels) and wall time; then one hourly re-pull.
//
// The app's env() is read once per process, so the measurement runs in a child process with its
// own environment: whatever other benchmarks configured in the parent cannot leak into it.
import { execFileSync, execSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const AD_GROUPS = 1_000;
const SHOP = "bench-spend.myshopify.com";
const DB_FILE = "tests/.tmp/bench-spend.sqlite";

type Result = Record<string, number | string>;

export async function benchSpendBackfill(): Promise<Result> {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", self, "--child"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_SPEND_CHILD: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = out.trim().split("\n").at(-1)!;
  return JSON.parse(line) as Result;
}

async function child(): Promise<Result> {
  mkdirSync(path.dirname(DB_FILE), { recursive: true });
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${DB_FILE}${suffix}`, { force: true });
  const databaseUrl = `file:./${DB_FILE}`;
  execSync("npx prisma migrate deploy", { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "pipe" });

  const { startSandbox } = await import("../sandbox/server");
  const { sandboxControl } = await import("../sandbox/control");
  const { ADVERTISER_IDS } = await import("../sandbox/world");
  const appId = "bench-tiktok-app";
  const appSecret = "bench-tiktok-secret";
  const sandbox = await startSandbox({ port: 0, appId, appSecret, world: { bigAdvertiserAdgroups: AD_GROUPS } });
  const control = sandboxControl(sandbox.url);

  // The app's configuration for this process only. The rate limit stays at the default Basic
  // tier (10 QPS app-wide, half of it per advertiser) unless the caller's env says otherwise.
  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: "bench-shopify-secret",
    SHOPIFY_APP_URL: "https://bench.example.com",
    TIKTOK_APP_ID: appId,
    TIKTOK_APP_SECRET: appSecret,
    TIKTOK_API_BASE_URL: sandbox.url,
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    RUN_JOBS_IN_PROCESS: "0",
  });
  const { default: prisma } = await import("../app/core/db.server");
  const { env } = await import("../app/core/env.server");
  const { encryptToken } = await import("../app/core/connection/token-crypto.server");
  const sync = await import("../app/features/spend/sync.server");

  try {
    const advertiserId = ADVERTISER_IDS.big;
    const token = await control.token([advertiserId]);
    await prisma.tikTokConnection.create({
      data: {
        shop: SHOP,
        status: "connected",
        accessTokenEnc: encryptToken(token),
        authorizedAdvertisers: JSON.stringify([advertiserId]),
        advertiserId,
        advertiserCurrency: "USD",
        advertiserTimezone: "UTC",
        connectedAt: new Date(),
      },
    });

    const { runId } = await sync.requestSpendSync(SHOP, "backfill");
    const started = performance.now();
    const backfill = await sync.runDueSyncs();
    const backfillMs = performance.now() - started;
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    if (run.status !== "done") throw new Error(`backfill ended ${run.status}: ${run.error}`);
    const requests = await control.requestCount("/report/integrated/get/");

    // The minimum: every planned report (one per window, at ad-group level) needs ceil(rows / 1,000) pages, at least one.
    const cursor = sync.parseCursor(run.cursor)!;
    let minimum = 0;
    for (const unit of cursor.units) {
      const rows = await prisma.spendRow.count({ where: { shop: SHOP, level: unit.level, date: { gte: unit.start, lte: unit.end } } });
      minimum += Math.max(1, Math.ceil(rows / 1_000));
    }
    const campaignRows = await prisma.spendRow.count({ where: { shop: SHOP, level: "campaign" } });
    const adgroupRows = await prisma.spendRow.count({ where: { shop: SHOP, level: "adgroup" } });

    // One hourly re-pull of the last 3 days right after (next UTC hour, at the shop's second of it), nothing restated.
    const nextHour = new Date(Math.floor(Date.now() / 3_600_000 + 1) * 3_600_000 + sync.hourOffsetMs(SHOP) + 1_000);
    const hourlyStarted = performance.now();
    const hourly = await sync.runDueSyncs({ now: nextHour });
    const hourlyMs = performance.now() - hourlyStarted;
    const hourlyRequests = hourly.runs.reduce((n, r) => n + r.requests, 0);

    return {
      ad_groups: AD_GROUPS,
      days: cursor.units.length ? `${cursor.range.start}..${cursor.range.end}` : "none",
      // One ad-group report per window serves both levels (ADR 0008).
      windows: new Set(cursor.units.map((u) => u.start)).size,
      campaign_rows: campaignRows,
      adgroup_rows: adgroupRows,
      report_requests: requests,
      minimum_requests: minimum,
      requests_to_minimum_ratio: Number((requests / minimum).toFixed(3)),
      backfill_ms: Math.round(backfillMs),
      rows_written: backfill.runs.reduce((n, r) => n + r.created + r.updated, 0),
      rate_limit: `${env().TIKTOK_RATE_QPS} QPS app-wide, ${Math.ceil(env().TIKTOK_RATE_QPS / 2)} per advertiser`,
      hourly_requests: hourlyRequests,
      hourly_rows_changed: hourly.runs.reduce((n, r) => n + r.created + r.updated, 0),
      hourly_ms: Math.round(hourlyMs),
    };
  } finally {
    await prisma.$disconnect();
    await sandbox.close();
  }
}

if (process.env.BENCH_SPEND_CHILD === "1" && process.argv.includes("--child")) {
  child()
    .then((result) => {
      console.log(JSON.stringify(result));
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
