// Shopify's mandatory privacy webhooks through the real routes (signed, no session needed):
// what each deletes or reports, counted row by row, and that nothing else is touched.
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import { action as checkoutAction } from "~/routes/proxy.checkout";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { action as dataRequest } from "~/routes/webhooks.customers.data_request";
import { action as customersRedact } from "~/routes/webhooks.customers.redact";
import { action as shopRedact } from "~/routes/webhooks.shop.redact";
import { action as uninstalled } from "~/routes/webhooks.app.uninstalled";
import { loader as dataRequestsPage } from "~/routes/app.data-requests";
import { loader as downloadRequest } from "~/routes/app.data-requests.download";
import { action as settingsAction } from "~/routes/app.settings";
import { hashEmail } from "~/features/events/normalise";
import { orderFixture } from "../fixtures/orders";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { adminRequest, appProxyRequest, call, seedOfflineSession, webhookRequest } from "../support/requests";
import { deliverRefund, refundBody } from "../support/refunds";
import { connectShop, deliverOrder, demoOrder, shopRowCounts, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();

const LONG_AGO = new Date("2020-01-01T00:00:00Z");
const ADA = { id: 7012345678901, email: "ada.lovelace@example.com", visitor: "tta1.Ada7f3c2a1e5b9d4c8e9a7" };
const MARY = { phone: "+61 491 570 156", visitor: "tta1.Mary-1b2c3d4e5f6a7b8c9" };
const BYSTANDER_VISITOR = "tta1.Bystander0000000000000";

afterAll(() => sandbox.close());
afterEach(() => vi.restoreAllMocks());

/**
 * Two shops. In TEST_SHOP: Ada (customer id, email; a fixture order and a second order, a
 * visitor with 2 touchpoints), Mary (guest, phone only, a visitor with 1 touchpoint), Grace (guest,
 * email only), a bystander order with its own visitor and touchpoint. OTHER_SHOP: the same
 * fixture orders (same ids, same customer) and touchpoints.
 */
beforeEach(async () => {
  vi.spyOn(console, "info").mockImplementation(() => {});
  await prisma.outboxEvent.deleteMany();
  await prisma.orderRecord.deleteMany();
  await prisma.touchpoint.deleteMany();
  await prisma.rejectedWebhook.deleteMany();
  await prisma.tikTokConnection.deleteMany();
  await prisma.session.deleteMany();
  await prisma.shop.deleteMany();
  await prisma.dataRequest.deleteMany();
  await prisma.redaction.deleteMany();
  await prisma.orderLink.deleteMany();
  await prisma.refund.deleteMany();
  for (const shop of [TEST_SHOP, OTHER_SHOP]) {
    await seedOfflineSession(shop);
    await connectShop(shop, control, { connectedAt: LONG_AGO, sendMode: "all" });
    for (const name of ["web-attributed", "phone-only", "guest-checkout"] as const) {
      expect((await deliverOrder(shop, orderFixture(name))).status).toBe(200);
    }
    // Ada's second order, under her customer id (the payload carries no email of hers this time)
    const second = JSON.parse(await demoOrder({ orderId: 5324830119001, createdAt: new Date("2025-02-01T00:00:00Z") }));
    second.customer = { id: ADA.id, email: null, phone: null };
    second.email = null;
    expect((await deliverOrder(shop, JSON.stringify(second))).status).toBe(200);
    // a bystander with a touchpoint of their own
    expect((await deliverOrder(shop, await demoOrder({ orderId: 5324830119002, visitorId: BYSTANDER_VISITOR, createdAt: new Date("2025-02-02T00:00:00Z") }))).status).toBe(200);
    await prisma.touchpoint.createMany({
      data: [
        { shop, visitorId: ADA.visitor, ttclid: "E.C.P.ada-1", capturedAt: new Date("2024-12-30T00:00:00Z") },
        { shop, visitorId: ADA.visitor, ttclid: "E.C.P.ada-2", capturedAt: new Date("2024-12-31T00:00:00Z") },
        { shop, visitorId: MARY.visitor, ttclid: "E.C.P.mary-1", capturedAt: new Date("2025-03-01T00:00:00Z") },
        { shop, visitorId: BYSTANDER_VISITOR, ttclid: "E.C.P.bystander", capturedAt: new Date("2025-02-01T00:00:00Z") },
      ],
    });
  }
  expect(await shopRowCounts(TEST_SHOP)).toMatchObject({ orderRecord: 5, outboxEvent: 5, touchpoint: 4 });
});

const webhook = (topic: string, shop: string, payload: unknown, secret?: string) =>
  webhookRequest({ topic, shop, payload, secret, path: `/webhooks/${topic}` });
const orderIds = async (shop: string) =>
  (await prisma.orderRecord.findMany({ where: { shop }, select: { orderId: true }, orderBy: { orderId: "asc" } })).map((o) => o.orderId);
const visitors = async (shop: string) =>
  [...new Set((await prisma.touchpoint.findMany({ where: { shop }, select: { visitorId: true } })).map((t) => t.visitorId))].sort();

describe("customers/data_request", () => {
  it("reports what we hold for the customer (counts, hashes only) and changes none of their data", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const before = await traceCounts(TEST_SHOP);
    const res = await call(dataRequest, webhook("customers/data_request", TEST_SHOP, {
      shop_domain: TEST_SHOP,
      customer: { id: ADA.id, email: ADA.email, phone: null },
      orders_requested: ["5324830114101"],
      data_request: { id: 9999 },
    }));
    expect(res.status).toBe(200);
    const logged = info.mock.calls.map((c) => c.join(" ")).join("\n");
    expect(logged).toMatch(/2 order record\(s\).*2 event\(s\), 2 touchpoint\(s\)/);
    expect(logged).not.toContain(ADA.email);
    expect(await traceCounts(TEST_SHOP)).toEqual(before);
  });

  it("reaches the merchant: listed on the Data requests page, with a download of what we hold, no raw email stored", async () => {
    const payload = { shop_domain: TEST_SHOP, customer: { id: ADA.id, email: ADA.email, phone: null }, orders_requested: ["5324830114101"], data_request: { id: 9999 } };
    expect((await call(dataRequest, webhookRequest({ topic: "customers/data_request", shop: TEST_SHOP, payload, path: "/webhooks/customers/data_request", eventId: "evt-dr-1" }))).status).toBe(200);
    // Shopify retries with the same event id: still one request
    expect((await call(dataRequest, webhookRequest({ topic: "customers/data_request", shop: TEST_SHOP, payload, path: "/webhooks/customers/data_request", eventId: "evt-dr-1" }))).status).toBe(200);
    const page = await (await call(dataRequestsPage, adminRequest("/app/data-requests", { shop: TEST_SHOP }))).json();
    expect(page.requests).toHaveLength(1);
    expect(page.requests[0]).toMatchObject({ shopifyRequestId: "9999", customerId: String(ADA.id), ordersRequested: 1, redacted: false });
    expect(JSON.stringify(await dumpTable("DataRequest"))).not.toContain(ADA.email);

    const res = await call(downloadRequest, adminRequest(`/app/data-requests/download?request=${page.requests[0].id}`, { shop: TEST_SHOP }));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toMatch(/attachment/);
    const held = await res.json();
    expect(held.hashes.email).toBe(hashEmail(ADA.email));
    expect(held.orders.map((o: { orderId: string }) => o.orderId).sort()).toEqual(["5324830114101", "5324830119001"]);
    expect(held.orders[0].eventSentToTikTok).toMatchObject({ eventId: expect.any(String), status: expect.any(String) });
    expect(held.touchpoints.map((t: { ttclid: string }) => t.ttclid).sort()).toEqual(["E.C.P.ada-1", "E.C.P.ada-2"]);
    expect(JSON.stringify(held)).not.toContain(ADA.email);
    // The other shop sees neither the request nor its download
    const theirs = await (await call(dataRequestsPage, adminRequest("/app/data-requests", { shop: OTHER_SHOP }))).json();
    expect(theirs.requests).toEqual([]);
    expect((await call(downloadRequest, adminRequest(`/app/data-requests/download?request=${page.requests[0].id}`, { shop: OTHER_SHOP }))).status).toBe(404);
  });
});

