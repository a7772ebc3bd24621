// Another process (`npm run worker`, `npm run sync`, a migration) holds SQLite's write lock on
// the app's file. The app must not freeze: a webhook that cannot write answers 503 at once so
// Shopify delivers it again, /healthcheck answers, and timers keep firing meanwhile. Once the
// lock is released, Shopify's retry is recorded. SQLite only: PostgreSQL locks rows, not the file.
import { spawn, type ChildProcess } from "node:child_process";
import { TEST_SHOP } from "../support/constants";
import { call, webhookRequest } from "../support/requests";
import { connectShop, demoOrder, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
const { default: prisma, isPostgres } = await import("~/core/db.server");
const { action: ordersCreate } = await import("~/routes/webhooks.orders.create");
const { loader: healthcheck } = await import("~/routes/healthcheck");

let holder: ChildProcess | null = null;
afterAll(async () => {
  if (holder && holder.exitCode === null) holder.kill("SIGKILL");
  await sandbox.close();
});

/** A separate process that takes the write lock (BEGIN IMMEDIATE) and keeps it for `ms`. */
function holdWriteLock(ms: number): Promise<{ child: ChildProcess; released: Promise<void> }> {
  const file = process.env.DATABASE_URL!.replace(/^file:/, "");
  const script = `
    const db = require("better-sqlite3")(${JSON.stringify(file)});
    db.exec("BEGIN IMMEDIATE");
    process.stdout.write("locked\\n");
    setTimeout(() => { db.exec("COMMIT"); db.close(); process.stdout.write("released\\n"); }, ${ms});
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  holder = child;
  return new Promise((resolve, reject) => {
    let out = "";
    let onReleased: () => void;
    const released = new Promise<void>((r) => (onReleased = r));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("released")) onReleased();
      else if (out.includes("locked")) resolve({ child, released });
    });
    child.on("exit", (code) => (code ? reject(new Error(`lock holder exited with ${code}`)) : onReleased()));
  });
}

it.skipIf(isPostgres())("another process holds the write lock: the webhook gets 503 without freezing the process, /healthcheck answers, Shopify's retry is recorded after", { timeout: 30_000 }, async () => {
  await connectShop(TEST_SHOP, control);
  const orderId = 5_700_000_000_001;
  const rawBody = await demoOrder({ orderId, ttclid: `E.C.P.lock${orderId}`, createdAt: new Date(Date.now() - 60_000) });
  const delivery = () => webhookRequest({ topic: "orders/create", shop: TEST_SHOP, payload: null, rawBody, webhookId: "wh-lock-1" });

  // GIVEN another process holds the write lock for several seconds
  const { released } = await holdWriteLock(4_000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  try {
    // WHEN Shopify delivers an order
    const first = await call(ordersCreate, delivery());
    const ticksDuringWebhook = ticks;
    const health = await call(healthcheck, new Request("https://app.example.com/healthcheck"));
    // THEN the webhook is refused with 503 (Shopify retries), not held until the lock goes
    expect(first.status).toBe(503);
    // and the event loop kept running while it waited: timers fired
    expect(ticksDuringWebhook).toBeGreaterThan(0);
    // and /healthcheck answers: reading needs no write lock
    expect(health.status).toBe(200);
    // and nothing was written
    expect(await prisma.orderRecord.count()).toBe(0);
    // and the lock was still held all along (the test really exercised the lock)
    expect(holder!.exitCode).toBeNull();
  } finally {
    clearInterval(timer);
  }

  // WHEN the lock is released and Shopify delivers again
  await released;
  const retry = await call(ordersCreate, delivery());
  // THEN the order is recorded and queued for TikTok
  expect(retry.status).toBe(200);
  const record = await prisma.orderRecord.findUnique({ where: { shop_orderId: { shop: TEST_SHOP, orderId: String(orderId) } }, include: { event: true } });
  expect(record).toMatchObject({ sendDecision: "queued", event: { status: "queued" } });
});
