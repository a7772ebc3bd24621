// The demo's month of history goes through the real path (docs/decisions/0012): the storefront's
// signed touchpoints and Shopify's signed webhooks reach the real routes over HTTP, the delivery
// job sends the events to the sandbox, and only then is time moved back. What the pages read must
// then agree with what the sandbox received and with itself.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import prisma from "~/core/db.server";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { action as ordersCreate } from "~/routes/webhooks.orders.create";
import { action as refundsCreate } from "~/routes/webhooks.refunds.create";
import { backgroundJobs, runJobs } from "~/features/jobs.server";
import { playDemoShopHistory } from "~/features/demo/seed.server";
import { runDueSyncs } from "~/features/spend/sync.server";
import { dayIn } from "~/features/spend/dates";
import { loader as dashboardLoader } from "~/routes/app.dashboard";
import { VIEW_THROUGH_SHARE } from "../../sandbox/purchases";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
const ROUTES: Record<string, Parameters<typeof call>[0]> = {
  "/proxy/touchpoints": touchpointAction,
  "/webhooks/orders/create": ordersCreate,
  "/webhooks/refunds/create": refundsCreate,
};

/** The app's routes behind a real HTTP listener, as the demo's serve.mjs puts them. */
const app = createServer(async (req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const route = ROUTES[url.pathname];
  if (!route) return void res.writeHead(404).end();
  const headers = new Headers(Object.entries(req.headers).map(([k, v]) => [k, String(v)] as [string, string]));
  try {
    const answer = await call(route, new Request(`${process.env.SHOPIFY_APP_URL}${url.pathname}${url.search}`, { method: req.method, headers, body: Buffer.concat(chunks) }));
    res.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
  } catch (error) {
    // What a server does with an error it did not expect: a 500, which the demo reports with the route.
    res.writeHead(500).end(error instanceof Error ? error.message : String(error));
  }
});
await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => app.close(resolve));
});

it("plays the month through the routes and the sandbox; every figure then agrees with what TikTok received", { timeout: 120_000 }, async () => {
  vi.spyOn(console, "info").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await seedOfflineSession(TEST_SHOP);
  await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - 31 * 86_400_000) });
  const deliver = backgroundJobs().find((j) => j.name === "deliver-events")!;
  const stop = runJobs([deliver]);
  const started = Date.now();
  let played: number;
  try {
    played = await playDemoShopHistory({ shop: TEST_SHOP, sandboxUrl: sandbox.url, appUrl, secret: process.env.SHOPIFY_API_SECRET! });
  } finally {
    await stop({ graceMs: 5_000 });
  }
  expect(played).toBeGreaterThan(300);

  const orders = await prisma.orderRecord.findMany({ where: { shop: TEST_SHOP }, include: { event: true } });
  expect(orders).toHaveLength(played);
  // Spread over the month before now, none in the future.
  const ages = orders.map((o) => (started - o.orderCreatedAt.getTime()) / 86_400_000);
  expect(Math.min(...ages)).toBeGreaterThan(0);
  expect(Math.max(...ages)).toBeLessThanOrEqual(30);
  // Every event the app marked sent is one the sandbox received, under the order id; and nothing else.
  const received = new Set((await control.events()).map((e) => String(e.event.event_id)));
  const sent = orders.filter((o) => o.event?.status === "sent");
  expect(sent.length).toBeGreaterThan(250);
  expect([...received].sort()).toEqual(sent.map((o) => o.orderId).sort());
  for (const o of sent) {
    const e = o.event!;
    // Sent within a minute of the order, after it; the request id is the sandbox's own.
    expect(e.sentAt!.getTime() - o.orderCreatedAt.getTime()).toBeGreaterThanOrEqual(0);
    expect(e.sentAt!.getTime() - o.orderCreatedAt.getTime()).toBeLessThan(60_000);
    expect(e.eventTime.getTime()).toBe(o.orderCreatedAt.getTime());
    expect(e.tiktokRequestId).toMatch(/^\d{14}[0-9A-F]{20}$/);
    const payload = JSON.parse(e.payload) as { event_time?: number };
    if (e.payloadReducedAt === null) expect(payload.event_time).toBe(Math.floor(o.orderCreatedAt.getTime() / 1000));
  }
  // One refused by TikTok with the sandbox's answer, one through on its second try.
  const failed = orders.filter((o) => o.event?.status === "failed");
  expect(failed.map((o) => [o.sendDecision, o.event!.lastError])).toEqual([["failed", expect.stringContaining("code 40002")]]);
  expect(sent.filter((o) => o.event!.attempts === 1)).toHaveLength(1);
  // Refunds through the webhook, each a few days after its order at most, never before it.
  const refunds = await prisma.refund.findMany({ where: { shop: TEST_SHOP } });
  expect(refunds.length).toBeGreaterThan(0);
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  for (const r of refunds) {
    expect(r.receivedAt.getTime()).toBeGreaterThan(byId.get(r.orderId)!.orderCreatedAt.getTime());
    expect(r.receivedAt.getTime()).toBeLessThanOrEqual(started + 120_000);
  }
  // TikTok's report, imported after the month was played, counts the purchases the sandbox accepted
  // from clicks of the ad groups orders carried, plus its stated view-through share, on the days the
  // orders stand for (so the dashboard's reconciliation reads true).
  await runDueSyncs({ now: new Date() });
  const dashboard = await (await call(dashboardLoader, adminRequest("/app/dashboard", { shop: TEST_SHOP }))).json();
  // The clicks are dated an hour before their orders, on the ad account's days; the dashboard shows the 30 days the backfill imported.
  const clickDay = (o: { orderCreatedAt: Date }) => dayIn(dashboard.accountTimezone, new Date(o.orderCreatedAt.getTime() - 3_600_000));
  const inRange = (d: string) => d >= dashboard.range.start && d <= dashboard.range.end;
  const withAdgroup = sent.filter((o) => o.adgroupId && !o.isTest && inRange(clickDay(o))).length;
  expect(dashboard.totals.tiktokPurchases - dashboard.totals.tiktokViewPurchases).toBe(withAdgroup);
  expect(dashboard.totals.tiktokViewPurchases).toBeGreaterThan(0);
  expect(dashboard.totals.tiktokViewPurchases).toBeLessThanOrEqual(Math.ceil(withAdgroup * VIEW_THROUGH_SHARE) + 30);
  expect(dashboard.daily.filter((d: { tiktokPurchases: number | null }) => (d.tiktokPurchases ?? 0) > 0).length).toBeGreaterThan(20);
  // Payloads older than 8 days were cut, as the hourly purge would have done.
  const old = sent.filter((o) => started - o.orderCreatedAt.getTime() > 9 * 86_400_000);
  expect(old.length).toBeGreaterThan(0);
  expect(old.every((o) => o.event!.payloadReducedAt !== null)).toBe(true);
});