async function dumpTable(table: string) {
  return prisma.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table}"`);
}

describe("customers/redact", () => {
  it("by customer id and email: deletes that customer's orders, events and their visitor's touchpoints, nothing else", async () => {
    const other = await shopRowCounts(OTHER_SHOP);
    const res = await call(customersRedact, webhook("customers/redact", TEST_SHOP, {
      shop_domain: TEST_SHOP,
      customer: { id: ADA.id, email: "Ada.Lovelace@Example.com", phone: null },
      orders_to_redact: [],
    }));
    expect(res.status).toBe(200);
    expect(await orderIds(TEST_SHOP)).toEqual(["5324830114102", "5324830114103", "5324830119002"]);
    expect(await shopRowCounts(TEST_SHOP)).toMatchObject({ orderRecord: 3, outboxEvent: 3, touchpoint: 2 });
    expect(await visitors(TEST_SHOP)).toEqual([BYSTANDER_VISITOR, MARY.visitor].sort());
    // the other shop's copy of the same customer is another merchant's data
    expect(await shopRowCounts(OTHER_SHOP)).toEqual(other);
    // and the merchant sees it done, with the counts
    const page = await (await call(dataRequestsPage, adminRequest("/app/data-requests", { shop: TEST_SHOP }))).json();
    expect(page.redactions).toEqual([
      expect.objectContaining({ topic: "customers/redact", customerId: String(ADA.id), counts: { orders: 2, events: 2, refunds: 0, refundTransactions: 0, touchpoints: 2, checkoutLinks: 0, dataRequests: 0 } }),
    ]);
  });

  it("by phone hash alone (a guest who gave only a phone)", async () => {
    await call(customersRedact, webhook("customers/redact", TEST_SHOP, { shop_domain: TEST_SHOP, customer: { id: 7099999999001, email: null, phone: MARY.phone }, orders_to_redact: [] }));
    expect(await orderIds(TEST_SHOP)).not.toContain("5324830114103");
    expect(await shopRowCounts(TEST_SHOP)).toMatchObject({ orderRecord: 4, outboxEvent: 4, touchpoint: 3 });
    expect(await visitors(TEST_SHOP)).not.toContain(MARY.visitor);
  });

  it("by email hash alone (a guest checkout without a customer record)", async () => {
    await call(customersRedact, webhook("customers/redact", TEST_SHOP, { shop_domain: TEST_SHOP, customer: { id: 7099999999002, email: " GRACE.HOPPER@example.com", phone: null }, orders_to_redact: [] }));
    expect(await orderIds(TEST_SHOP)).not.toContain("5324830114102");
    expect(await shopRowCounts(TEST_SHOP)).toMatchObject({ orderRecord: 4, outboxEvent: 4, touchpoint: 4 });
  });

  it("by orders_to_redact, including an id above 2^53 kept exact", async () => {
    await deliverOrder(TEST_SHOP, orderFixture("large-id"));
    const raw = `{"shop_domain":"${TEST_SHOP}","customer":{"id":7099999999003,"email":null,"phone":null},"orders_to_redact":[5324830119002,9007199254740993]}`;
    const res = await call(customersRedact, webhookRequest({ topic: "customers/redact", shop: TEST_SHOP, payload: null, rawBody: raw, path: "/webhooks/customers/redact" }));
    expect(res.status).toBe(200);
    expect(await orderIds(TEST_SHOP)).toEqual(["5324830114101", "5324830114102", "5324830114103", "5324830119001"]);
    expect(await visitors(TEST_SHOP)).not.toContain(BYSTANDER_VISITOR);
  });

  it("is idempotent: the same request again answers 200 and removes nothing more", async () => {
    const payload = { shop_domain: TEST_SHOP, customer: { id: ADA.id, email: ADA.email, phone: null }, orders_to_redact: [] };
    await call(customersRedact, webhook("customers/redact", TEST_SHOP, payload));
    const after = await traceCounts(TEST_SHOP);
    const again = await call(customersRedact, webhook("customers/redact", TEST_SHOP, payload));
    expect(again.status).toBe(200);
    expect(await traceCounts(TEST_SHOP)).toEqual(after);
  });
});

