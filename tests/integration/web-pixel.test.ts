// The web pixel path end to end (issue 13, docs/decisions/0019): the app activates its pixel on the
// Shopify stand-in (webPixelCreate), the pixel's real code runs in a Shopify-like runtime with the
// settings Shopify would give it, its beacons reach the real routes, and signed orders/create
// webhooks reach the real ingest. Beacon before and after the webhook, the 1-hour window,
// duplicates, races, both paths at once, and beacons that must write nothing.
import prisma from "~/core/db.server";
import { adminApiClient } from "~/core/shopify.server";
import { activateWebPixel } from "~/core/models/web-pixel.server";
import { action as checkoutAction } from "~/routes/proxy.checkout";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { startAdminDouble } from "~/features/demo/admin-double.server";
import { CookieJar, createPixelRuntime } from "~/features/demo/pixel-runtime.server";
import { drainAll } from "~/features/events/worker.server";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { APP_URL, appProxyRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
const shopify = await startAdminDouble({ port: 0, appUrl: APP_URL, apiKey: "k", apiSecret: process.env.SHOPIFY_API_SECRET!, shop: TEST_SHOP });
afterAll(async () => {
  await sandbox.close();
  await shopify.close();
});

const ALL = { analytics: true, marketing: true, saleOfData: true };
const HOUR = 60 * 60 * 1000;
let orderSeq = 7_000_000;

/** The pixel's settings as Shopify holds them after the app's webPixelCreate. */
const settingsOf = (shop: string) => JSON.parse(shopify.pixels.get(shop)!.settings) as { endpoint: string; token: string };

/** The pixel's requests go to the real route actions, from a documentation address (one per shopper: the limits count addresses). */
let shoppers = 0;
async function toApp(url: string, init: RequestInit, address = "203.0.113.5") {
  const request = new Request(url, { ...init, headers: { "X-Forwarded-For": address } });
  return call(new URL(url).pathname === "/proxy/checkout" ? checkoutAction : touchpointAction, request);
}

/**
 * A shopper lands from a TikTok ad (or not) and buys with "Buy it now": the pixel sees the landing
 * and, once that page has reported, the checkout. `clickAt`: the click was an earlier visit at that
 * time (the app's clock too), still in the browser's cookie.
 */
async function shopperViaPixel(orderId: string, opts: { shop?: string; withClick?: boolean; clickAt?: number } = {}) {
  const shop = opts.shop ?? TEST_SHOP;
  const ttclid = opts.withClick === false ? null : `E.C.P.pixel-${orderId}`;
  const cookies = new CookieJar();
  const address = `198.51.100.${(shoppers++ % 250) + 1}`;
  const fetch = (url: string, init: RequestInit) => toApp(url, init, address);
  const visit = (query: string) =>
    createPixelRuntime({ settings: settingsOf(shop), shop, url: `https://${shop}/products/everyday-tote${query}`, consent: ALL, cookies, fetch });
  if (ttclid && opts.clickAt) {
    vi.useFakeTimers({ toFake: ["Date"], now: opts.clickAt });
    try {
      const earlier = visit(`?ttclid=${ttclid}`);
      await earlier.publish("page_viewed");
      await earlier.settle();
    } finally {
      vi.useRealTimers();
    }
  }
  const rt = visit(ttclid && !opts.clickAt ? `?ttclid=${ttclid}` : "");
  await rt.publish("page_viewed");
  await rt.settle();
  await rt.publish("checkout_completed", { checkout: { order: { id: `gid://shopify/OrderIdentity/${orderId}` } } }, `https://${shop}/checkouts/cn/x/thank-you`);
  await rt.settle();
  return { rt, ttclid };
}

/** orders/create for a Buy it now order: no cart attributes, no ttclid in the landing site. */
const buyItNowOrder = (orderId: string, createdAt = new Date()) => demoOrder({ orderId: Number(orderId), createdAt });

const recordOf = (orderId: string, shop = TEST_SHOP) =>
  prisma.orderRecord.findUnique({ where: { shop_orderId: { shop, orderId } }, include: { event: true } });
const nextOrder = () => String(++orderSeq);

beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
  await seedOfflineSession(OTHER_SHOP);
});
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await prisma.orderLink.deleteMany();
  await connectShop(TEST_SHOP, control);
  for (const shop of [TEST_SHOP, OTHER_SHOP]) expect(await activateWebPixel(shop, adminApiClient(shopify.url, shop, "shpat_test"))).toBe(true);
});
afterEach(() => vi.restoreAllMocks());

