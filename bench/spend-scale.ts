// Spend sync at scale (issue 28): a simulated day of 20,000 connected shops on PostgreSQL, two
// worker processes running the real spend sync (app/features/spend/sync.server.ts) against the
// sandbox enforcing TikTok's Basic tier (10 QPS / 600 QPM app-wide, 40100 beyond it), on a clock
// compressed SPEEDUP times. docs/decisions/0008 "Simulation at scale" has the design.
//
// Three processes of this file: the bench entry (benchSpendScale) starts the driver in a child
// process with its own environment; the driver seeds the database, runs the sandbox on the
// simulated clock, starts the two workers, makes new connections and Sync Now presses arrive, and
// samples every shop's staleness; the workers tick the spend job on the same simulated clock.
//
// The simulated clock is a function of the real one that every process computes alike:
// sim = SIM_START + (real - REAL_START) * SPEEDUP. The sandbox's quota and the app's budget
// (reportBudget, the Basic tier's 90 %) are both counted in simulated seconds. The client's
// in-process limiter runs on the real clock, so the workers set TIKTOK_RATE_QPS/QPM to SPEEDUP
// times the tier: in simulated time it is then the tier, as in production.
//
// What the test is not about, and therefore seeded straight into the database: the connections
// (the wizard's end state, each with its own sandbox token), each shop's last completed refresh
// (a steady state: an active shop's in the last hour at its second of the hour, an idle shop's at
// a time spread over the last 23 hours), and one spend row that makes an active shop active.
import { execFileSync, execSync, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

type Result = Record<string, number | string>;

const SHOPS = Number(process.env.BENCH_SPEND_SHOPS ?? 20_000);
const SIM_HOURS = Number(process.env.BENCH_SPEND_HOURS ?? 24);
/** Simulated seconds per real second. */
const SPEEDUP = Number(process.env.BENCH_SPEND_SPEEDUP ?? 60);
const WORKERS = 2;
const BASIC = { qps: 10, qpm: 600 };
/** New connections during the run, and Sync Now presses: shares of the shops, spread over the run. */
const NEW_SHARE = 0.01;
const PRESS_SHARE = 0.025;
const SAMPLE_EVERY_MS = 10 * 60_000;

const shopName = (i: number) => `sim-${String(i + 1).padStart(5, "0")}.myshopify.com`;

/**
 * The mix: one shop in a thousand runs 1,000 ad groups, one in five 1 to 50, the rest nothing
 * (an install whose TikTok account spends nothing this week).
 */
function adgroupsOf(i: number, newcomer: number | null): number {
  // Two of the new connections are big accounts: their 30-page backfills are part of backfill_p99_min.
  if (newcomer === 0 || newcomer === 1) return 1_000;
  const r = (i * 7_919) % 1_000;
  if (r === 0) return 1_000;
  if (r < 200) return 1 + (i % 50);
  return 0;
}

/** A stable number in [0, 1) for a name. */
function unit(name: string) {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

export async function benchSpendScale(): Promise<{ sim: Result; setup: Result; storage: Result }> {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync("nice", ["-n", "10", process.execPath, "node_modules/tsx/dist/cli.mjs", self, "--driver"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_SPEND_SCALE: "driver" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as { sim: Result; setup: Result; storage: Result };
}

type SimClock = { now: () => Date; sleep: (ms: number) => Promise<void> };

function simClock(): SimClock {
  const simStart = Number(process.env.SIM_START_MS);
  const realStart = Number(process.env.SIM_REAL_START_MS);
  const k = Number(process.env.SIM_SPEEDUP);
  return {
    now: () => new Date(simStart + (Date.now() - realStart) * k),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / k))),
  };
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const round = (n: number, d = 1) => (Number.isFinite(n) ? Number(n.toFixed(d)) : String(n));

function appEnv(databaseUrl: string, sandboxUrl: string): Record<string, string> {
  return {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: "bench-api-key",
    SHOPIFY_API_SECRET: "bench-shopify-secret",
    SHOPIFY_APP_URL: "https://bench.example.com",
    TIKTOK_APP_ID: "bench-tiktok-app",
    TIKTOK_APP_SECRET: "bench-tiktok-secret",
    TIKTOK_API_BASE_URL: sandboxUrl,
    TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    RUN_JOBS_IN_PROCESS: "0",
    TIKTOK_QUOTA_TIER: "basic",
  };
}

async function driver(): Promise<{ sim: Result; setup: Result; storage: Result }> {
  const base = process.env.BENCH_PG_URL;
  if (!base?.startsWith("postgres")) throw new Error("spend-scale-pg runs on PostgreSQL: BENCH_PG_URL (scripts/pg-bench.sh)");
  // A database of its own, so the sizes measured at the end are this simulation's alone.
  const databaseUrl = base.replace(/\/[^/?]+(\?|$)/, "/app_bench_spend$1");
  const pg = await import("pg");
  const admin = new pg.default.Client({ connectionString: base });
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS app_bench_spend WITH (FORCE)");
  await admin.query("CREATE DATABASE app_bench_spend");
  await admin.end();
  execSync("npx prisma migrate deploy", { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "pipe" });

  const newCount = Math.round(SHOPS * NEW_SHARE);
  const seeded = SHOPS - newCount;
  const fleet = Array.from({ length: SHOPS }, (_, i) => adgroupsOf(i, i >= seeded ? i - seeded : null));

  // The simulated day starts at the next real minute; the clock starts when the workers are up.
  const simStart = Math.ceil(Date.now() / 60_000) * 60_000;
  let realStart = Date.now() + 3_600_000;
  const now = () => new Date(simStart + (Date.now() - realStart) * SPEEDUP);
  const simEnd = simStart + SIM_HOURS * 3_600_000;

  const { startSandbox } = await import("../sandbox/server");
  const { sandboxControl } = await import("../sandbox/control");
  const { fleetAdvertiserId } = await import("../sandbox/world");
  const sandbox = await startSandbox({ port: 0, appId: "bench-tiktok-app", appSecret: "bench-tiktok-secret", world: { fleet }, now, rateLimit: BASIC });
  const control = sandboxControl(sandbox.url);

  Object.assign(process.env, appEnv(databaseUrl, sandbox.url));
  const { default: prisma } = await import("../app/core/db.server");
  const { encryptToken } = await import("../app/core/connection/token-crypto.server");
  const sync = await import("../app/features/spend/sync.server");
  const { utcHourSlot, startOfUtcHour, dayIn, addDays } = await import("../app/features/spend/dates");

  const workers: ChildProcess[] = [];
  try {
    // -- seeding (not measured)
    const seedStarted = performance.now();
    const tokens: string[] = new Array(SHOPS);
    for (let i = 0; i < SHOPS; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, SHOPS - i) }, async (_, j) => (tokens[i + j] = await control.token([fleetAdvertiserId(i + j)]))));
    }
    const connection = (i: number, connectedAt: Date) => ({
      shop: shopName(i),
      status: "connected",
      accessTokenEnc: encryptToken(tokens[i]),
      authorizedAdvertisers: JSON.stringify([fleetAdvertiserId(i)]),
      advertiserId: fleetAdvertiserId(i),
      advertiserName: `Fleet shop ${i + 1}`,
      advertiserCurrency: "USD",
      advertiserTimezone: "UTC",
      connectedAt,
    });
    const start = new Date(simStart);
    const today = dayIn("UTC", start);
    for (let i = 0; i < seeded; i += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, seeded - i) }, (_, j) => i + j);
      await prisma.tikTokConnection.createMany({ data: batch.map((n) => connection(n, new Date(simStart - 30 * 86_400_000))) });
      await prisma.syncRun.createMany({
        data: batch.map((n) => {
          const shop = shopName(n);
          let finished: number;
          if (fleet[n] > 0) {
            finished = startOfUtcHour(start).getTime() + sync.hourOffsetMs(shop);
            if (finished > simStart) finished -= 3_600_000;
          } else {
            finished = simStart - Math.floor(unit(shop) * 23 * 3_600_000);
          }
          const at = new Date(finished);
          const cursor = { advertiserId: fleetAdvertiserId(n), timezone: "UTC", range: { start: addDays(today, -2), end: dayIn("UTC", at) }, units: [], unit: 0, page: 1, attempts: 0 };
          return { shop, kind: fleet[n] > 0 ? "hourly" : "daily", slot: utcHourSlot(at), status: "done", nextAttemptAt: at, createdAt: at, startedAt: at, finishedAt: at, cursor: JSON.stringify(cursor) };
        }),
      });
      const active = batch.filter((n) => fleet[n] > 0);
      if (active.length) {
        await prisma.spendRow.createMany({
          data: active.map((n) => ({
            shop: shopName(n),
            advertiserId: fleetAdvertiserId(n),
            level: "campaign",
            entityId: `18${100 + n}${"1".padStart(14, "0")}`,
            date: addDays(today, -3),
            spend: 1,
            impressions: 100,
            clicks: 1,
            currency: "USD",
            timezone: "UTC",
          })),
        });
      }
    }
    await prisma.$executeRawUnsafe(`ANALYZE`);
    const seedSeconds = (performance.now() - seedStarted) / 1_000;

    // -- the arrivals, at fixed simulated times
    const span = simEnd - simStart;
    const arrivals = Array.from({ length: newCount }, (_, j) => ({ at: simStart + Math.floor(((j + 0.5) / newCount) * span), shop: seeded + j }));
    const pressCount = Math.round(SHOPS * PRESS_SHARE);
    const activeSeeded = Array.from({ length: seeded }, (_, i) => i).filter((i) => fleet[i] > 0);
    const idleSeeded = Array.from({ length: seeded }, (_, i) => i).filter((i) => fleet[i] === 0);
    // Four presses in five come from shops that advertise (they have numbers to look at).
    const presses = Array.from({ length: pressCount }, (_, j) => {
      const pool = j % 5 === 4 ? idleSeeded : activeSeeded;
      return { at: simStart + Math.floor(((j + 0.37) / pressCount) * span), shop: pool[Math.floor(unit(`press-${j}`) * pool.length)] };
    });

    // -- the workers, then the clock
    realStart = Date.now() + 5_000;
    const self = fileURLToPath(import.meta.url);
    for (let w = 0; w < WORKERS; w++) {
      const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", self, "--worker"], {
        env: {
          ...process.env,
          BENCH_SPEND_SCALE: "worker",
          SIM_START_MS: String(simStart),
          SIM_REAL_START_MS: String(realStart),
          SIM_SPEEDUP: String(SPEEDUP),
          SIM_END_MS: String(simEnd),
          SIM_OWNER: `sim-worker-${w + 1}`,
          // The in-process limiter counts real seconds: SPEEDUP times the tier is the tier in simulated time.
          TIKTOK_RATE_QPS: String(BASIC.qps * SPEEDUP),
          TIKTOK_RATE_QPM: String(BASIC.qpm * SPEEDUP),
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      workers.push(child);
    }
    const workerOut = workers.map((child) => {
      let text = "";
      child.stdout!.on("data", (c: Buffer) => (text += c.toString()));
      return { done: new Promise<void>((resolve) => child.once("exit", () => resolve())), text: () => text };
    });

    const connectedAt = new Map<string, number>();
    const backfillRuns = new Map<string, string>();
    const pressRuns: { at: number; runId: string }[] = [];
    const activeStale: number[] = [];
    let idleMax = 0;
    let nextSample = simStart + SAMPLE_EVERY_MS;
    let lag = 0;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    const sample = async (at: number) => {
      const last = await prisma.$queryRawUnsafe<{ shop: string; last: Date }[]>(`SELECT "shop", max("finishedAt") AS "last" FROM "SyncRun" WHERE "status" = 'done' GROUP BY "shop"`);
      const lastOf = new Map(last.map((r) => [r.shop, r.last.getTime()]));
      for (let i = 0; i < SHOPS; i++) {
        const shop = shopName(i);
        if (i >= seeded && !(connectedAt.has(shop) && lastOf.has(shop))) continue; // not connected yet, or in its backfill
        const stale = at - (lastOf.get(shop) ?? simStart);
        if (fleet[i] > 0) activeStale.push(stale);
        else idleMax = Math.max(idleMax, stale);
      }
    };

    while (now().getTime() < simEnd) {
      const t = now().getTime();
      while (arrivals.length && arrivals[0].at <= t) {
        const a = arrivals.shift()!;
        lag = Math.max(lag, t - a.at);
        const shop = shopName(a.shop);
        await prisma.tikTokConnection.create({ data: connection(a.shop, new Date(a.at)) });
        connectedAt.set(shop, a.at);
        backfillRuns.set(shop, (await sync.requestSpendSync(shop, "backfill", new Date(a.at))).runId);
      }
      while (presses.length && presses[0].at <= t) {
        const p = presses.shift()!;
        lag = Math.max(lag, t - p.at);
        pressRuns.push({ at: p.at, runId: (await sync.requestSpendSync(shopName(p.shop), "manual", new Date(p.at))).runId });
      }
      if (t >= nextSample) {
        await sample(nextSample);
        nextSample += SAMPLE_EVERY_MS;
      }
      await sleep(Math.max(5, Math.min(200, (Math.min(arrivals[0]?.at ?? Infinity, presses[0]?.at ?? Infinity, nextSample) - now().getTime()) / SPEEDUP)));
    }
    await Promise.all(workerOut.map((w) => w.done));
    const realSeconds = (Date.now() - realStart) / 1_000;
    await sample(simEnd);

    // -- the figures
    const finishedAt = async (ids: string[]) =>
      new Map((await prisma.syncRun.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, finishedAt: true } })).map((r) => [r.id, r]));
    const backfills = await finishedAt([...backfillRuns.values()]);
    const backfillMin = [...backfillRuns].map(([shop, id]) => {
      const r = backfills.get(id);
      return ((r?.status === "done" && r.finishedAt ? r.finishedAt.getTime() : simEnd) - connectedAt.get(shop)!) / 60_000;
    });
    const backfillsUnfinished = [...backfillRuns.values()].filter((id) => backfills.get(id)?.status !== "done").length;
    const pressed = await finishedAt(pressRuns.map((p) => p.runId));
    const syncNowS = pressRuns.map((p) => {
      const r = pressed.get(p.runId);
      return ((r?.status === "done" && r.finishedAt ? r.finishedAt.getTime() : simEnd) - p.at) / 1_000;
    });
    const pressesUnfinished = pressRuns.filter((p) => pressed.get(p.runId)?.status !== "done").length;
    const log = await control.requests();
    const reportRequests = log.counts["/open_api/v1.3/report/integrated/get/"] ?? 0;
    const connected = await prisma.tikTokConnection.count({ where: { status: "connected" } });
    const workerStats = workerOut.map((w) => JSON.parse(w.text().trim().split("\n").at(-1) ?? "{}") as Record<string, number>);
    const runsBy = (status: string) => workerStats.reduce((n, s) => n + (s[status] ?? 0), 0);

    // -- storage: bytes on disk of the spend rows, per shop-month of rows kept (they are never pruned)
    await prisma.$executeRawUnsafe(`VACUUM ANALYZE "SpendRow"`);
    const [size] = await prisma.$queryRawUnsafe<{ bytes: bigint; rows: bigint; shop_days: bigint }[]>(
      `SELECT pg_total_relation_size('"SpendRow"') AS bytes, (SELECT count(*) FROM "SpendRow") AS rows,
              (SELECT count(*) FROM (SELECT DISTINCT "shop", "date" FROM "SpendRow") d) AS shop_days`,
    );
    const shopMonths = Number(size.shop_days) / 30;

    const sim: Result = {
      shops: connected,
      simulated_hours: SIM_HOURS,
      requests_per_shop_hour: round(reportRequests / connected / SIM_HOURS, 3),
      refused_by_quota: log.rate_limited,
      active_staleness_p99_min: round(percentile(activeStale, 99) / 60_000),
      idle_staleness_max_h: round(idleMax / 3_600_000, 2),
      backfill_p99_min: round(percentile(backfillMin, 99), 2),
      sync_now_p99_s: round(percentile(syncNowS, 99)),
    };
    const setup: Result = {
      clock: `${SPEEDUP}x compressed (1 real s = ${SPEEDUP} simulated s); quota and budgets in simulated seconds`,
      real_seconds: round(realSeconds),
      seed_seconds: round(seedSeconds),
      workers: WORKERS,
      quota: `sandbox enforces Basic ${BASIC.qps} QPS / ${BASIC.qpm} QPM; app budget TIKTOK_QUOTA_TIER=basic`,
      mix: `${fleet.filter((g) => g === 0).length} idle, ${fleet.filter((g) => g > 0 && g <= 50).length} with 1-50 ad groups, ${fleet.filter((g) => g === 1_000).length} with 1,000`,
      new_connections: backfillRuns.size,
      backfills_unfinished: backfillsUnfinished,
      sync_now_presses: pressRuns.length,
      sync_now_unfinished: pressesUnfinished,
      sync_now_p50_s: round(percentile(syncNowS, 50)),
      backfill_p50_min: round(percentile(backfillMin, 50), 2),
      active_staleness_p50_min: round(percentile(activeStale, 50) / 60_000),
      active_staleness_max_min: round(activeStale.reduce((m, v) => Math.max(m, v), 0) / 60_000),
      report_requests: reportRequests,
      runs_done: runsBy("done"),
      runs_paced: runsBy("waiting"),
      runs_lost_lease: runsBy("lost_lease"),
      runs_failed: runsBy("failed"),
      driver_lag_s: round(lag / 1_000),
    };
    const storage: Result = {
      spend_rows: Number(size.rows),
      spend_shop_months: round(shopMonths, 1),
      spend_bytes_total: Number(size.bytes),
      spend_bytes_per_shop_month: Math.round(Number(size.bytes) / shopMonths),
    };
    return { sim, setup, storage };
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill("SIGTERM");
    await prisma.$disconnect();
    await sandbox.close();
  }
}

