// The delivery horizon that never double counts (docs/decisions/0023), end to end: the storefront
// embed's heartbeat (signed app proxy) says the store loads the selected TikTok pixel, Shopify's
// signed orders/create brings the order, the sandbox plays TikTok and counts purchases by TikTok's
// deduplication rules, with the browser copy the storefront's pixel would have sent.
import prisma from "~/core/db.server";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { action as eventsAction, loader as eventsLoader } from "~/routes/app.events";
import { loader as homeLoader } from "~/routes/app._index";
import { drainAll } from "~/features/events/worker.server";
import { EVENT_RETRY } from "~/core/retry-policy";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, appProxyRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, saveSettings, startOrdersSandbox, timePasses } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

const HOUR = 3_600_000;
let orderSeq = 6_100_000_000_000;
let pixelCode: string;

beforeEach(async () => {
  vi.spyOn(console, "info").mockImplementation(() => {});
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await seedOfflineSession(TEST_SHOP);
  await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { storefrontPixels: null } });
  ({ pixelCode } = await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - 6 * 24 * HOUR) }));
});
afterEach(() => vi.restoreAllMocks());

/** The storefront embed's daily heartbeat: it ran, and the page loaded these TikTok pixels. */
async function heartbeat(pixels: string[]) {
  expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels }) }))).status).toBe(202);
}

/** A TikTok order placed `ageMs` ago, whose browser copy the storefront's pixel sent at the time. */
async function lateOrder(ageMs: number, opts: { browserCopy: boolean }) {
  const orderId = ++orderSeq;
  const createdAt = new Date(Date.now() - ageMs);
  if (opts.browserCopy) await control.browserEvent({ pixel_code: pixelCode, event: "CompletePayment", event_id: String(orderId), at: createdAt.toISOString() });
  expect((await deliverOrder(TEST_SHOP, await demoOrder({ orderId, ttclid: `E.C.P.late${orderId}`, capturedAt: createdAt.getTime() - 60_000, createdAt }))).status).toBe(200);
  return String(orderId);
}

const eventOf = async (orderId: string) => (await prisma.orderRecord.findUnique({ where: { shop_orderId: { shop: TEST_SHOP, orderId } }, include: { event: true } }))!;

it("where the storefront loads the pixel, an order older than the window is not sent, says why, and TikTok counts it once", async () => {
  await heartbeat([pixelCode]);
  const orderId = await lateOrder((EVENT_RETRY.dedupWindowHours + 1) * HOUR, { browserCopy: true });
  await drainAll();
  const { event, sendDecision } = await eventOf(orderId);
  expect(sendDecision).toBe("expired");
  expect(event).toMatchObject({ status: "expired", lastErrorClass: "dedup_window", sentAt: null });
  expect(event!.lastError).toMatch(/^Not sent: the order passed this app's 47-hour limit, set an hour inside TikTok's 48-hour deduplication window/);
  expect(await control.events()).toEqual([]);
  expect((await control.counted()).counted).toBe(1);
});

it("a TikTok outage that outlasts the window: retried until then, then not sent; nothing reaches TikTok after it", async () => {
  await heartbeat([pixelCode]);
  // Placed 3 s before the window closes, while TikTok answers 503.
  const orderId = await lateOrder(EVENT_RETRY.dedupWindowHours * HOUR - 3_000, { browserCopy: true });
  await control.fault({ path: "/event/track/", kind: "http_5xx", duration_s: 60 });
  expect(await drainAll()).toMatchObject({ retried: 1, sent: 0 });
  expect((await eventOf(orderId)).event).toMatchObject({ status: "queued", lastErrorClass: "retryable" });
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  await control.clearFaults();
  await timePasses();
  expect(await drainAll()).toMatchObject({ expired: 1, sent: 0 });
  expect((await eventOf(orderId)).event).toMatchObject({ status: "expired", lastErrorClass: "dedup_window" });
  expect(await control.events()).toEqual([]);
  expect((await control.counted()).counted).toBe(1);
  // Home says why.
  const home = await (await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).json();
  expect(home.summary.advice).toContainEqual(expect.stringMatching(/^1 event\(s\) expired: .*within 47 hours of the order where a browser pixel reports purchases to the TikTok pixel/));
});

