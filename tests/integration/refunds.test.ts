// refunds/create through the real route (signed webhooks, authenticate.webhook), in Shopify's
// documented REST Refund shape: what an order's refunded value becomes, in any delivery order.
import prisma from "~/core/db.server";
import { orderFixture } from "../fixtures/orders";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { connectShop, deliverOrder, demoOrder, dumpAllTables, EVENT_TRACK, resetOrderPipeline, startOrdersSandbox } from "../support/orders";
import { cancelledOrderBody, deliverCancellation, deliverRefund, refundBody } from "../support/refunds";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { drainAll } from "~/features/events/worker.server";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await prisma.refund.deleteMany();
  await connectShop(TEST_SHOP, control, { connectedAt: new Date("2020-01-01T00:00:00Z"), sendMode: "all" });
});
afterEach(() => vi.restoreAllMocks());

const usd = (amount: string) => ({ amount, currency: "USD" });
const refundedOf = async (orderId: string, shop = TEST_SHOP) =>
  (await prisma.orderRecord.findUniqueOrThrow({ where: { shop_orderId: { shop, orderId } } })).refundedValue.toFixed(2);

let nextOrder = 5_600_000_000_000;
async function placeOrder() {
  const orderId = nextOrder++;
  const raw = await demoOrder({ orderId, ttclid: "E.C.P.refund-test", visitorId: "tta1.RefundVisitor000000000" });
  expect((await deliverOrder(TEST_SHOP, raw)).status).toBe(200);
  const total = (JSON.parse(raw) as { total_price: string }).total_price;
  return { orderId: String(orderId), total, raw };
}