describe("web pixel activation", () => {
  it("creates the pixel once with the app's URL and the shop's token, then updates it", async () => {
    const first = settingsOf(TEST_SHOP);
    expect(first).toEqual({ endpoint: APP_URL, token: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    expect(await activateWebPixel(TEST_SHOP, adminApiClient(shopify.url, TEST_SHOP, "shpat_test"))).toBe(true);
    expect(settingsOf(TEST_SHOP)).toEqual(first);
    expect(await prisma.webPixel.findUnique({ where: { shop: TEST_SHOP } })).toMatchObject({ webPixelId: shopify.pixels.get(TEST_SHOP)!.id, lastError: null });
    expect(settingsOf(OTHER_SHOP).token).not.toBe(first.token);
  });

  it("records Shopify's refusal for Home and does not throw", async () => {
    const refused = async () => ({ data: { webPixelCreate: { webPixel: null, userErrors: [{ code: "ACCESS_DENIED", message: "Access denied for webPixelCreate" }] } } });
    expect(await activateWebPixel("gamma-test.myshopify.com", refused)).toBe(false);
    expect(await prisma.webPixel.findUnique({ where: { shop: "gamma-test.myshopify.com" } })).toMatchObject({ activatedAt: null, lastError: "Access denied for webPixelCreate" });
  });
});

describe("joining the pixel's checkout to the order", () => {
  it("attributes a Buy it now order with no cart attributes when the beacon comes first, and sends it once", async () => {
    const orderId = nextOrder();
    const { rt, ttclid } = await shopperViaPixel(orderId);
    expect(rt.requests.map((r) => new URL(r.url).pathname)).toEqual(["/proxy/touchpoints", "/proxy/checkout"]);
    expect((await deliverOrder(TEST_SHOP, await buyItNowOrder(orderId))).status).toBe(200);
    const record = await recordOf(orderId);
    expect(record).toMatchObject({ sendDecision: "queued", attributionSource: "pixel", ttclid, deferredEvent: null });
    expect(record!.event).toMatchObject({ eventId: orderId });
    await drainAll();
    const sent = (await control.events()).map((e) => e.event);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ event_id: orderId, user: expect.objectContaining({ ttclid }) });
  });

  it("queues an order recorded as not attributed when the beacon comes after it, within the hour, with the same event_id, once", async () => {
    const orderId = nextOrder();
    await deliverOrder(TEST_SHOP, await buyItNowOrder(orderId, new Date(Date.now() - 50 * 60 * 1000)));
    expect(await recordOf(orderId)).toMatchObject({ sendDecision: "not_attributed", event: null, deferredEvent: expect.any(String) });
    const { ttclid } = await shopperViaPixel(orderId, { clickAt: Date.now() - 55 * 60 * 1000 });
    // The same beacon again (a retry or a replayed thank-you page) changes nothing.
    const again = await toApp(`${APP_URL}/proxy/checkout?shop=${TEST_SHOP}&t=${settingsOf(TEST_SHOP).token}`, {
      method: "POST",
      body: JSON.stringify({ order_id: orderId, visitor_id: "tta1.BBBBBBBBBBBBBBBBBBBBBB" }),
    });
    expect(await again.json()).toEqual({ ok: true });
    const record = await recordOf(orderId);
    expect(record).toMatchObject({ sendDecision: "queued", attributionSource: "pixel", ttclid, reason: null, deferredEvent: null });
    expect(record!.event).toMatchObject({ eventId: orderId, status: "queued" });
    expect(JSON.parse(record!.event!.payload)).toMatchObject({ event_id: orderId, user: expect.objectContaining({ ttclid, external_id: expect.any(String) }) });
    expect(await prisma.outboxEvent.count()).toBe(1);
    await drainAll();
    expect((await control.events()).map((e) => e.event.event_id)).toEqual([orderId]);
  });

  it("leaves an order older than an hour as it was (the link is kept, nothing is queued)", async () => {
    const orderId = nextOrder();
    await deliverOrder(TEST_SHOP, await buyItNowOrder(orderId, new Date(Date.now() - 2 * HOUR)));
    await shopperViaPixel(orderId, { clickAt: Date.now() - 3 * HOUR });
    expect(await recordOf(orderId)).toMatchObject({ sendDecision: "not_attributed", attributionSource: null, event: null });
    expect(await prisma.orderLink.count()).toBe(1);
    expect(await prisma.outboxEvent.count()).toBe(0);
  });

  it("sends once when the beacon and the webhook race", async () => {
    for (let i = 0; i < 6; i++) {
      const orderId = nextOrder();
      // Placed a moment after the landing the shopper is about to make (the click precedes the order).
      const raw = await buyItNowOrder(orderId, new Date(Date.now() + 2_000));
      await Promise.all([shopperViaPixel(orderId), deliverOrder(TEST_SHOP, raw), deliverOrder(TEST_SHOP, raw)]);
      const record = await recordOf(orderId);
      expect(record).toMatchObject({ sendDecision: "queued", attributionSource: "pixel" });
      expect(await prisma.outboxEvent.count({ where: { orderRecordId: record!.id } })).toBe(1);
    }
  });

  it("sends an order attributed by the cart and by the pixel once, credited to the cart", async () => {
    const orderId = nextOrder();
    const { rt } = await shopperViaPixel(orderId);
    const visitorId = rt.cookies.get("_tta_vid");
    // The embed's cart attributes for the same visitor and click.
    const raw = await demoOrder({ orderId: Number(orderId), visitorId, ttclid: `E.C.P.pixel-${orderId}`, capturedAt: Date.now() - 1000 });
    await deliverOrder(TEST_SHOP, raw);
    const record = await recordOf(orderId);
    expect(record).toMatchObject({ sendDecision: "queued" });
    expect(record!.attributionSource).not.toBe("pixel");
    await drainAll();
    expect((await control.events()).map((e) => e.event.event_id)).toEqual([orderId]);
  });

  it("leaves an order without a click unattributed", async () => {
    const orderId = nextOrder();
    await shopperViaPixel(orderId, { withClick: false });
    await deliverOrder(TEST_SHOP, await buyItNowOrder(orderId));
    expect(await recordOf(orderId)).toMatchObject({ sendDecision: "not_attributed", event: null });
  });
});

