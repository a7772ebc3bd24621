// Order-to-TikTok latency: the BUILT app with its in-process worker (scripts/serve.mjs,
// RUN_JOBS_IN_PROCESS=1) and the TikTok sandbox in this process. A steady open-loop stream of
// signed, attributed orders/create webhooks at a fixed rate for a fixed time; each order's
// latency runs from when this process sent its webhook (its arrival at the app, on one machine)
// to the received_at the sandbox recorded when it accepted the event (matched by event_id, which
// is the order id). Also the ack's p99 under that stream.
// Flags/knobs: --seconds=N / BENCH_LATENCY_SECONDS (60), --rates=50,200 / BENCH_LATENCY_RATES.
// With `instances: 2` (PostgreSQL only) two app processes share the database with no jobs of their
// own (RUN_JOBS_IN_PROCESS=0) and one `npm run worker` delivers, INSTANCE_COUNT=3 on each, and the
// stream alternates between the two as a load balancer would: the multi-instance deployment the
// README describes, on one machine.
import { encryptToken } from "../app/core/connection/token-crypto.server";
import { webhookHeaders } from "../app/features/demo/shopify-double.server";
import { startSandbox } from "../sandbox/server";
import { sandboxControl } from "../sandbox/control";
import { ADVERTISER_IDS } from "../sandbox/world";
import { appSecrets, attributedOrders, connectionRow, ensureBuild, freePort, percentile, prepareDatabase, round, startApp, startWorker } from "./app-server";

type Result = Record<string, number | string>;

const SHOP = "bench-latency.myshopify.com";
const TARGET_P99_MS = 2_000;

function flag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

export function latencyOptions() {
  const seconds = Number(flag("seconds") ?? process.env.BENCH_LATENCY_SECONDS ?? 60);
  const rates = (flag("rates") ?? process.env.BENCH_LATENCY_RATES ?? "50,200").split(",").map(Number);
  return { seconds, rates };
}

export async function benchLatency(opts: { databaseUrl: string; label: string; seconds: number; rate: number; instances?: number }): Promise<Result> {
  const instances = opts.instances ?? 1;
  if (instances > 1 && opts.databaseUrl.startsWith("file:")) throw new Error("several app instances need PostgreSQL");
  ensureBuild();
  const secrets = appSecrets();
  const sandbox = await startSandbox({ port: await freePort(), appId: "bench-tiktok-app", autoApprove: true });
  const control = sandboxControl(sandbox.url);
  const prisma = await prepareDatabase(opts.databaseUrl, [SHOP]);
  const apps: Awaited<ReturnType<typeof startApp>>[] = [];
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    const advertiserId = ADVERTISER_IDS.berlin;
    const world = await control.world();
    const pixelCode = world.advertisers.find((a) => a.advertiser_id === advertiserId)!.pixels[0].pixel_code;
    const token = await control.token([advertiserId]);
    const accessTokenEnc = encryptToken(token, [Buffer.from(secrets.TOKEN_ENCRYPTION_KEY, "base64")]);
    await prisma.tikTokConnection.create({ data: connectionRow(SHOP, { accessTokenEnc, advertiserId, pixelCode }) });
    const processes = instances > 1 ? { INSTANCE_COUNT: String(instances + 1) } : undefined;
    for (let i = 0; i < instances; i++) {
      apps.push(await startApp({ databaseUrl: opts.databaseUrl, secrets, jobsInProcess: instances === 1, tiktokUrl: sandbox.url, env: processes }));
    }
    if (instances > 1) worker = await startWorker({ databaseUrl: opts.databaseUrl, secrets, tiktokUrl: sandbox.url, env: processes });
    const urls = apps.map((app) => `${app.url}/webhooks/orders/create`);
    let turn = 0;

    const send = async (body: string) => {
      const headers = webhookHeaders({ topic: "orders/create", shop: SHOP, rawBody: body, secret: secrets.SHOPIFY_API_SECRET });
      const res = await fetch(urls[turn++ % urls.length], { method: "POST", headers, body });
      await res.arrayBuffer();
      return res.status;
    };
    // Warm the app (JIT, first pages, the worker's first TikTok call).
    for (const [, body] of attributedOrders(50)) await send(body);
    await new Promise((r) => setTimeout(r, 1_500));

    const total = Math.round(opts.seconds * opts.rate);
    const stream = attributedOrders(total);
    const sentAt = new Map<string, number>();
    const acks: number[] = [];
    let non200 = 0;
    // Refused fast by load shedding (app/core/load-shed.server.ts): Shopify delivers these again later.
    let shed503 = 0;
    const inFlight = new Set<Promise<void>>();
    const started = performance.now();
    let next = 0;
    // Open loop: orders go out on schedule whether or not earlier ones were answered.
    while (next < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * opts.rate) + 1);
      for (; next < due; next++) {
        const [orderId, body] = stream[next];
        sentAt.set(orderId, Date.now());
        const t0 = performance.now();
        const p = send(body)
          .then((status) => {
            acks.push(performance.now() - t0);
            if (status === 503) {
              shed503++;
              // Never accepted, so never at TikTok: order-to-TikTok latency is over the accepted ones.
              sentAt.delete(orderId);
            } else if (status !== 200) non200++;
          })
          .catch(() => void non200++)
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const sendSeconds = (performance.now() - started) / 1000;
    await Promise.all(inFlight);

    // Wait for the last events (at most 30 s after the stream ended).
    const deadline = Date.now() + 30_000;
    let latencies: number[] = [];
    for (;;) {
      const received = await control.events();
      latencies = [];
      for (const e of received) {
        const sent = sentAt.get(String(e.event.event_id));
        if (sent !== undefined) latencies.push(Date.parse(e.received_at) - sent);
      }
      if (latencies.length >= sentAt.size || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    latencies.sort((a, b) => a - b);
    acks.sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    return {
      database: opts.label,
      instances,
      worker: instances > 1 ? `one npm run worker beside the ${instances} instances (RUN_JOBS_IN_PROCESS=0)` : "in-process",
      rate_per_s: opts.rate,
      achieved_rate_per_s: round(total / sendSeconds),
      seconds: opts.seconds,
      orders: total,
      accepted_by_tiktok: latencies.length,
      non_200: `${non200} (besides the 503s)`,
      shed_503: shed503,
      latency_p50_ms: Math.round(percentile(latencies, 50)),
      latency_p95_ms: Math.round(percentile(latencies, 95)),
      latency_p99_ms: `${Math.round(p99)} (target <= ${TARGET_P99_MS} at 200/s on SQLite)`,
      ack_p50_ms: round(percentile(acks, 50)),
      ack_p99_ms: round(percentile(acks, 99)),
      event_track_requests: await control.requestCount("/event/track/"),
    };
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await worker?.stop();
    await sandbox.close();
    await prisma.$disconnect();
  }
}
