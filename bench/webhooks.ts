// orders/create acknowledgement benchmark: the BUILT app under scripts/serve.mjs, N signed orders/create
// webhooks (attributed, each a new order, so each one records an order and queues an event) at a
// fixed concurrency, against a bare route on the same server that only verifies the HMAC and
// answers 200 (app/bench-routes/webhook-baseline.tsx, only in the APP_BUILD=bench build). The two
// routes run in interleaved rounds so a busy machine slows both alike. Reports throughput, p50/p99
// latency and the ratio of the two throughputs. No TikTok call happens in either
// (RUN_JOBS_IN_PROCESS=0).
// Knobs: BENCH_WEBHOOKS (requests per route, 2,000), BENCH_CONCURRENCY (16), BENCH_BUILD=1 (rebuild),
// BENCH_WAL=1 (SQLite in WAL mode, as the demo runs it), BENCH_PROF=<dir> (afterwards, a V8 CPU
// profile of a server that serves only the baseline and of one that serves only orders/create,
// summarised per request by bench/profile.ts).
import { mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { webhookHeaders } from "../app/features/demo/shopify-double.server";
import { appSecrets, attributedOrders, connectionRow, ensureBuild, percentile, prepareDatabase, round, startApp, type AppSecrets } from "./app-server";
import { perRequest, summariseProfile } from "./profile";

const SHOP = "bench-webhooks.myshopify.com";
const REQUESTS = Number(process.env.BENCH_WEBHOOKS ?? 2_000);
const WARMUP = 200;
const ROUNDS = 4;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

type Result = Record<string, number | string>;

/** Posts `bodies` to `url` with `CONCURRENCY` in flight; returns per-request latencies and wall time. */
export async function run(url: string, bodies: string[], secret: string, shop = SHOP) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const headers = webhookHeaders({ topic: "orders/create", shop, rawBody: body, secret });
        const t0 = performance.now();
        const res = await fetch(url, { method: "POST", headers, body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) failures++;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies, failures };
}

const bodies = (n: number) => attributedOrders(n).map(([, body]) => body);

/** The connection row every ack benchmark starts from; its token is never used (no TikTok call). */
export const ACK_CONNECTION = { accessTokenEnc: "bench-not-a-token", advertiserId: "7100000000000000001", pixelCode: "C1SBX001KKKKKKKKKKKK" };

export async function benchWebhooks(opts: { databaseUrl: string; label: string }): Promise<Result> {
  ensureBuild();
  const prisma = await prepareDatabase(opts.databaseUrl, [SHOP]);
  await prisma.tikTokConnection.create({ data: connectionRow(SHOP, ACK_CONNECTION) });
  const secrets = appSecrets();
  const app = await startApp({ databaseUrl: opts.databaseUrl, secrets, jobsInProcess: false });
  try {
    const baselineUrl = `${app.url}/bench/webhook-baseline`;
    const ordersUrl = `${app.url}/webhooks/orders/create`;
    // Warm both paths (module load, JIT, the database's first pages).
    await run(baselineUrl, bodies(WARMUP), secrets.SHOPIFY_API_SECRET);
    await run(ordersUrl, bodies(WARMUP), secrets.SHOPIFY_API_SECRET);

    const base = { seconds: 0, latencies: [] as number[], failures: 0 };
    const ingest = { seconds: 0, latencies: [] as number[], failures: 0 };
    const perRound = Math.ceil(REQUESTS / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [target, url] of [[base, baselineUrl], [ingest, ordersUrl]] as const) {
        const out = await run(url, bodies(perRound), secrets.SHOPIFY_API_SECRET);
        target.seconds += out.seconds;
        target.latencies.push(...out.latencies);
        target.failures += out.failures;
      }
    }
    base.latencies.sort((a, b) => a - b);
    ingest.latencies.sort((a, b) => a - b);
    const n = perRound * ROUNDS;
    const recorded = await prisma.orderRecord.count({ where: { shop: SHOP } });
    const queued = await prisma.outboxEvent.count({ where: { shop: SHOP, status: "queued" } });
    const result: Result = {
      database: opts.label,
      requests_each: n,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      baseline_per_s: round(n / base.seconds),
      orders_create_per_s: round(n / ingest.seconds),
      ratio: `${round(base.seconds / ingest.seconds, 2)} (target >= 0.8)`,
      baseline_p50_ms: round(percentile(base.latencies, 50)),
      baseline_p99_ms: round(percentile(base.latencies, 99)),
      orders_create_p50_ms: round(percentile(ingest.latencies, 50)),
      orders_create_p99_ms: `${round(percentile(ingest.latencies, 99))} (target well under 250)`,
      non_200: base.failures + ingest.failures,
      orders_recorded: recorded,
      events_queued: queued,
    };
    if (process.env.BENCH_PROF) Object.assign(result, await profileRoutes(opts.databaseUrl, secrets, process.env.BENCH_PROF, opts.label));
    return result;
  } finally {
    await app.stop();
    await prisma.$disconnect();
  }
}

/**
 * CPU self time per request, by module, of a server that served only the baseline route and of
 * one that served only orders/create: the difference is what ingest costs on top of the HMAC.
 */
async function profileRoutes(databaseUrl: string, secrets: AppSecrets, dir: string, label: string): Promise<Result> {
  const out: Result = {};
  const summaries: Record<string, Map<string, number>> = {};
  for (const route of ["baseline", "orders"] as const) {
    const profileDir = path.join(dir, `${label}-${route}-${Date.now()}`);
    mkdirSync(profileDir, { recursive: true });
    const app = await startApp({ databaseUrl, secrets, jobsInProcess: false, profileDir });
    const url = route === "baseline" ? `${app.url}/bench/webhook-baseline` : `${app.url}/webhooks/orders/create`;
    await run(url, bodies(WARMUP), secrets.SHOPIFY_API_SECRET);
    await run(url, bodies(REQUESTS), secrets.SHOPIFY_API_SECRET);
    await app.stop();
    const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"))!;
    const s = summariseProfile(path.join(profileDir, file));
    const requests = REQUESTS + WARMUP;
    summaries[route] = new Map([...s.byModule].map(([k, v]) => [k, v / requests]));
    out[`profile_${route}_cpu_ms_per_request`] = round(s.totalMs / requests, 3);
    out[`profile_${route}_file`] = path.join(profileDir, file);
  }
  const modules = new Set([...summaries.baseline.keys(), ...summaries.orders.keys()]);
  const delta = [...modules]
    .map((m) => [m, (summaries.orders.get(m) ?? 0) - (summaries.baseline.get(m) ?? 0)] as [string, number])
    .sort((a, b) => b[1] - a[1]);
  out.profile_orders_top_modules_ms = perRequest(summaries.orders, 1, 12).map(([k, v]) => `${k} ${v.toFixed(2)}`).join("; ");
  out.profile_orders_minus_baseline_ms = delta.filter(([, v]) => Math.abs(v) >= 0.02).map(([k, v]) => `${k} ${v >= 0 ? "+" : ""}${v.toFixed(2)}`).join("; ");
  return out;
}
