// orders/create ingest through the real route (signed webhooks, authenticate.webhook): what is
// recorded, what is queued for TikTok and why, for real-shaped payloads; idempotence under
// concurrent deliveries; connection states; no raw PII at rest.
import prisma from "~/core/db.server";
import { markNeedsReconnect } from "~/core/connection/session.server";
import { disconnect } from "~/features/connect/connect.server";
import { hashEmail, hashPhone, normalisePhone, sha256Hex } from "~/features/events/normalise";
import { drainAll } from "~/features/events/worker.server";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { loader as exportLoader } from "~/routes/app.events.export";
import { cartAttributes, CONSENT_DENIED, CONSENT_GRANTED, CONSENT_LIMITED, step } from "../../extensions/tiktok-capture/src/capture";
import { ORDER_FIXTURES, orderFixture, type OrderFixture } from "../fixtures/orders";
import { adminRequest, appProxyRequest, call, seedOfflineSession } from "../support/requests";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import {
  connectShop,
  deliverOrder,
  demoOrder,
  dumpAllTables,
  EVENT_TRACK,
  reconnectThroughOAuth,
  startOrdersSandbox,
  withCartAttributes,
  withCreatedAt,
  resetOrderPipeline,
  saveSettings,
  visitFromAd,
} from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();

const DAY = 24 * 60 * 60 * 1000;
const LONG_AGO = new Date("2020-01-01T00:00:00Z");

afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
});
afterEach(() => vi.restoreAllMocks());

async function recordOf(orderId: string, shop = TEST_SHOP) {
  return prisma.orderRecord.findUnique({ where: { shop_orderId: { shop, orderId } }, include: { event: true } });
}
const sentEventIds = async () => (await control.events()).map((e) => e.event.event_id as string);

let nextOrder = 5_500_000_000_000;
const recent = (msAgo: number) => new Date(Date.now() - msAgo);
/** The fixture as the storefront embed leaves it for a shopper who allowed capture: `_tt_consent` = granted. */
const consented = (name: OrderFixture) => withCartAttributes(orderFixture(name), { _tt_consent: "granted" });