it("without a pixel on the storefront the same late order still goes (the 7-day horizon), once", async () => {
  const orderId = await lateOrder((EVENT_RETRY.dedupWindowHours + 1) * HOUR, { browserCopy: false });
  expect(await drainAll()).toMatchObject({ sent: 1, expired: 0 });
  expect((await eventOf(orderId)).event).toMatchObject({ status: "sent" });
  expect((await control.counted()).counted).toBe(1);
});

it("a browser pixel the embed cannot see (a Shopify custom pixel), declared in Settings, gets the same 48-hour rule", async () => {
  await saveSettings(TEST_SHOP, { browserPixelReportsPurchases: true });
  const late = await lateOrder((EVENT_RETRY.dedupWindowHours + 1) * HOUR, { browserCopy: true });
  const fresh = await lateOrder(60_000, { browserCopy: true });
  expect(await drainAll()).toMatchObject({ sent: 1, expired: 1 });
  expect((await eventOf(late)).event).toMatchObject({ status: "expired", lastErrorClass: "dedup_window" });
  expect((await control.events()).map((e) => e.event.event_id)).toEqual([fresh]);
  expect((await control.counted()).counted).toBe(2);
});

it("within the window the server copy meets the browser's: merged or dropped, never counted twice", async () => {
  await heartbeat([pixelCode]);
  const fresh = await lateOrder(60_000, { browserCopy: true });
  const older = await lateOrder(30 * HOUR, { browserCopy: true });
  expect(await drainAll()).toMatchObject({ sent: 2 });
  const counted = await control.counted();
  expect(counted).toMatchObject({ counted: 2, merged: 1, dropped: 1 });
  expect(counted.events.map((e) => [e.event_id, e.counted]).sort()).toEqual([[fresh, 1], [older, 1]].sort());
});

it("Resend is off for a failed event past the window, and says so before and after a click", async () => {
  await heartbeat([pixelCode]);
  const orderId = await lateOrder(EVENT_RETRY.dedupWindowHours * HOUR - 3_000, { browserCopy: true });
  await control.fault({ path: "/event/track/", kind: "code", code: 40002, message: "Invalid value for properties.value: must be a number", count: 1 });
  expect(await drainAll()).toMatchObject({ failed: 1 });
  const row = async () => ((await (await call(eventsLoader, adminRequest("/app/events", { shop: TEST_SHOP }))).json()) as { rows: { orderId: string; event: { id: string; resendBlocked: string | null } }[] }).rows.find((r) => r.orderId === orderId)!;
  expect((await row()).event.resendBlocked).toBeNull();
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  const blocked = (await row()).event;
  expect(blocked.resendBlocked).toMatch(/^Resend is off: the order is more than 47 hours old\. .*TikTok merges a copy from this app with it only within 48 hours/);
  const answer = await (await call(eventsAction, adminRequest("/app/events", { shop: TEST_SHOP, form: { intent: "resend", eventId: blocked.id } }))).json();
  expect(answer).toMatchObject({ ok: false, message: expect.stringMatching(/^Resend is off/) });
  expect((await eventOf(orderId)).event).toMatchObject({ status: "failed" });
  expect(await drainAll()).toMatchObject({ requests: 0 });
});

describe("Home's advice for events held while TikTok needs reconnecting says the horizon that applies", () => {
  const adviceAfterHeldOrder = async () => {
    await connectShop(TEST_SHOP, control, { status: "needs_reconnect", connectedAt: new Date(Date.now() - 6 * 24 * HOUR) });
    await lateOrder(HOUR, { browserCopy: false });
    expect(await prisma.outboxEvent.count({ where: { shop: TEST_SHOP, status: "waiting_reconnect" } })).toBe(1);
    const home = await (await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).json();
    return (home.summary.advice as string[]).find((a) => a.startsWith("Events are waiting because TikTok needs to be reconnected"));
  };

  it("where the storefront loads the pixel: 47 hours, and why", async () => {
    await heartbeat([pixelCode]);
    const advice = await adviceAfterHeldOrder();
    expect(advice).toMatch(/except those of orders more than 47 hours old by then, which expire: the app knows a browser pixel reports purchases to the TikTok pixel, so TikTok would count them twice/);
    expect(advice).not.toMatch(/7 days/);
  });

  it("where no browser pixel is known: 7 days", async () => {
    const advice = await adviceAfterHeldOrder();
    expect(advice).toMatch(/except those of orders more than 7 days old by then, which expire\.$/);
  });
});