/**
 * A worker process: the two spend jobs as runJobs registers them (app/features/jobs.server.ts), each
 * on its own tick in simulated time and never overlapping itself: spend-sync once a minute
 * (schedules and runs refreshes), spend-claim every 10 s (starts due Sync Now and backfill runs).
 */
async function worker() {
  const clock = simClock();
  const end = Number(process.env.SIM_END_MS);
  const owner = process.env.SIM_OWNER!;
  const { runDueSyncs, claimDueSyncs, spendJob, spendClaimJob } = await import("../app/features/spend/sync.server");
  const { reportBudget } = await import("../app/features/spend/quota.server");
  const { parseEnv } = await import("../app/core/env.server");
  const { default: prisma } = await import("../app/core/db.server");
  // The app's budget is the tier's (TIKTOK_QUOTA_TIER=basic), not the real-time limiter's override.
  const tier = parseEnv({ ...process.env, TIKTOK_RATE_QPS: undefined, TIKTOK_RATE_QPM: undefined });
  const budget = reportBudget({ qps: tier.TIKTOK_RATE_QPS, qpm: tier.TIKTOK_RATE_QPM });
  const stats: Record<string, number> = { ticks: 0, claim_ticks: 0, requests: 0 };
  const wait = Number(process.env.SIM_REAL_START_MS) - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const loop = async (everyMs: number, tickName: string, tick: () => Promise<{ runs: { status: string; requests: number }[] }>) => {
    let next = clock.now().getTime();
    while (clock.now().getTime() < end) {
      try {
        const { runs } = await tick();
        stats[tickName]++;
        for (const r of runs) {
          stats[r.status] = (stats[r.status] ?? 0) + 1;
          stats.requests += r.requests;
        }
      } catch (error) {
        stats.errors = (stats.errors ?? 0) + 1;
        console.error(`${owner}:`, error instanceof Error ? error.message : error);
      }
      const t = clock.now().getTime();
      while (next <= t) next += everyMs;
      if (next < end) await clock.sleep(next - t);
      else break;
    }
  };
  await Promise.all([
    loop(spendJob.everyMs, "ticks", () => runDueSyncs({ owner, clock, budget })),
    loop(spendClaimJob.everyMs, "claim_ticks", () => claimDueSyncs({ owner, clock, budget })),
  ]);
  await prisma.$disconnect();
  console.log(JSON.stringify(stats));
}

if (process.env.BENCH_SPEND_SCALE === "driver" && process.argv.includes("--driver")) {
  driver()
    .then((result) => {
      console.log(JSON.stringify(result));
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
if (process.env.BENCH_SPEND_SCALE === "worker" && process.argv.includes("--worker")) {
  worker().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