describe("every table that can hold a customer's trace", () => {
  // Ada's trace beyond the orders of beforeEach: a refund, and the web pixel's checkout links, one
  // for an order we hold and one for an order whose orders/create has not arrived.
  const PIXEL_ONLY_ORDER = "5324830119555";
  beforeEach(async () => {
    // Shopify order ids are unique across shops (the two shops here share fixture ids): one of Ada's own, refunded.
    await deliverAdaOrder(ADA_REFUNDED_ORDER);
    const refunded = await deliverRefund(TEST_SHOP, refundBody({ refundId: 9101, orderId: ADA_REFUNDED_ORDER, transactions: [{ amount: "5.00", currency: "USD" }] }));
    expect(refunded.status, await refunded.clone().text()).toBe(200);
    for (const order_id of ["5324830114101", PIXEL_ONLY_ORDER]) {
      const beacon = JSON.stringify({ order_id, visitor_id: ADA.visitor, ttclid: "E.C.P.ada-1", ttclid_at: Date.now() - 60_000 });
      expect((await call(checkoutAction, appProxyRequest({ shop: TEST_SHOP, path: "/proxy/checkout", body: beacon }))).status).toBe(202);
    }
  });

  it("the schema's tables with a customer column are the ones the download and the redaction know", () => {
    expect(traceTables().map((m) => m.name).sort()).toEqual(Object.keys(DOWNLOAD_SECTION).sort());
  });

  it("the data-request download includes the customer's rows of every such table", async () => {
    const payload = { shop_domain: TEST_SHOP, customer: { id: ADA.id, email: ADA.email, phone: null }, orders_requested: ["5324830114101", PIXEL_ONLY_ORDER], data_request: { id: 9998 } };
    expect((await call(dataRequest, webhook("customers/data_request", TEST_SHOP, payload))).status).toBe(200);
    const [request] = (await (await call(dataRequestsPage, adminRequest("/app/data-requests", { shop: TEST_SHOP }))).json()).requests;
    const held = await (await call(downloadRequest, adminRequest(`/app/data-requests/download?request=${request.id}`, { shop: TEST_SHOP }))).json();
    for (const model of traceTables()) {
      const rows = DOWNLOAD_SECTION[model.name](held);
      expect(rows.length, `${model.name} in the download`).toBeGreaterThan(0);
    }
    expect(held.checkoutLinks.map((l: { orderId: string }) => l.orderId).sort()).toEqual(["5324830114101", PIXEL_ONLY_ORDER]);
    expect(held.refunds).toEqual([expect.objectContaining({ orderId: ADA_REFUNDED_ORDER, amount: "5" })]);
    expect(held.orders.every((o: object) => "eventHeldForLateLink" in o)).toBe(true);
    expect(held.note).toMatch(/IP address and browser user agent/);
    expect(JSON.stringify(held)).not.toContain(ADA.email);
  });

  it("customers/redact leaves none of the customer's rows in any such table, and every other customer's", async () => {
    const ada = await adaKeys();
    const bystanderBefore = await prisma.orderRecord.count({ where: { shop: TEST_SHOP, orderId: "5324830119002" } });
    const before = await tracesOf(TEST_SHOP, ada);
    for (const [table, n] of Object.entries(before)) expect(n, `the setup gives Ada a row in ${table}`).toBeGreaterThan(0);
    const other = await shopRowCounts(OTHER_SHOP);
    const res = await call(customersRedact, webhook("customers/redact", TEST_SHOP, {
      shop_domain: TEST_SHOP,
      customer: { id: ADA.id, email: ADA.email, phone: null },
      orders_to_redact: ["5324830114101", "5324830119001", ADA_REFUNDED_ORDER, PIXEL_ONLY_ORDER],
    }));
    expect(res.status).toBe(200);
    expect(Object.values(await tracesOf(TEST_SHOP, ada)).every((n) => n === 0), JSON.stringify(await tracesOf(TEST_SHOP, ada))).toBe(true);
    expect(await prisma.orderRecord.count({ where: { shop: TEST_SHOP, orderId: "5324830119002" } })).toBe(bystanderBefore);
    expect(await shopRowCounts(OTHER_SHOP)).toEqual(other);
    const [done] = (await (await call(dataRequestsPage, adminRequest("/app/data-requests", { shop: TEST_SHOP }))).json()).redactions;
    expect(done.counts).toMatchObject({ orders: 3, refunds: 1, checkoutLinks: 2 });
  });
});

