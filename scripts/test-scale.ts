// `npm run test:scale`: two app instances and two workers on one PostgreSQL database.
// Delivers 10,000 signed orders/create webhooks spread over both instances (5% delivered twice,
// 1% delivered to both instances at once), waits until the outbox is drained and asserts:
// exactly one event per order reached the sandbox (by event_id), none lost, every outbox row
// sent; the hourly spend sync ran once per shop per hour slot, shared by both workers; and the
// processes together stayed within TikTok's app-wide quota (the sandbox enforces it).
// Exits non-zero on failure; the last line is "N passed, M failed". docs/decisions/0010.
//
//   npm run test:scale                                   # PostgreSQL on 127.0.0.1:5432 (role app/app)
//   npm run test:scale -- --orders 2000 --concurrency 16 --no-build --keep
//   DATABASE_URL=postgresql://user:pw@host:5432/postgres npm run test:scale
//
// Needs the Prisma client generated for PostgreSQL (see the ADR; never in a checkout where
// someone else is running the SQLite tests).
import { parseArgs } from "node:util";
import { startSandbox } from "../sandbox/server";
import { demoOrderPayload } from "../app/features/demo/simulate.server";
import { webhookHeaders } from "../app/features/demo/shopify-double.server";
import {
  Ledger,
  REPORT_PATH,
  TRACK_PATH,
  appEnv,
  applyEnv,
  build,
  freePort,
  freshDatabase,
  log,
  newWebhookId,
  now,
  percentile,
  pgBase,
  pool,
  randomSecrets,
  requireGeneratedProvider,
  sandboxEvents,
  sandboxRequestCounts,
  seconds,
  shuffle,
  sleep,
  startApp,
  startWorker,
  stopAllChildren,
  tearDownRun,
  UA,
  type Child,
} from "../tests/scale/harness";
import { seedConnectedShops } from "../tests/scale/seed";