describe("each real-shaped payload through the route (shop connected since 2020, attributed orders only)", () => {
  const expected: Record<Exclude<OrderFixture, "not-an-order">, { orderId: string; decision: string; source: string | null; ttclid: string | null; customerId: string | null; keys: string[] }> = {
    "web-attributed": { orderId: "5324830114101", decision: "queued", source: "note_attribute", ttclid: "E.C.P.CsEBbQH0kIBmExample-Click_01", customerId: "7012345678901", keys: ["email", "phone", "ttclid", "ttp", "external_id", "first_name", "last_name", "zip_code", "city", "state", "country", "ip", "user_agent", "locale"] },
    // A ttclid only in the landing URL and no consent signal on the cart: the click is not used (ADR 0018).
    "guest-checkout": { orderId: "5324830114102", decision: "not_attributed", source: null, ttclid: null, customerId: null, keys: ["email", "phone", "first_name", "last_name", "zip_code", "city", "country", "ip", "user_agent"] },
    "phone-only": { orderId: "5324830114103", decision: "not_attributed", source: null, ttclid: null, customerId: null, keys: ["phone", "external_id", "first_name", "last_name", "zip_code", "city", "state", "country", "ip", "user_agent"] },
    "presentment-currency": { orderId: "5324830114104", decision: "queued", source: "note_attribute", ttclid: "E.C.P.Presentment01", customerId: "7012345679001", keys: ["email", "phone", "ttclid", "first_name", "last_name", "city", "country", "ip", "user_agent"] },
    "zero-total": { orderId: "5324830114105", decision: "not_attributed", source: null, ttclid: null, customerId: "7012345679101", keys: ["email", "phone", "country", "ip", "user_agent"] },
    "large-id": { orderId: "9007199254740993", decision: "not_attributed", source: null, ttclid: null, customerId: "9007199254740995", keys: ["email", "phone", "ip", "user_agent"] },
    "large-id-no-gid": { orderId: "12345678901234567891", decision: "not_attributed", source: null, ttclid: null, customerId: "9007199254740999", keys: ["email", "phone", "country"] },
    pos: { orderId: "5324830114106", decision: "left_out", source: null, ttclid: null, customerId: "7012345679201", keys: ["email", "phone", "country"] },
    "draft-order": { orderId: "5324830114107", decision: "left_out", source: null, ttclid: null, customerId: null, keys: ["phone", "first_name", "last_name", "city", "country"] },
    "legacy-test-order": { orderId: "820982911946154508", decision: "test_order", source: "note_attribute", ttclid: "E.C.P.LegacyClick", customerId: "115310627314723954", keys: ["email", "phone", "ttclid", "country", "ip", "user_agent"] },
    "protected-data-redacted": { orderId: "5324830114108", decision: "queued", source: "landing_site", ttclid: "E.C.P.RedactedOrder", customerId: "7012345679301", keys: ["ttclid", "ttp", "external_id", "ip", "user_agent"] },
  };

  it.each(Object.entries(expected))("%s: recorded with the right decision, source and exact ids", async (name, want) => {
    // GIVEN a shop connected to TikTok long before the order
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO });
    // WHEN Shopify posts the order exactly as in the fixture
    const res = await deliverOrder(TEST_SHOP, orderFixture(name as OrderFixture));
    // THEN it is acknowledged and recorded with the decision the merchant will see
    expect(res.status).toBe(200);
    const record = await recordOf(want.orderId);
    expect(record, `order ${want.orderId} recorded`).not.toBeNull();
    expect(record).toMatchObject({ sendDecision: want.decision, attributionSource: want.source, ttclid: want.ttclid, customerId: want.customerId });
    expect(JSON.parse(record!.matchKeys)).toEqual(want.keys);
    expect(await prisma.orderRecord.count()).toBe(1);
    // and an outbox event exactly when it is to be sent, keyed by the exact order id
    if (want.decision === "queued") {
      expect(record!.event).toMatchObject({ status: "queued", eventId: want.orderId });
      const payload = JSON.parse(record!.event!.payload);
      expect(payload.event_id).toBe(want.orderId);
      expect(payload.properties).not.toHaveProperty("order_id");
      expect(record!.event!.payload).toContain(`"event_id":"${want.orderId}"`);
    } else {
      expect(record!.event).toBeNull();
      expect(record!.reason).toEqual(expect.any(String));
    }
    expect(await prisma.rejectedWebhook.count()).toBe(0);
  });

  it("not-an-order (a products/create body): 200, the reason kept, nothing else written", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO });
    const res = await deliverOrder(TEST_SHOP, orderFixture("not-an-order"), { webhookId: "wh-product-1" });
    expect(res.status).toBe(200);
    expect(await prisma.rejectedWebhook.findMany()).toEqual([
      expect.objectContaining({ shop: TEST_SHOP, topic: expect.stringMatching(/^orders.create$/i), webhookId: "wh-product-1", reason: expect.stringMatching(/not an order/) }),
    ]);
    expect(await prisma.orderRecord.count()).toBe(0);
    expect(await prisma.outboxEvent.count()).toBe(0);
  });

  it("covers every fixture", () => {
    expect(new Set([...Object.keys(expected), "not-an-order"])).toEqual(new Set(ORDER_FIXTURES));
  });

  it("keeps no raw email or phone anywhere in the database after every fixture", async () => {
    // GIVEN every fixture ingested, attributed ones queued
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO, sendMode: "all" });
    for (const name of ORDER_FIXTURES) expect((await deliverOrder(TEST_SHOP, orderFixture(name))).status).toBe(200);
    // WHEN we read every row of every table
    const dump = Object.values(await dumpAllTables()).join("\n").toLowerCase();
    // THEN no email or phone from any payload appears, in any spelling we could have stored
    const emails = new Set<string>();
    const phones = new Set<string>();
    for (const name of ORDER_FIXTURES) {
      const text = orderFixture(name);
      for (const m of text.matchAll(/"(?:email|contact_email)":\s*"([^"]+)"/g)) emails.add(m[1].trim().toLowerCase());
      for (const m of text.matchAll(/"phone":\s*"([^"]+)"/g)) phones.add(m[1]);
    }
    expect(emails.size).toBeGreaterThan(5);
    expect(phones.size).toBeGreaterThan(5);
    const found = (needle: string) => dump.includes(needle.toLowerCase());
    // A phone's digits standing alone (not inside a longer number such as an order id).
    const digitsAlone = (digits: string) => new RegExp(`(?<!\\d)${digits}(?!\\d)`).test(dump);
    for (const email of emails) {
      expect(found(email), email).toBe(false);
      expect(found(encodeURIComponent(email)), email).toBe(false);
    }
    for (const phone of phones) {
      expect(found(phone), phone).toBe(false);
      expect(digitsAlone(phone.replace(/\D/g, "").replace(/^0+/, "")), phone).toBe(false);
      for (const country of ["US", "GB", "AU", "FR", "DE", "JP", "BR", "CA", "IN"]) {
        const e164 = normalisePhone(phone, country);
        if (e164) expect(digitsAlone(e164.slice(1)), `${phone} as ${e164}`).toBe(false);
      }
    }
    // while the hashes that match on them are there
    expect(dump).toContain(hashEmail("ada.lovelace@example.com")!);
    expect(dump).toContain(hashPhone("0491 570 156", "AU")!);
  });
});