const ADA_REFUNDED_ORDER = "5324830119777";
/** An order of Ada's in TEST_SHOP only, through the signed webhook. */
async function deliverAdaOrder(orderId: string) {
  const order = JSON.parse(await demoOrder({ orderId: Number(orderId), createdAt: new Date("2025-02-03T00:00:00Z") }));
  order.customer = { id: ADA.id, email: null, phone: null };
  order.currency = "USD";
  expect((await deliverOrder(TEST_SHOP, JSON.stringify(order))).status).toBe(200);
}

/** Columns by which a row can be one customer's: a table with one holds a customer's trace. */
const TRACE_COLUMNS = ["customerId", "emailHash", "phoneHash", "orderId", "orderRecordId", "visitorId"];
/** The requests themselves: kept for the merchant (their hashes are cleared by a redaction). */
const REQUEST_RECORDS = new Set(["DataRequest", "Redaction"]);
const traceTables = () =>
  Prisma.dmmf.datamodel.models.filter((m) => !REQUEST_RECORDS.has(m.name) && m.fields.some((f) => TRACE_COLUMNS.includes(f.name)));

type Held = { orders: { eventSentToTikTok: unknown }[]; refunds: unknown[]; refundTransactions: unknown[]; touchpoints: unknown[]; checkoutLinks: unknown[] };
/** Where the data-request download shows each trace table's rows. A new trace table needs a line here, and a section. */
const DOWNLOAD_SECTION: Record<string, (held: Held) => unknown[]> = {
  OrderRecord: (h) => h.orders,
  OutboxEvent: (h) => h.orders.map((o) => o.eventSentToTikTok).filter(Boolean),
  Refund: (h) => h.refunds,
  RefundTransaction: (h) => h.refundTransactions,
  Touchpoint: (h) => h.touchpoints,
  OrderLink: (h) => h.checkoutLinks,
};