const { values: args } = parseArgs({
  options: {
    orders: { type: "string", default: "10000" },
    shops: { type: "string", default: "50" },
    concurrency: { type: "string", default: "32" },
    "twice-share": { type: "string", default: "0.05" },
    "both-share": { type: "string", default: "0.01" },
    "drain-timeout": { type: "string", default: "360" },
    // Start the workers only once every webhook is in: ingest alone, then the drain of the whole backlog.
    "workers-after": { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const ORDERS = Number(args.orders);
const SHOPS = Number(args.shops);
const CONCURRENCY = Number(args.concurrency);
const ORDER_ID_BASE = 6_100_000_000_000;

const ledger = new Ledger().guardEarlyExit();
const t0 = now();

type Delivery = { orderIndex: number; instances: number[]; webhookId: string; kind: "once" | "twice-first" | "twice-second" | "both" };

async function main() {
  const base = pgBase(process.env.DATABASE_URL);
  requireGeneratedProvider("postgres");
  if (!args["no-build"]) {
    log("building the app (npx remix build)…");
    build();
  }

  const secrets = randomSecrets();
  // TikTok's Basic tier, enforced app-wide on every endpoint but /event/track/ (its own bucket):
  // beyond it the sandbox answers 40100 and counts the refusal.
  const APP_QUOTA = { qps: 10, qpm: 600 };
  const sandbox = await startSandbox({ port: 0, appId: secrets.TIKTOK_APP_ID, appSecret: secrets.TIKTOK_APP_SECRET, rateLimit: APP_QUOTA });
  const db = await freshDatabase("scale", base);
  log(`database ${db.name} migrated; sandbox ${sandbox.url}`);
  const env = appEnv({
    secrets,
    databaseUrl: db.url,
    sandboxUrl: sandbox.url,
    // The limiter is per process: four processes (two app instances, two workers) split the app's
    // quota between them (docs/decisions/0016).
    extra: { TIKTOK_RATE_QPS: String(APP_QUOTA.qps), TIKTOK_RATE_QPM: String(APP_QUOTA.qpm), INSTANCE_COUNT: "4" },
  });
  applyEnv(env);
  const { default: prisma } = await import("~/core/db.server");

  let workers: Child[] = [];
  try {
    const shops = Array.from({ length: SHOPS }, (_, i) => `scale-${String(i).padStart(3, "0")}.myshopify.com`);
    const tSeed = now();
    await seedConnectedShops({ sandboxUrl: sandbox.url, shops });
    log(`seeded ${SHOPS} connected shops in ${seconds(now() - tSeed)}`);

    const [portA, portB] = [await freePort(), await freePort()];
    const tApps = now();
    const apps = await Promise.all([startApp("app-a", portA, env), startApp("app-b", portB, env)]);
    log(`two app instances up in ${seconds(now() - tApps)}: ${apps.map((a) => a.url).join(", ")}`);
    // Both workers start together, so their schedulers race for the same hour slot.
    let workersStartedAt = Date.now();
    const startWorkers = () => {
      workersStartedAt = Date.now();
      workers = [startWorker("worker-1", env), startWorker("worker-2", env)];
    };
    if (!args["workers-after"]) startWorkers();

    // ---- the delivery plan -------------------------------------------------------------------
    const orderIds = Array.from({ length: ORDERS }, (_, i) => String(ORDER_ID_BASE + i));
    const shopOf = (i: number) => shops[i % SHOPS];
    const bodies = orderIds.map((id, i) =>
      JSON.stringify(demoOrderPayload({ orderId: Number(id), visitorId: `tta1.scale${i}`, ttclid: `E.C.P.scale${i}`, capturedAt: Date.now() - 60_000 })),
    );
    const picks = shuffle(orderIds.map((_, i) => i));
    const twice = new Set(picks.slice(0, Math.round(ORDERS * Number(args["twice-share"]))));
    const both = new Set(picks.slice(twice.size, twice.size + Math.round(ORDERS * Number(args["both-share"]))));
    const plan: Delivery[] = [];
    const seconds_: Delivery[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const webhookId = newWebhookId();
      const first = Math.random() < 0.5 ? 0 : 1;
      if (both.has(i)) plan.push({ orderIndex: i, instances: [0, 1], webhookId, kind: "both" });
      else if (twice.has(i)) {
        plan.push({ orderIndex: i, instances: [first], webhookId, kind: "twice-first" });
        // Shopify's retry keeps the webhook id; it may reach either instance.
        seconds_.push({ orderIndex: i, instances: [Math.random() < 0.5 ? 0 : 1], webhookId, kind: "twice-second" });
      } else plan.push({ orderIndex: i, instances: [first], webhookId, kind: "once" });
    }
    // Each second delivery goes somewhere after its first one in the stream (sometimes right after, so they overlap).
    for (const d of seconds_) {
      const firstAt = plan.findIndex((p) => p.orderIndex === d.orderIndex);
      const at = firstAt + 1 + Math.floor(Math.random() * (plan.length - firstAt));
      plan.splice(at, 0, d);
    }
    const deliveries = plan.reduce((n, d) => n + d.instances.length, 0);
    log(`plan: ${ORDERS} orders, ${deliveries} deliveries (${twice.size} twice, ${both.size} to both instances at once), concurrency ${CONCURRENCY}`);

    // ---- deliver -----------------------------------------------------------------------------
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const perInstance = [0, 0];
    const send = async (instance: number, d: Delivery) => {
      const rawBody = bodies[d.orderIndex];
      const headers = webhookHeaders({ topic: "orders/create", shop: shopOf(d.orderIndex), rawBody, secret: secrets.SHOPIFY_API_SECRET, webhookId: d.webhookId });
      const started = now();
      let status = 0;
      try {
        const res = await fetch(`${apps[instance].url}/webhooks/orders/create`, { method: "POST", headers, body: rawBody });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = -1;
      }
      latencies.push(now() - started);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      perInstance[instance]++;
    };
    const tDeliver = now();
    await pool(
      plan.map((d) => () => Promise.all(d.instances.map((i) => send(i, d))).then(() => undefined)),
      CONCURRENCY,
    );
    const deliverMs = now() - tDeliver;
    latencies.sort((a, b) => a - b);
    log(
      `delivered ${deliveries} webhooks in ${seconds(deliverMs)}: ${(deliveries / (deliverMs / 1000)).toFixed(0)}/s, ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(0)} ms; ` +
        `instance A ${perInstance[0]}, B ${perInstance[1]}; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    ledger.check("every delivery answered 200", statuses.get(200) === deliveries, JSON.stringify(Object.fromEntries(statuses)));
    const tDrain = now();
    if (args["workers-after"]) startWorkers();

    // ---- drain -------------------------------------------------------------------------------
    const drainDeadline = Date.now() + Number(args["drain-timeout"]) * 1000;
    let pending = -1;
    let syncsOpen = -1;
    while (Date.now() < drainDeadline) {
      const [total, notSent, syncTotal, syncNotDone] = await Promise.all([
        prisma.outboxEvent.count(),
        prisma.outboxEvent.count({ where: { status: { not: "sent" } } }),
        prisma.syncRun.count(),
        prisma.syncRun.count({ where: { status: { not: "done" } } }),
      ]);
      pending = notSent + (ORDERS - total);
      syncsOpen = syncNotDone + Math.max(0, SHOPS - syncTotal);
      if (pending === 0 && syncsOpen === 0) break;
      if (workers.some((w) => !w.alive())) break;
      await sleep(250);
    }
    const drainedMs = now() - tDeliver;
    const drainOnlyMs = now() - tDrain;
    log(
      `drained ${ORDERS} events ${seconds(drainOnlyMs)} after the last webhook (${seconds(drainedMs)} after the first)` +
        `${args["workers-after"] ? `: a backlog drain of ${(ORDERS / (drainOnlyMs / 1000)).toFixed(0)} events/s, worker start-up included` : ""}; pending ${pending}, spend runs open ${syncsOpen}`,
    );
    ledger.check("both workers stayed up", workers.every((w) => w.alive()), workers.map((w) => `${w.name} ${w.alive() ? "up" : "exited"}`).join(", "));
    ledger.check("outbox drained before the timeout", pending === 0, `${pending} not sent`);

    // ---- events ------------------------------------------------------------------------------
    const [records, outbox, events, counts] = await Promise.all([
      prisma.orderRecord.count(),
      prisma.outboxEvent.groupBy({ by: ["status"], _count: { _all: true } }),
      sandboxEvents(sandbox.url),
      sandboxRequestCounts(sandbox.url),
    ]);
    const byStatus = Object.fromEntries(outbox.map((o) => [o.status, o._count._all]));
    ledger.check("one OrderRecord per order", records === ORDERS, `${records} records for ${ORDERS} orders`);
    ledger.check("every OutboxEvent row is sent", byStatus.sent === ORDERS && Object.keys(byStatus).length === 1, JSON.stringify(byStatus));
    const seen = new Map<string, number>();
    for (const e of events) seen.set(e.event.event_id, (seen.get(e.event.event_id) ?? 0) + 1);
    const expected = new Set(orderIds);
    const lost = orderIds.filter((id) => !seen.has(id));
    const dupes = [...seen.entries()].filter(([, n]) => n > 1);
    const strangers = [...seen.keys()].filter((id) => !expected.has(id));
    ledger.check("no order lost at TikTok", lost.length === 0, `${lost.length} missing${lost.length ? `, e.g. ${lost.slice(0, 3).join(" ")}` : ""}`);
    ledger.check("exactly one event per order at TikTok", dupes.length === 0 && events.length === ORDERS, `${events.length} events, ${seen.size} distinct event_ids, ${dupes.length} duplicated`);
    ledger.check("no event TikTok received belongs to no order", strangers.length === 0, `${strangers.length} unknown event_ids`);
    const trackRequests = counts[TRACK_PATH] ?? 0;
    log(`TikTok /event/track/: ${trackRequests} requests for ${events.length} events (${(events.length / Math.max(1, trackRequests)).toFixed(1)} per request)`);

    // ---- spend -------------------------------------------------------------------------------
    const runs = await prisma.syncRun.findMany({ select: { id: true, shop: true, kind: true, slot: true, status: true, requestsMade: true, finishedAt: true } });
    const perSlot = new Map<string, Map<string, number>>();
    for (const r of runs) {
      const key = r.slot ?? "(none)";
      const m = perSlot.get(key) ?? new Map<string, number>();
      m.set(r.shop, (m.get(r.shop) ?? 0) + 1);
      perSlot.set(key, m);
    }
    const slots = [...perSlot.keys()].sort();
    const firstSlot = slots[0];
    // A shop without recent spend gets the daily refresh; both are scheduled refreshes with an hour slot (ADR 0008).
    ledger.check("every run is an hourly run with an hour slot", runs.every((r) => (r.kind === "hourly" || r.kind === "daily") && /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(r.slot ?? "")), `slots ${slots.join(", ")}`);
    ledger.check(
      "first hour slot: one run for each of the shops",
      !!firstSlot && perSlot.get(firstSlot)!.size === SHOPS && [...perSlot.get(firstSlot)!.values()].every((n) => n === 1),
      `${perSlot.get(firstSlot ?? "")?.size ?? 0} shops in ${firstSlot}`,
    );
    ledger.check("no shop has two runs in any hour slot", slots.every((s) => [...perSlot.get(s)!.values()].every((n) => n === 1)), `${runs.length} runs in ${slots.length} slot(s)`);
    ledger.check("every spend run finished", runs.every((r) => r.status === "done"), JSON.stringify(runs.filter((r) => r.status !== "done").map((r) => [r.shop, r.status])));
    const reportRequests = counts[REPORT_PATH] ?? 0;
    const requestsMade = runs.reduce((n, r) => n + r.requestsMade, 0);
    ledger.check("no run executed twice (TikTok report requests = sum of the runs' requests)", reportRequests === requestsMade, `${reportRequests} at TikTok, ${requestsMade} recorded`);

    // Who did what, from the workers' log lines.
    const spendLines = workers.map((w) => w.lines.filter((l) => l.includes(" spend-sync: ")));
    // A run is executed by the minute's tick or by the 10 s claim job, whichever takes it first.
    const executed = workers.map((w) =>
      w.lines
        .filter((l) => l.includes(" spend-sync: ") || l.includes(" spend-claim: "))
        .flatMap((l) => [...(l.match(/\[(.*)\]/)?.[1].split(",") ?? [])])
        .map((x) => x.split(":")[0]),
    );
    const scheduled = workers.map((_, i) => spendLines[i].reduce((n, l) => n + Number(/scheduled=(\d+)/.exec(l)?.[1] ?? 0), 0));
    const allExecuted = executed.flat();
    ledger.check("both workers ran the spend scheduler", spendLines.every((lines) => lines.length > 0), spendLines.map((l, i) => `${workers[i].name}: ${l.length} tick(s)`).join(", "));
    ledger.check(
      "the two schedulers created each run once between them",
      scheduled[0] + scheduled[1] === runs.length,
      `worker-1 scheduled ${scheduled[0]}, worker-2 ${scheduled[1]}, ${runs.length} runs exist`,
    );
    ledger.check(
      "each run was executed by exactly one worker",
      allExecuted.length === runs.length && new Set(allExecuted).size === runs.length,
      `worker-1 executed ${executed[0].length}, worker-2 ${executed[1].length}`,
    );
    const requestLog = (await (await fetch(`${sandbox.url}/__sandbox/requests`)).json()) as {
      rate_limited: number;
      requests: { path: string; code: number | null; fault: string | null }[];
    };
    const refused = requestLog.rate_limited;
    // Which endpoints were refused (from the sandbox's log, which keeps only its latest requests).
    const refusedByPath = new Map<string, number>();
    for (const r of requestLog.requests) if (r.code === 40100 && r.fault === null) refusedByPath.set(r.path, (refusedByPath.get(r.path) ?? 0) + 1);
    ledger.check(
      `no request refused for TikTok's app-wide quota (${APP_QUOTA.qps} QPS / ${APP_QUOTA.qpm} QPM, shared by 4 processes)`,
      refused === 0,
      `${refused} request(s) answered 40100${refusedByPath.size ? `; logged: ${JSON.stringify(Object.fromEntries(refusedByPath))}` : ""}`,
    );
    const delivered = workers.map((w) => w.lines.reduce((n, l) => n + Number(/deliver-events: sent=(\d+)/.exec(l)?.[1] ?? 0), 0));
    log(`events sent per worker: worker-1 ${delivered[0]}, worker-2 ${delivered[1]}; spend runs per worker: ${executed[0].length} / ${executed[1].length}`);
    const lastRun = Math.max(...runs.map((r) => r.finishedAt?.getTime() ?? 0));
    log(`spend: ${runs.length} runs, ${reportRequests} report requests, all done ${seconds(lastRun - workersStartedAt)} after the workers started`);

    for (const w of workers) {
      const errors = w.lines.filter((l) => /failed:|Error|error/.test(l) && !l.includes(" spend-sync: ") && !l.includes(" spend-claim: ") && !l.includes(" deliver-events: "));
      if (errors.length) log(`${w.name} printed ${errors.length} error line(s), first: ${errors[0]}`);
    }

    // ---- `npm start` on SIGTERM, as a deploy sends it ----------------------------------------
    // app-a stops: it exits 0 within its grace period (the env schema's default), and app-b keeps serving.
    const graceMs = 8_000;
    const signalledAt = Date.now();
    apps[0].child.signal("SIGTERM");
    const exitCode = await apps[0].child.exited;
    const tookMs = Date.now() - signalledAt;
    ledger.check(`npm start: SIGTERM exits 0 within SHUTDOWN_GRACE_MS (${graceMs} ms)`, exitCode === 0 && tookMs <= graceMs + 1_000, `exit ${exitCode} after ${tookMs} ms`);
    const stillServing = await fetch(`${apps[1].url}/healthcheck`, { headers: { "User-Agent": UA } }).then((r) => r.ok, () => false);
    ledger.check("npm start: the other instance still serves after one stops", stillServing, stillServing ? "200" : "not answering");
  } finally {
    await tearDownRun({ prisma, sandbox, db, keep: !!args.keep });
  }
}

main()
  .catch((error) => {
    ledger.check("the run completed", false, error instanceof Error ? error.message : String(error));
  })
  .finally(async () => {
    await stopAllChildren();
    log(`total ${seconds(now() - t0)}`);
    process.exit(ledger.finish());
  });