describe("attribution sources and the window", () => {
  const VISITOR = "tta1.WindowVisitor000000001";
  const orderAt = recent(60 * 60 * 1000);

  async function orderFor(opts: { visitorId?: string; ttclid?: string; capturedAt?: number; landing?: string }) {
    const orderId = nextOrder++;
    let body = await demoOrder({ orderId, visitorId: opts.visitorId, ttclid: opts.ttclid, capturedAt: opts.capturedAt, createdAt: orderAt });
    if (opts.landing !== undefined) {
      const parsed = JSON.parse(body);
      parsed.landing_site = opts.landing;
      body = JSON.stringify(parsed);
    }
    expect((await deliverOrder(TEST_SHOP, body)).status).toBe(200);
    return (await recordOf(String(orderId)))!;
  }
  const touchpoint = (ttclid: string, capturedAt: Date, visitorId = VISITOR) =>
    visitFromAd(TEST_SHOP, { visitorId, ttclid, capturedAt, campaignId: "1790000000000001" });

  beforeEach(async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: recent(90 * DAY), attributionWindowDays: 30 });
  });

  it("credits the visitor's latest touchpoint in the window, with its campaign", async () => {
    await touchpoint("E.C.P.older", new Date(orderAt.getTime() - 3 * DAY));
    await touchpoint("E.C.P.latest", new Date(orderAt.getTime() - 1 * DAY));
    await touchpoint("E.C.P.other-visitor", new Date(orderAt.getTime() - 60_000), "tta1.SomeoneElse00000000001");
    const r = await orderFor({ visitorId: VISITOR });
    expect(r).toMatchObject({ attributionSource: "touchpoint", ttclid: "E.C.P.latest", campaignId: "1790000000000001", sendDecision: "queued" });
    expect(JSON.parse(r.event!.payload).user.ttclid).toBe("E.C.P.latest");
  });

  it("counts a touchpoint exactly at the window's start and not one a second older", async () => {
    await touchpoint("E.C.P.edge", new Date(orderAt.getTime() - 30 * DAY));
    expect(await orderFor({ visitorId: VISITOR })).toMatchObject({ attributionSource: "touchpoint", ttclid: "E.C.P.edge" });

    await prisma.touchpoint.deleteMany();
    await touchpoint("E.C.P.too-old", new Date(orderAt.getTime() - 30 * DAY - 1_000));
    expect(await orderFor({ visitorId: VISITOR })).toMatchObject({ attributionSource: null, ttclid: null, sendDecision: "not_attributed" });
  });

  it("ignores a touchpoint captured after the order", async () => {
    await touchpoint("E.C.P.after", new Date(orderAt.getTime() + 60_000));
    expect(await orderFor({ visitorId: VISITOR })).toMatchObject({ sendDecision: "not_attributed", ttclid: null });
  });

  it("honours a shorter window chosen in settings", async () => {
    await saveSettings(TEST_SHOP, { attributionWindowDays: 7 });
    await touchpoint("E.C.P.eight-days", new Date(orderAt.getTime() - 8 * DAY));
    expect(await orderFor({ visitorId: VISITOR })).toMatchObject({ sendDecision: "not_attributed" });
  });

  it("falls back to the cart's ttclid, then to the landing URL; a cart click older than the window is not used", async () => {
    const fromNote = await orderFor({ visitorId: VISITOR, ttclid: "E.C.P.cart", capturedAt: orderAt.getTime() - 2 * DAY, landing: "/" });
    expect(fromNote).toMatchObject({ attributionSource: "note_attribute", ttclid: "E.C.P.cart" });

    const stale = await orderFor({ visitorId: VISITOR, ttclid: "E.C.P.stale", capturedAt: orderAt.getTime() - 31 * DAY, landing: "/p?ttclid=E.C.P.landing" });
    expect(stale).toMatchObject({ attributionSource: "landing_site", ttclid: "E.C.P.landing" });

    const none = await orderFor({ visitorId: VISITOR, ttclid: "E.C.P.stale2", capturedAt: orderAt.getTime() - 31 * DAY, landing: "/" });
    expect(none).toMatchObject({ attributionSource: null, sendDecision: "not_attributed" });
  });
});

