// Delivery drain benchmark: a 100,000-event backlog (rows inserted directly, each a real built
// event with its own order id) drained by the real worker against the in-process TikTok sandbox,
// on a fresh SQLite database; once for one shop (one pixel), once shared by 100 shops (each its
// own connection and token, the backlog split evenly). Reports events per second and the requests made
// (target: one per 1,000 events of a pixel). The sandbox validates every event in the same
// process, so its cost is inside the figure.
//
// The app's env() is read once per process, so the measurement runs in a child process.
import { execFileSync, execSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const EVENTS = Number(process.env.BENCH_DRAIN_EVENTS ?? 100_000);
const SHOPS = Number(process.env.BENCH_DRAIN_SHOPS ?? 1);
const shopName = (i: number) => (SHOPS === 1 ? "bench-drain.myshopify.com" : `bench-drain-${i}.myshopify.com`);
const DB_FILE = "tests/.tmp/bench-drain.sqlite";

type Result = Record<string, number | string>;

export async function benchDrain(shops = 1): Promise<Result> {
  const self = fileURLToPath(import.meta.url);
  const out = execFileSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", self], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_DRAIN_CHILD: "1", BENCH_DRAIN_SHOPS: String(shops) },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Result;
}

async function child(): Promise<Result> {
  mkdirSync("tests/.tmp", { recursive: true });
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${DB_FILE}${suffix}`, { force: true });
  const databaseUrl = `file:./${DB_FILE}`;
  execSync("npx prisma migrate deploy", { env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: "pipe" });
  const { testSecrets } = await import("../tests/support/constants");
  Object.assign(process.env, testSecrets(), { NODE_ENV: "test", DATABASE_URL: databaseUrl, SHOPIFY_APP_URL: "https://bench.example.com", RUN_JOBS_IN_PROCESS: "0" });

  const { startOrdersSandbox, connectShop, seedQueuedEvents, EVENT_TRACK } = await import("../tests/support/orders");
  const { sandbox, control } = await startOrdersSandbox({ timeoutMs: 30_000 });
  try {
    const seedStart = performance.now();
    const perShop = Math.ceil(EVENTS / SHOPS);
    for (let i = 0; i < SHOPS; i++) {
      const { pixelCode } = await connectShop(shopName(i), control);
      await seedQueuedEvents({ shop: shopName(i), pixelCode, count: perShop, firstOrderId: 6_000_000_000_000 + i * perShop });
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const { drainAll } = await import("../app/features/events/worker.server");
    const started = performance.now();
    const out = await drainAll({ maxPasses: 10_000 });
    const seconds = (performance.now() - started) / 1000;

    const { default: prisma } = await import("../app/core/db.server");
    const requests = await control.requestCount(EVENT_TRACK);
    const received = await control.events();
    const unique = new Set(received.map((e) => e.event.event_id)).size;
    return {
      shops: SHOPS,
      events: perShop * SHOPS,
      seed_seconds: Number(seedSeconds.toFixed(1)),
      drain_seconds: Number(seconds.toFixed(1)),
      events_per_s: Math.round((perShop * SHOPS) / seconds),
      requests,
      requests_minimum: SHOPS * Math.ceil(perShop / 1_000),
      sent: out.sent,
      received_unique: unique,
      left_queued: await prisma.outboxEvent.count({ where: { status: { not: "sent" } } }),
    };
  } finally {
    await sandbox.close();
  }
}

if (process.env.BENCH_DRAIN_CHILD === "1") {
  child()
    .then((result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