type TraceKeys = { customerId: string[]; emailHash: string[]; phoneHash: string[]; orderId: string[]; orderRecordId: string[]; visitorId: string[] };

/** Ada's keys, read before anything is redacted: her ids, hashes, orders, their records and her visitor. */
async function adaKeys(): Promise<TraceKeys> {
  const records = await prisma.orderRecord.findMany({ where: { shop: TEST_SHOP, OR: [{ customerId: String(ADA.id) }, { emailHash: hashEmail(ADA.email) }] } });
  return {
    customerId: [String(ADA.id)],
    emailHash: [hashEmail(ADA.email)!],
    phoneHash: [],
    orderId: [...records.map((r) => r.orderId), "5324830119555"],
    orderRecordId: records.map((r) => r.id),
    visitorId: [ADA.visitor],
  };
}

/** For every trace table of the schema: how many of the shop's rows match any of the keys. */
async function tracesOf(shop: string, keys: TraceKeys) {
  const counts: Record<string, number> = {};
  for (const model of traceTables()) {
    const or = model.fields
      .filter((f) => TRACE_COLUMNS.includes(f.name) && keys[f.name as keyof TraceKeys].length)
      .map((f) => ({ [f.name]: { in: keys[f.name as keyof TraceKeys] } }));
    const delegate = (prisma as unknown as Record<string, { count(args: object): Promise<number> }>)[model.name[0].toLowerCase() + model.name.slice(1)];
    counts[model.name] = await delegate.count({ where: { shop, OR: or } });
  }
  return counts;
}

/** The shop's rows in every trace table (what a data request must leave unchanged). */
async function traceCounts(shop: string) {
  const all = await shopRowCounts(shop);
  return Object.fromEntries(traceTables().map((m) => [m.name, all[m.name[0].toLowerCase() + m.name.slice(1)]]));
}