describe("the cart as the storefront embed leaves it: consent and campaign (ADR 0018)", () => {
  const orderAt = recent(10 * 60 * 1000);
  const VISITOR = "tta1.ConsentVisitor00000001";

  /** An order whose cart carries exactly these attributes and whose landing URL is `landing`. */
  async function orderWithCart(attributes: Record<string, string>, landing = "/") {
    const orderId = nextOrder++;
    const payload = JSON.parse(await demoOrder({ orderId, createdAt: orderAt }));
    payload.note_attributes = Object.entries(attributes).map(([name, value]) => ({ name, value }));
    payload.landing_site = landing;
    expect((await deliverOrder(TEST_SHOP, JSON.stringify(payload))).status).toBe(200);
    return (await recordOf(String(orderId)))!;
  }
  /** What the embed writes to the cart on the landing view (its own code, no touchpoint sent yet). */
  const landingCart = (search: string, visitor = VISITOR, consent = CONSENT_GRANTED) =>
    step({}, "", "/products/everyday-tote", search, orderAt.getTime() - 60_000, () => visitor, consent).attrs;

  beforeEach(async () => {
    await seedOfflineSession(TEST_SHOP);
    await connectShop(TEST_SHOP, control, { connectedAt: recent(90 * DAY) });
  });

  it("a one-page checkout keeps its campaign: the ids travel on the cart with the click", async () => {
    const cart = landingCart("?ttclid=E.C.P.OnePage&tt_campaign_id=1790000000000042&tt_adgroup_id=1790000000000043&tt_ad_id=1790000000000044");
    expect(cart).toMatchObject({ _tt_consent: "granted", _tt_campaign_id: "1790000000000042" });
    const r = await orderWithCart(cart, "/products/everyday-tote?ttclid=E.C.P.OnePage&tt_campaign_id=1790000000000042");
    expect(r).toMatchObject({ sendDecision: "queued", attributionSource: "note_attribute", ttclid: "E.C.P.OnePage", campaignId: "1790000000000042", adgroupId: "1790000000000043" });
  });

  it("a touchpoint without a campaign takes the cart's campaign for the same click; an invalid id is ignored", async () => {
    const cart = landingCart("?ttclid=E.C.P.Both&tt_campaign_id=1790000000000077");
    const tp = { v: 1, visitor_id: VISITOR, ttclid: "E.C.P.Both", captured_at: orderAt.getTime() - 60_000, landing_path: "/products/everyday-tote" };
    expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify(tp) }))).status).toBe(202);
    expect(await orderWithCart(cart)).toMatchObject({ attributionSource: "touchpoint", ttclid: "E.C.P.Both", campaignId: "1790000000000077", adgroupId: null });
    const forged = await orderWithCart({ ...landingCart("?ttclid=E.C.P.Forged", "tta1.AnotherVisitor00000001"), _tt_campaign_id: "__CAMPAIGN_ID__" });
    expect(forged).toMatchObject({ attributionSource: "note_attribute", campaignId: null });
  });

  it("a ttclid only in the landing URL is used when the cart says consent was granted, and not without any signal", async () => {
    const granted = await orderWithCart({ _tt_consent: "granted" }, "/?ttclid=E.C.P.LandingOnly");
    expect(granted).toMatchObject({ sendDecision: "queued", attributionSource: "landing_site", ttclid: "E.C.P.LandingOnly" });
    const silent = await orderWithCart({}, "/?ttclid=E.C.P.LandingOnly2");
    expect(silent).toMatchObject({ sendDecision: "not_attributed", attributionSource: null, ttclid: null, event: null });
    expect(silent.reason).toMatch(/no consent signal/);
  });

  it("in send mode All orders, a click the shopper never allowed is not sent, not even inside page.url", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: recent(90 * DAY), sendMode: "all" });
    const silent = await orderWithCart({}, "/products/everyday-tote?ttclid=E.C.P.NeverAllowed&utm_source=tiktok");
    expect(silent).toMatchObject({ sendDecision: "queued", attributionSource: null, ttclid: null });
    await drainAll();
    const [sent] = (await control.events()).map((e) => e.event as { user: Record<string, unknown>; page?: { url: string } });
    expect(sent.user.ttclid).toBeUndefined();
    expect(sent.page?.url).toBe(`https://${TEST_SHOP}/products/everyday-tote?utm_source=tiktok`);
    expect(JSON.stringify(sent)).not.toContain("NeverAllowed");
    // with consent granted the same landing click is attributed, and page.url keeps it
    const granted = await orderWithCart({ _tt_consent: "granted" }, "/products/everyday-tote?ttclid=E.C.P.Allowed");
    expect(granted).toMatchObject({ attributionSource: "landing_site", ttclid: "E.C.P.Allowed" });
    await drainAll();
    const allowed = (await control.events()).map((e) => e.event as { page?: { url: string } }).find((e) => e.page?.url.includes("Allowed"));
    expect(allowed?.page?.url).toBe(`https://${TEST_SHOP}/products/everyday-tote?ttclid=E.C.P.Allowed`);
  });

  it.each(["attributed", "all"] as const)("a cart that says denied is never sent, by any path (send mode %s)", async (sendMode) => {
    await connectShop(TEST_SHOP, control, { connectedAt: recent(90 * DAY), sendMode });
    // every path would otherwise credit this order: a touchpoint, the cart's click and the landing URL
    const tp = { v: 1, visitor_id: VISITOR, ttclid: "E.C.P.Declined", captured_at: orderAt.getTime() - 120_000, landing_path: "/" };
    expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify(tp) }))).status).toBe(202);
    const cart = { ...landingCart("?ttclid=E.C.P.Declined"), _tt_consent: CONSENT_DENIED };
    const r = await orderWithCart(cart, "/?ttclid=E.C.P.Declined");
    expect(r).toMatchObject({ sendDecision: "no_consent", attributionSource: null, ttclid: null, visitorId: null, ttp: null, event: null });
    expect(r.reason).toMatch(/declined/);
    // what the embed actually writes on a refusal: our attributes cleared, the flag set
    const cleared = await orderWithCart(cartAttributes({}, "", CONSENT_DENIED), "/?ttclid=E.C.P.Declined");
    expect(cleared).toMatchObject({ sendDecision: "no_consent", event: null });
    await drainAll();
    expect(await sentEventIds()).toEqual([]);
  });
});

