// Shopify's mandatory privacy webhooks through the real routes (signed, no session needed):
// what each deletes or reports, counted row by row, and that nothing else is touched.
import prisma from "~/core/db.server";
import { action as dataRequest } from "~/routes/webhooks.customers.data_request";
import { action as customersRedact } from "~/routes/webhooks.customers.redact";
import { action as shopRedact } from "~/routes/webhooks.shop.redact";
import { action as uninstalled } from "~/routes/webhooks.app.uninstalled";
import { loader as dataRequestsPage } from "~/routes/app.data-requests";
import { loader as downloadRequest } from "~/routes/app.data-requests.download";
import { hashEmail } from "~/features/events/normalise";
import { orderFixture } from "../fixtures/orders";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession, webhookRequest } from "../support/requests";
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
  expect(await shopRowCounts(TEST_SHOP)).toMatchObject({ orders: 5, events: 5, touchpoints: 4 });
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
    const before = await shopRowCounts(TEST_SHOP);
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
    expect(await shopRowCounts(TEST_SHOP)).toEqual(before);
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
    expect(await shopRowCounts(TEST_SHOP)).toMatchObject({ orders: 3, events: 3, touchpoints: 2 });
    expect(await visitors(TEST_SHOP)).toEqual([BYSTANDER_VISITOR, MARY.visitor].sort());
    // the other shop's copy of the same customer is another merchant's data
    expect(await shopRowCounts(OTHER_SHOP)).toEqual(other);
    // and the merchant sees it done, with the counts
    const page = await (await call(dataRequestsPage, adminRequest("/app/data-requests", { shop: TEST_SHOP }))).json();
    expect(page.redactions).toEqual([
      expect.objectContaining({ topic: "customers/redact", customerId: String(ADA.id), counts: { orders: 2, events: 2, refunds: 0, touchpoints: 2, dataRequests: 0 } }),
    ]);
  });

  it("by phone hash alone (a guest who gave only a phone)", async () => {
    await call(customersRedact, webhook("customers/redact", TEST_SHOP, { shop_domain: TEST_SHOP, customer: { id: 7099999999001, email: null, phone: MARY.phone }, orders_to_redact: [] }));
    expect(await orderIds(TEST_SHOP)).not.toContain("5324830114103");
    expect(await shopRowCounts(TEST_SHOP)).toMatchObject({ orders: 4, events: 4, touchpoints: 3 });
    expect(await visitors(TEST_SHOP)).not.toContain(MARY.visitor);
  });

  it("by email hash alone (a guest checkout without a customer record)", async () => {
    await call(customersRedact, webhook("customers/redact", TEST_SHOP, { shop_domain: TEST_SHOP, customer: { id: 7099999999002, email: " GRACE.HOPPER@example.com", phone: null }, orders_to_redact: [] }));
    expect(await orderIds(TEST_SHOP)).not.toContain("5324830114102");
    expect(await shopRowCounts(TEST_SHOP)).toMatchObject({ orders: 4, events: 4, touchpoints: 4 });
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
    const after = await shopRowCounts(TEST_SHOP);
    const again = await call(customersRedact, webhook("customers/redact", TEST_SHOP, payload));
    expect(again.status).toBe(200);
    expect(await shopRowCounts(TEST_SHOP)).toEqual(after);
  });
});

describe("shop/redact", () => {
  it("deletes everything of that shop and nothing of another; a second delivery is fine", async () => {
    await prisma.rejectedWebhook.create({ data: { shop: TEST_SHOP, topic: "orders/create", reason: "test" } });
    const other = await shopRowCounts(OTHER_SHOP);
    // GIVEN the shop uninstalled the app, and Shopify's 48 hours have passed
    expect((await call(uninstalled, webhook("app/uninstalled", TEST_SHOP, { id: 1, myshopify_domain: TEST_SHOP, domain: "shop.example.com" }))).status).toBe(200);
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: new Date(Date.now() - 48 * 3_600_000) } });
    const res = await call(shopRedact, webhook("shop/redact", TEST_SHOP, { shop_id: 1, shop_domain: TEST_SHOP }));
    expect(res.status).toBe(200);
    const gone = await shopRowCounts(TEST_SHOP);
    expect(Object.values(gone).every((n) => n === 0), JSON.stringify(gone)).toBe(true);
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