describe("refunds/create", () => {
  it("a partial refund, then another, add up; a repeated delivery counts once", async () => {
    const { orderId } = await placeOrder();
    const first = refundBody({ refundId: 900001, orderId, transactions: [{ ...usd("10.00") }], lineItems: [{ shop: usd("10.00"), presentment: usd("10.00") }] });
    expect((await deliverRefund(TEST_SHOP, first)).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("10.00");
    // Shopify retries with the same body: same refund id, nothing added.
    expect((await deliverRefund(TEST_SHOP, first, { webhookId: "retry-1" })).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("10.00");
    const second = refundBody({ refundId: 900002, orderId, transactions: [{ ...usd("5.50") }], shipping: [{ shop: usd("5.50"), presentment: usd("5.50") }] });
    expect((await deliverRefund(TEST_SHOP, second)).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("15.50");
    expect(await prisma.refund.count({ where: { shop: TEST_SHOP, orderId } })).toBe(2);
  });

  it("a refund that arrives before its order is kept and applied when the order arrives", async () => {
    const orderId = nextOrder++;
    const raw = await demoOrder({ orderId, ttclid: "E.C.P.refund-early", visitorId: "tta1.RefundVisitor000000000" });
    expect((await deliverRefund(TEST_SHOP, refundBody({ refundId: 900010, orderId, transactions: [usd("12.00")] }))).status).toBe(200);
    expect(await prisma.orderRecord.count({ where: { shop: TEST_SHOP, orderId: String(orderId) } })).toBe(0);
    expect(await prisma.refund.count({ where: { shop: TEST_SHOP, orderId: String(orderId) } })).toBe(1);
    expect((await deliverOrder(TEST_SHOP, raw)).status).toBe(200);
    expect(await refundedOf(String(orderId))).toBe("12.00");
  });

  it("the refunded total never exceeds the order total", async () => {
    const { orderId, total } = await placeOrder();
    await deliverRefund(TEST_SHOP, refundBody({ refundId: 900020, orderId, transactions: [usd(total)] }));
    await deliverRefund(TEST_SHOP, refundBody({ refundId: 900021, orderId, transactions: [usd("30.00")] }));
    expect(await refundedOf(orderId)).toBe(Number(total).toFixed(2));
  });

  it("counts only successful refund transactions", async () => {
    const { orderId } = await placeOrder();
    const body = refundBody({
      refundId: 900030,
      orderId,
      transactions: [usd("7.00"), { ...usd("20.00"), status: "failure" }, { ...usd("20.00"), status: "pending" }, { ...usd("3.00"), kind: "void" }],
    });
    await deliverRefund(TEST_SHOP, body);
    expect(await refundedOf(orderId)).toBe("7.00");
    // A restock-only refund returns no money.
    await deliverRefund(TEST_SHOP, refundBody({ refundId: 900031, orderId, lineItems: [{ shop: usd("10.00"), presentment: usd("10.00") }] }));
    expect(await refundedOf(orderId)).toBe("7.00");
  });

  it("a buyer who paid in another currency: the refund is converted at the rate Shopify's shop_money gives", async () => {
    // GIVEN the EUR shop's order paid in USD (total 108.40 EUR = 117.25 USD)
    expect((await deliverOrder(TEST_SHOP, orderFixture("presentment-currency"))).status).toBe(200);
    // WHEN a line worth 99.00 EUR / 107.10 USD is refunded in USD
    const body = refundBody({
      refundId: 900040,
      orderId: "5324830114104",
      transactions: [{ amount: "107.10", currency: "USD" }],
      lineItems: [{ shop: { amount: "99.00", currency: "EUR" }, presentment: { amount: "107.10", currency: "USD" } }],
    });
    expect((await deliverRefund(TEST_SHOP, body)).status).toBe(200);
    // THEN the order's refunded value is in its shop currency
    expect(await refundedOf("5324830114104")).toBe("99.00");
    const stored = await prisma.refund.findFirstOrThrow({ where: { refundId: "900040" } });
    expect(stored.currency).toBe("EUR");
  });

  it("a USD refund that cannot be converted is kept but does not count against the EUR order", async () => {
    expect((await deliverOrder(TEST_SHOP, orderFixture("presentment-currency"))).status).toBe(200);
    await deliverRefund(TEST_SHOP, refundBody({ refundId: 900041, orderId: "5324830114104", transactions: [{ amount: "20.00", currency: "USD" }] }));
    expect(await refundedOf("5324830114104")).toBe("0.00");
    expect(await prisma.refund.findFirstOrThrow({ where: { refundId: "900041" } })).toMatchObject({ currency: "USD" });
  });

  it("nothing is sent to TikTok for a refund, and the sent event keeps its value", async () => {
    const { orderId, total } = await placeOrder();
    await drainAll();
    expect(await control.requestCount(EVENT_TRACK)).toBe(1);
    await deliverRefund(TEST_SHOP, refundBody({ refundId: 900050, orderId, transactions: [usd("10.00")] }));
    await drainAll();
    expect(await control.requestCount(EVENT_TRACK)).toBe(1);
    const event = await prisma.outboxEvent.findFirstOrThrow({ where: { shop: TEST_SHOP, eventId: orderId } });
    expect(JSON.parse(event.payload).properties.value).toBe(Number(total));
  });

  it("a refund replayed under another shop's header, for an order of this shop, writes nothing", async () => {
    const { orderId } = await placeOrder();
    const before = await dumpAllTables();
    const res = await deliverRefund(OTHER_SHOP, refundBody({ refundId: 900060, orderId, transactions: [usd("10.00")] }));
    expect(res.status).toBe(400);
    expect(await dumpAllTables()).toEqual(before);
    expect(await refundedOf(orderId)).toBe("0.00");
  });

  it("a forged signature, a wrong topic or a body that is not a refund changes nothing", async () => {
    const { orderId } = await placeOrder();
    const body = refundBody({ refundId: 900070, orderId, transactions: [usd("10.00")] });
    const before = await dumpAllTables();
    expect((await deliverRefund(TEST_SHOP, body, { secret: "not-the-app-secret" })).status).toBe(401);
    expect((await deliverRefund(TEST_SHOP, body, { topic: "orders/create" })).status).toBe(400);
    expect(await dumpAllTables()).toEqual(before);
    // Signed but not a refund: acknowledged (a retry cannot fix it), kept only as a rejection note.
    expect((await deliverRefund(TEST_SHOP, JSON.stringify({ id: 1, title: "a product" }))).status).toBe(200);
    expect(await prisma.refund.count()).toBe(0);
    expect(await prisma.rejectedWebhook.count({ where: { shop: TEST_SHOP, topic: "refunds/create" } })).toBe(1);
  });

  it("keeps ids above 2^53 exact", async () => {
    await deliverRefund(TEST_SHOP, refundBody({ refundId: "9007199254740993", orderId: "9007199254740995", transactions: [usd("1.00")] }));
    expect(await prisma.refund.findFirst({ where: { refundId: "9007199254740993", orderId: "9007199254740995" } })).not.toBeNull();
  });
});

describe("orders/cancelled", () => {
  it("an order cancelled before its payment was captured (voided) stops counting: refund-adjusted revenue drops by its total, once", async () => {
    await seedOfflineSession(TEST_SHOP);
    const kept = await placeOrder();
    const voided = await placeOrder();
    await drainAll();
    const { loader } = await import("~/routes/app.dashboard");
    const totals = async () => ((await (await call(loader, adminRequest("/app/dashboard", { shop: TEST_SHOP }))).json()) as { totals: Record<string, unknown> }).totals;
    const before = await totals();

    // WHEN the merchant cancels one order whose payment was only authorized (Shopify voids it)
    const body = cancelledOrderBody(voided.raw, { financialStatus: "voided" });
    expect((await deliverCancellation(TEST_SHOP, body)).status).toBe(200);
    // and Shopify delivers the webhook again
    expect((await deliverCancellation(TEST_SHOP, body, { webhookId: "retry-cancel" })).status).toBe(200);

    // THEN its whole total is taken off the refund-adjusted revenue, once; the other order still counts
    expect(await refundedOf(voided.orderId)).toBe(Number(voided.total).toFixed(2));
    expect(await refundedOf(kept.orderId)).toBe("0.00");
    const after = await totals();
    expect(after.grossRevenue).toBe(before.grossRevenue);
    expect(Number(after.refunded) - Number(before.refunded)).toBeCloseTo(Number(voided.total), 2);
    expect(Number(before.netRevenue) - Number(after.netRevenue)).toBeCloseTo(Number(voided.total), 2);
    // AND nothing goes to TikTok for it
    expect(await control.requestCount(EVENT_TRACK)).toBe(1);
  });

  it("a cancellation that arrives before its order is applied when the order arrives", async () => {
    const orderId = nextOrder++;
    const raw = await demoOrder({ orderId, ttclid: "E.C.P.cancel-early", visitorId: "tta1.RefundVisitor000000000" });
    expect((await deliverCancellation(TEST_SHOP, cancelledOrderBody(raw, { financialStatus: "voided" }))).status).toBe(200);
    expect(await prisma.orderRecord.count({ where: { shop: TEST_SHOP, orderId: String(orderId) } })).toBe(0);
    expect((await deliverOrder(TEST_SHOP, raw)).status).toBe(200);
    expect(await refundedOf(String(orderId))).toBe(Number((JSON.parse(raw) as { total_price: string }).total_price).toFixed(2));
  });

  it("a paid order that was cancelled counts what was not refunded: the cancellation itself subtracts nothing", async () => {
    const { orderId, raw } = await placeOrder();
    expect((await deliverRefund(TEST_SHOP, refundBody({ refundId: 900080, orderId, transactions: [usd("10.00")] }))).status).toBe(200);
    for (const financialStatus of ["partially_refunded", "paid"]) {
      expect((await deliverCancellation(TEST_SHOP, cancelledOrderBody(raw, { financialStatus }))).status).toBe(200);
    }
    expect(await refundedOf(orderId)).toBe("10.00");
    expect(await prisma.refund.count({ where: { shop: TEST_SHOP, orderId } })).toBe(1);
  });

  it("a cancellation replayed under another shop's header, a forged signature, a wrong topic or a body that is not a cancellation changes nothing", async () => {
    const { orderId, raw } = await placeOrder();
    const body = cancelledOrderBody(raw, { financialStatus: "voided" });
    const before = await dumpAllTables();
    expect((await deliverCancellation(OTHER_SHOP, body)).status).toBe(400);
    expect((await deliverCancellation(TEST_SHOP, body, { secret: "not-the-app-secret" })).status).toBe(401);
    expect((await deliverCancellation(TEST_SHOP, body, { topic: "orders/create" })).status).toBe(400);
    expect(await dumpAllTables()).toEqual(before);
    // Signed but not a cancelled order (no cancelled_at): acknowledged, kept only as a rejection note.
    expect((await deliverCancellation(TEST_SHOP, raw)).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("0.00");
    expect(await prisma.refund.count()).toBe(0);
    expect(await prisma.rejectedWebhook.findFirst({ where: { shop: TEST_SHOP, topic: "orders/cancelled" } })).toMatchObject({ reason: expect.stringMatching(/no cancelled_at/) });
  });
});