describe("buyers who opted out of the sale of their data only (cart: _tt_consent = limited)", () => {
  const orderAt = recent(10 * 60_000);
  const VISITOR = "tta1.LimitedVisitor00000001";
  async function orderWithCart(attributes: Record<string, string>, landing: string) {
    const orderId = nextOrder++;
    const payload = JSON.parse(await demoOrder({ orderId, createdAt: orderAt }));
    payload.note_attributes = Object.entries(attributes).map(([name, value]) => ({ name, value }));
    payload.landing_site = landing;
    expect((await deliverOrder(TEST_SHOP, JSON.stringify(payload))).status).toBe(200);
    return { orderId: String(orderId), record: (await recordOf(String(orderId)))! };
  }
  // What the embed writes for a visitor whose privacy banner answer is "marketing yes, sale of data no".
  const cartFor = (ttclid: string, consent: string) =>
    step({}, "", "/products/everyday-tote", `?ttclid=${ttclid}`, orderAt.getTime() - 60_000, () => VISITOR, consent).attrs;
  const limitedCart = (ttclid: string) => cartFor(ttclid, CONSENT_LIMITED);

  beforeEach(async () => {
    await seedOfflineSession(TEST_SHOP);
    await connectShop(TEST_SHOP, control, { connectedAt: recent(90 * DAY) });
  });

  it("with Limited Data Use off (the default) the order is not sent, and says why", async () => {
    const cart = limitedCart("E.C.P.OptedOutOff");
    expect(cart._tt_consent).toBe("limited");
    const { record } = await orderWithCart(cart, "/?ttclid=E.C.P.OptedOutOff");
    expect(record).toMatchObject({ sendDecision: "no_consent", ttclid: null, visitorId: null, ttp: null, event: null });
    expect(record.reason).toMatch(/opted out of the sale of their data .* Limited Data Use is off in Settings/);
    await drainAll();
    expect(await sentEventIds()).toEqual([]);
    // The status the merchant reads (Events list, order page, CSV export) is true of an opt-out too.
    const csv = await (await call(exportLoader, adminRequest("/app/events/export?status=no_consent", { shop: TEST_SHOP }))).text();
    expect(csv.split("\n").find((line) => line.includes(record.orderId))).toContain("Not sent: shopper declined or opted out");
  });

  it("with Limited Data Use on, it is attributed and sent with limited_data_use: true; a buyer who allowed everything is sent without it", async () => {
    await saveSettings(TEST_SHOP, { limitedDataUse: true });
    const limited = await orderWithCart(limitedCart("E.C.P.OptedOutOn"), "/?ttclid=E.C.P.OptedOutOn");
    expect(limited.record).toMatchObject({ sendDecision: "queued", attributionSource: "note_attribute", ttclid: "E.C.P.OptedOutOn" });
    const full = await orderWithCart(cartFor("E.C.P.AllowedAll", CONSENT_GRANTED), "/?ttclid=E.C.P.AllowedAll");
    await drainAll();
    const sent = new Map((await control.events()).map((e) => [e.event.event_id as string, e.event as Record<string, unknown>]));
    expect(sent.get(limited.orderId)).toMatchObject({ limited_data_use: true, user: { ttclid: "E.C.P.OptedOutOn" } });
    expect(sent.get(full.orderId)).toBeDefined();
    expect(sent.get(full.orderId)).not.toHaveProperty("limited_data_use");
  });

  it("a buyer who declined marketing is never sent, even with Limited Data Use on", async () => {
    await saveSettings(TEST_SHOP, { limitedDataUse: true });
    const { record } = await orderWithCart(cartAttributes({}, "", CONSENT_DENIED), "/?ttclid=E.C.P.DeclinedMarketing");
    expect(record).toMatchObject({ sendDecision: "no_consent", event: null });
    await drainAll();
    expect(await sentEventIds()).toEqual([]);
  });
});