describe("checkout beacons that must write nothing", () => {
  const beacon = (over: Record<string, unknown> = {}) => JSON.stringify({ order_id: "7999001", visitor_id: "tta1.AAAAAAAAAAAAAAAAAAAAAA", ttclid: "E.C.P.x", ttclid_at: Date.now() - 1000, ...over });
  const pixelRequest = (query: string, body: string) => new Request(`${APP_URL}/proxy/checkout?${query}`, { method: "POST", body, headers: { "X-Forwarded-For": "203.0.113.6" } });

  it.each([
    ["a forged token", () => pixelRequest(`shop=${TEST_SHOP}&t=forged-token-0123456789`, beacon()), 403],
    ["another shop's token (cross-shop)", () => pixelRequest(`shop=${OTHER_SHOP}&t=${settingsOf(TEST_SHOP).token}`, beacon()), 403],
    ["an oversized body", () => pixelRequest(`shop=${TEST_SHOP}&t=${settingsOf(TEST_SHOP).token}`, beacon({ ttp: "x".repeat(4000) })), 413],
    ["an order id that is not a number", () => pixelRequest(`shop=${TEST_SHOP}&t=${settingsOf(TEST_SHOP).token}`, beacon({ order_id: "gid://shopify/Order/1" })), 422],
    ["an unknown field", () => pixelRequest(`shop=${TEST_SHOP}&t=${settingsOf(TEST_SHOP).token}`, beacon({ email: "pat@example.com" })), 422],
    ["a bad proxy signature", () => appProxyRequest({ shop: TEST_SHOP, path: "/proxy/checkout", body: beacon(), secret: "wrong" }), 400],
  ])("refuses %s", async (_name, build, status) => {
    const res = await call(checkoutAction, build());
    expect(res.status).toBe(status);
    expect(await prisma.orderLink.count()).toBe(0);
  });

  it("answers the pixel with CORS headers and accepts the same body through the signed app proxy", async () => {
    // The visitor landed from a TikTok click first: a report is kept only for a visitor the storefront saw.
    const landing = JSON.stringify({ v: 1, visitor_id: "tta1.AAAAAAAAAAAAAAAAAAAAAA", ttclid: "E.C.P.x", captured_at: Date.now() - 1000, landing_path: "/" });
    const landed = new Request(`${APP_URL}/proxy/touchpoints?shop=${TEST_SHOP}&t=${settingsOf(TEST_SHOP).token}`, { method: "POST", body: landing, headers: { "X-Forwarded-For": "203.0.113.6" } });
    expect((await call(touchpointAction, landed)).status).toBe(202);
    const res = await call(checkoutAction, pixelRequest(`shop=${TEST_SHOP}&t=${settingsOf(TEST_SHOP).token}`, beacon()));
    expect(res.status).toBe(202);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const viaProxy = await call(checkoutAction, appProxyRequest({ shop: TEST_SHOP, path: "/proxy/checkout", body: beacon({ order_id: "7999002" }) }));
    expect(viaProxy.status).toBe(202);
    expect(viaProxy.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect((await prisma.orderLink.findMany({ orderBy: { orderId: "asc" } })).map((l) => l.orderId)).toEqual(["7999001", "7999002"]);
  });
});

describe("issue 27 L2/L3: a checkout report cannot invent or displace a click", () => {
  const token = () => settingsOf(TEST_SHOP).token;
  // Both claim a click 20 minutes old: a sender writes whatever capture time suits it.
  const forged = (orderId: string, visitorId: string, ttclid: string) =>
    toApp(`${APP_URL}/proxy/checkout?shop=${TEST_SHOP}&t=${token()}`, {
      method: "POST",
      body: JSON.stringify({ order_id: orderId, visitor_id: visitorId, ttclid, ttclid_at: Date.now() - 20 * 60_000 }),
    }, "192.0.2.66");
  const plantClick = (visitorId: string, ttclid: string) =>
    toApp(`${APP_URL}/proxy/touchpoints?shop=${TEST_SHOP}&t=${token()}`, {
      method: "POST",
      body: JSON.stringify({ v: 1, visitor_id: visitorId, ttclid, captured_at: Date.now() - 20 * 60_000, landing_path: "/" }),
    }, "192.0.2.66");

  it("a report naming a click the storefront never recorded attaches nothing to a recent order", async () => {
    const orderId = nextOrder();
    await deliverOrder(TEST_SHOP, await buyItNowOrder(orderId, new Date(Date.now() - 10 * 60 * 1000)));
    expect((await forged(orderId, "tta1.Attacker0000000000000A", "E.C.P.attacker")).status).toBe(202);
    expect(await recordOf(orderId)).toMatchObject({ sendDecision: "not_attributed", ttclid: null, event: null });
    expect(await prisma.orderLink.count({ where: { orderId } })).toBe(0);
  });

  it("a click planted after the order was placed does not count for it, whatever capture time it claims", async () => {
    const orderId = nextOrder();
    await deliverOrder(TEST_SHOP, await buyItNowOrder(orderId, new Date(Date.now() - 10 * 60 * 1000)));
    expect((await plantClick("tta1.Attacker0000000000000B", "E.C.P.planted")).status).toBe(202);
    expect((await forged(orderId, "tta1.Attacker0000000000000B", "E.C.P.planted")).status).toBe(202);
    expect(await recordOf(orderId)).toMatchObject({ sendDecision: "not_attributed", ttclid: null, event: null });
    expect(await prisma.outboxEvent.count()).toBe(0);
  });

  it("a report sent first for a visitor never seen does not displace the buyer's own", async () => {
    const orderId = nextOrder();
    expect((await forged(orderId, "tta1.Attacker0000000000000C", "E.C.P.attacker")).status).toBe(202);
    const { ttclid } = await shopperViaPixel(orderId);
    await deliverOrder(TEST_SHOP, await buyItNowOrder(orderId));
    expect(await recordOf(orderId)).toMatchObject({ sendDecision: "queued", attributionSource: "pixel", ttclid });
  });

  it("reports for one order from visitors with different recorded clicks cancel out, and the order says why", async () => {
    const orderId = nextOrder();
    expect((await plantClick("tta1.Attacker0000000000000D", "E.C.P.planted-early")).status).toBe(202);
    expect((await forged(orderId, "tta1.Attacker0000000000000D", "E.C.P.planted-early")).status).toBe(202);
    await shopperViaPixel(orderId);
    await deliverOrder(TEST_SHOP, await buyItNowOrder(orderId));
    const record = await recordOf(orderId);
    expect(record).toMatchObject({ sendDecision: "not_attributed", ttclid: null, event: null });
    expect(record!.reason).toContain("2 visitors whose TikTok clicks differ");
    expect(await prisma.orderLink.count({ where: { orderId } })).toBe(2);
  });
});