describe("shop/redact", () => {
  it("deletes everything of that shop, in every table of the schema, and nothing of another; a second delivery is fine", async () => {
    // A row of the shop in every table: through the routes where a test can drive them, written
    // directly for what only TikTok's OAuth and spend sync produce (not what this test is about).
    await prisma.rejectedWebhook.create({ data: { shop: TEST_SHOP, topic: "orders/create", reason: "test" } });
    await deliverAdaOrder(ADA_REFUNDED_ORDER);
    expect((await deliverRefund(TEST_SHOP, refundBody({ refundId: 9102, orderId: ADA_REFUNDED_ORDER, transactions: [{ amount: "1.00", currency: "USD" }] }))).status).toBe(200);
    const touch = { v: 1, visitor_id: ADA.visitor, ttclid: "E.C.P.ada-3", captured_at: Date.now() - 60_000 };
    expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify(touch) }))).status).toBe(202);
    const beacon = JSON.stringify({ order_id: "5324830114101", visitor_id: ADA.visitor });
    expect((await call(checkoutAction, appProxyRequest({ shop: TEST_SHOP, path: "/proxy/checkout", body: beacon }))).status).toBe(202);
    const request = { shop_domain: TEST_SHOP, customer: { id: ADA.id, email: ADA.email, phone: null }, orders_requested: [] };
    expect((await call(dataRequest, webhook("customers/data_request", TEST_SHOP, request))).status).toBe(200);
    expect((await call(customersRedact, webhook("customers/redact", TEST_SHOP, { ...request, customer: { id: 7099999999009, email: null, phone: null }, orders_to_redact: [] }))).status).toBe(200);
    await prisma.oAuthState.create({ data: { shop: TEST_SHOP, stateHash: "compliance-test-state", purpose: "connect", expiresAt: new Date(Date.now() + 60_000) } });
    await prisma.webPixel.upsert({ where: { shop: TEST_SHOP }, create: { shop: TEST_SHOP, token: "compliance-test-pixel-token-0001" }, update: {} });
    await prisma.syncRun.create({ data: { shop: TEST_SHOP, kind: "hourly", status: "done" } });
    await prisma.spendRow.create({
      data: { shop: TEST_SHOP, advertiserId: "7000000000001", level: "campaign", entityId: "1790000000000001", date: "2025-01-01", spend: "12.5", impressions: 100, clicks: 3, currency: "USD", timezone: "UTC" },
    });
    // The merchant's alert address (Settings), and an incident with its email (what the alert jobs write).
    expect(await (await call(settingsAction, adminRequest("/app/settings", { shop: TEST_SHOP, form: { intent: "alert-email", alertEmail: "ops@alpha-test.example.com" } }))).json()).toMatchObject({ alertEmailSaved: true });
    const incident = await prisma.incident.create({ data: { shop: TEST_SHOP, kind: "reconnect", openKind: "reconnect" } });
    await prisma.alertEmail.create({ data: { shop: TEST_SHOP, incidentId: incident.id, phase: "start" } });
    await prisma.signalScoreDay.create({ data: { shop: TEST_SHOP, day: "2026-12-01", score: 60, events: 3, coverage: "{}" } });
    const before = await shopRowCounts(TEST_SHOP);
    for (const [table, n] of Object.entries(before)) expect(n, `the setup gives the shop a row in ${table}`).toBeGreaterThan(0);
    const other = await shopRowCounts(OTHER_SHOP);
    // GIVEN the shop uninstalled the app, and Shopify's 48 hours have passed
    expect((await call(uninstalled, webhook("app/uninstalled", TEST_SHOP, { id: 1, myshopify_domain: TEST_SHOP, domain: "shop.example.com" }))).status).toBe(200);
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: new Date(Date.now() - 48 * 3_600_000) } });
    const res = await call(shopRedact, webhook("shop/redact", TEST_SHOP, { shop_id: 1, shop_domain: TEST_SHOP }));
    expect(res.status).toBe(200);
    const gone = await shopRowCounts(TEST_SHOP);
    // What stays: the record that the shop's data was erased, and this delivery's id (so a repeat is answered, not redone).
    expect(gone, JSON.stringify(gone)).toEqual({ ...Object.fromEntries(Object.keys(gone).map((k) => [k, 0])), redaction: 1, processedWebhook: 1 });
    expect(await shopRowCounts(OTHER_SHOP)).toEqual(other);
    expect((await call(shopRedact, webhook("shop/redact", TEST_SHOP, { shop_id: 1, shop_domain: TEST_SHOP }))).status).toBe(200);
  });
});

describe("authentication", () => {
  it.each([
    ["customers/data_request", () => dataRequest],
    ["customers/redact", () => customersRedact],
    ["shop/redact", () => shopRedact],
  ] as const)("%s answers 401 to a forged HMAC and changes nothing", async (topic, action) => {
    const before = await shopRowCounts(TEST_SHOP);
    const res = await call(action(), webhook(topic, TEST_SHOP, { customer: { id: ADA.id, email: ADA.email }, orders_to_redact: ["5324830114101"], shop_domain: TEST_SHOP }, "forged-secret"));
    expect(res.status).toBe(401);
    expect(await shopRowCounts(TEST_SHOP)).toEqual(before);
  });
});