describe("the content id kind chosen in Settings reaches TikTok (ADR 0023 §3)", () => {
  beforeEach(async () => {
    await seedOfflineSession(TEST_SHOP);
    await connectShop(TEST_SHOP, control, { connectedAt: recent(90 * DAY) });
  });

  // The demo basket with all three products (variant 2): product ids 7001-7003, variants 41001-41003, SKUs SKU-41001...
  it.each([
    ["variant" as const, ["41001", "41002", "41003"]],
    ["product" as const, ["7001", "7002", "7003"]],
    ["sku" as const, ["SKU-41001", "SKU-41002", "SKU-41003"]],
  ])("content id kind %s: TikTok receives content_ids and contents in that kind", async (contentIdType, ids) => {
    await saveSettings(TEST_SHOP, { contentIdType });
    const orderId = nextOrder++;
    expect((await deliverOrder(TEST_SHOP, await demoOrder({ orderId, ttclid: `E.C.P.kind-${contentIdType}`, createdAt: recent(60_000), variant: 2 })))).toMatchObject({ status: 200 });
    expect(await drainAll()).toMatchObject({ sent: 1 });
    const [received] = await control.events();
    const properties = received.event.properties as { content_ids: string[]; num_items: number; contents: { content_id: string }[] };
    expect(properties.content_ids).toEqual(ids);
    expect(properties.contents.map((c) => c.content_id)).toEqual(ids);
    expect(properties.num_items).toBe(4);
  });
});

describe("idempotence", () => {
  it("the same order delivered 10 times at once yields one record and one event", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO });
    const body = withCartAttributes(orderFixture("large-id"), { _tt_consent: "granted" });
    const withTtclid = body.replace('"landing_site": "/"', '"landing_site": "/?ttclid=E.C.P.Concurrent"');
    expect(withTtclid).not.toBe(body);
    const responses = await Promise.all(Array.from({ length: 10 }, () => deliverOrder(TEST_SHOP, withTtclid)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await prisma.orderRecord.count()).toBe(1);
    expect(await prisma.outboxEvent.count()).toBe(1);
    expect((await prisma.outboxEvent.findFirstOrThrow()).eventId).toBe("9007199254740993");
  });

  it("a retried delivery after the first was stored changes nothing", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO });
    await deliverOrder(TEST_SHOP, consented("guest-checkout"), { webhookId: "wh-1" });
    await drainAll();
    const before = await recordOf("5324830114102");
    const again = await deliverOrder(TEST_SHOP, consented("guest-checkout"), { webhookId: "wh-1" });
    expect(again.status).toBe(200);
    expect(await prisma.orderRecord.count()).toBe(1);
    expect(await recordOf("5324830114102")).toEqual(before);
  });

  it("the same order id in two shops is two orders", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO });
    await connectShop(OTHER_SHOP, control, { connectedAt: LONG_AGO });
    await deliverOrder(TEST_SHOP, consented("guest-checkout"));
    await deliverOrder(OTHER_SHOP, consented("guest-checkout"));
    expect(await prisma.orderRecord.count()).toBe(2);
    expect(await prisma.outboxEvent.count()).toBe(2);
  });
});

describe("authentication and unusable payloads", () => {
  it("answers 401 to a forged HMAC and writes nothing", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO });
    const res = await deliverOrder(TEST_SHOP, orderFixture("web-attributed"), { secret: "not-the-app-secret" });
    expect(res.status).toBe(401);
    expect(await prisma.orderRecord.count()).toBe(0);
    expect(await prisma.outboxEvent.count()).toBe(0);
    expect(await prisma.rejectedWebhook.count()).toBe(0);
  });

  it.each([
    ["an order without an id", JSON.stringify({ order_number: 1001, created_at: "2025-01-01T00:00:00Z", currency: "USD", total_price: "1.00", line_items: [] })],
    ["an order without a created_at", JSON.stringify({ id: 5324830114198, order_number: 1001, currency: "USD", total_price: "1.00", line_items: [] })],
    ["a JSON array", "[1,2,3]"],
  ])("%s: 200 so Shopify stops retrying, the reason kept, no order", async (_name, raw) => {
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO });
    const res = await deliverOrder(TEST_SHOP, raw);
    expect(res.status).toBe(200);
    const rejected = await prisma.rejectedWebhook.findMany();
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason.length).toBeGreaterThan(5);
    expect(await prisma.orderRecord.count()).toBe(0);
    expect(await prisma.outboxEvent.count()).toBe(0);
  });
});

describe("send mode and connection states", () => {
  it("'all orders' mode sends an unattributed order, and says why", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: LONG_AGO, sendMode: "all" });
    const body = withCreatedAt(orderFixture("phone-only"), recent(60_000));
    await deliverOrder(TEST_SHOP, body);
    const r = await recordOf("5324830114103");
    expect(r).toMatchObject({ sendDecision: "queued", ttclid: null, reason: expect.stringMatching(/all orders/) });
    await drainAll();
    const [received] = await control.events();
    expect(received.event).toMatchObject({ event_id: "5324830114103", user: { phone: hashPhone("+61491570156"), external_id: sha256Hex("tta1.Mary-1b2c3d4e5f6a7b8c9") } });
    expect((await recordOf("5324830114103"))!.sendDecision).toBe("sent");
  });

  it("orders that arrive before connecting are recorded and never sent, even after connecting", async () => {
    // GIVEN a shop that has not connected TikTok
    const body = withCreatedAt(consented("guest-checkout"), recent(60_000));
    await deliverOrder(TEST_SHOP, body);
    expect(await recordOf("5324830114102")).toMatchObject({ sendDecision: "not_connected", event: null });
    // WHEN it connects and the worker runs
    await connectShop(TEST_SHOP, control, { connectedAt: new Date() });
    await drainAll();
    // THEN that order never reaches TikTok
    expect(await sentEventIds()).toEqual([]);
  });

  it("an order created before connecting but delivered late (a Shopify retry) is not sent", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: recent(10 * 60_000) });
    await deliverOrder(TEST_SHOP, withCreatedAt(consented("guest-checkout"), recent(60 * 60_000)));
    expect(await recordOf("5324830114102")).toMatchObject({ sendDecision: "not_connected", event: null });
    await drainAll();
    expect(await control.requestCount(EVENT_TRACK)).toBe(0);
  });

  it("orders after disconnecting are never sent", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: recent(DAY) });
    await disconnect(TEST_SHOP);
    await deliverOrder(TEST_SHOP, withCreatedAt(consented("guest-checkout"), recent(60_000)));
    expect(await recordOf("5324830114102")).toMatchObject({ sendDecision: "not_connected", event: null });
    await drainAll();
    expect(await sentEventIds()).toEqual([]);
  });

  it("orders while TikTok needs reconnecting wait, and go out after the merchant reconnects", async () => {
    // GIVEN a connected shop whose token TikTok stopped accepting
    await connectShop(TEST_SHOP, control, { connectedAt: recent(DAY) });
    await markNeedsReconnect(TEST_SHOP, "Access token is incorrect or has been revoked.");
    // WHEN an attributed order arrives
    await deliverOrder(TEST_SHOP, withCreatedAt(consented("guest-checkout"), recent(60_000)));
    // THEN it waits, and the worker does not send it
    expect(await recordOf("5324830114102")).toMatchObject({ sendDecision: "waiting_reconnect", event: { status: "waiting_reconnect" } });
    await drainAll();
    expect(await control.requestCount(EVENT_TRACK)).toBe(0);
    // WHEN the merchant reconnects through TikTok's consent
    const { connection } = await reconnectThroughOAuth(TEST_SHOP);
    expect(connection.status).toBe("connected");
    await drainAll();
    // THEN it is sent, once
    expect(await sentEventIds()).toEqual(["5324830114102"]);
    expect(await recordOf("5324830114102")).toMatchObject({ sendDecision: "sent", event: { status: "sent" } });
  });
});
