// refunds/create through the real route (signed webhooks, authenticate.webhook), in Shopify's
// documented REST Refund shape: what an order's refunded value becomes, in any delivery order.
import prisma from "~/core/db.server";
import { orderFixture } from "../fixtures/orders";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { connectShop, deliverOrder, demoOrder, dumpAllTables, EVENT_TRACK, resetOrderPipeline, startOrdersSandbox } from "../support/orders";
import { demoOrderPayload } from "~/features/demo/simulate.server";
import { cancelledOrderBody, deliverCancellation, deliverRefund, deliverTransaction, refundBody, refundTransactionId, transactionBody } from "../support/refunds";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { drainAll } from "~/features/events/worker.server";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await prisma.refund.deleteMany();
  await prisma.refundTransaction.deleteMany();
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

  it("a refund counts when created unless its transaction failed; other kinds and a restock without money count nothing", async () => {
    const { orderId } = await placeOrder();
    const body = refundBody({
      refundId: 900030,
      orderId,
      transactions: [usd("7.00"), { ...usd("20.00"), status: "failure" }, { ...usd("4.00"), status: "error" }, { ...usd("5.00"), status: "pending" }, { ...usd("3.00"), kind: "void" }],
    });
    await deliverRefund(TEST_SHOP, body);
    // 7.00 returned, 5.00 on its way: Shopify's reports count both from the refund's creation.
    expect(await refundedOf(orderId)).toBe("12.00");
    // A restock-only refund returns no money.
    await deliverRefund(TEST_SHOP, refundBody({ refundId: 900031, orderId, lineItems: [{ shop: usd("10.00"), presentment: usd("10.00") }] }));
    expect(await refundedOf(orderId)).toBe("12.00");
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

/** An order of a shop whose currency is `currency`, paid by a buyer in `presentment`, through the signed webhook. */
async function placeOrderIn(currency: string, total: string, presentment = currency) {
  const orderId = nextOrder++;
  const payload = { ...demoOrderPayload({ orderId, ttclid: "E.C.P.refund-ccy", visitorId: "tta1.RefundVisitor000000000", currency }), presentment_currency: presentment, total_price: total, current_total_price: total };
  expect((await deliverOrder(TEST_SHOP, JSON.stringify(payload))).status).toBe(200);
  return String(orderId);
}

const cad = (amount: string) => ({ amount, currency: "CAD" });

describe("refunds as Shopify reports them: pending money counts, a later failure reverses it", () => {
  it("a Shopify Payments refund still pending when refunds/create arrives counts at once; its success changes nothing", async () => {
    // GIVEN a CAD shop's order
    const orderId = await placeOrderIn("CAD", "120.00");
    // WHEN the merchant refunds 38.17 CAD through Shopify Payments and the webhook comes while the money is on its way
    const body = refundBody({ refundId: 900100, orderId, transactions: [{ ...cad("38.17"), status: "pending", gateway: "shopify_payments" }], lineItems: [{ shop: cad("38.17"), presentment: cad("38.17") }] });
    expect((await deliverRefund(TEST_SHOP, body)).status).toBe(200);
    // THEN it counts now, as in Shopify's own reports
    expect(await refundedOf(orderId)).toBe("38.17");
    // AND when Shopify reports the transaction's success (order_transactions/create), it still counts once
    const success = transactionBody({ transactionId: refundTransactionId(900100), orderId, status: "success", ...cad("38.17") });
    expect((await deliverTransaction(TEST_SHOP, success)).status).toBe(200);
    expect((await deliverTransaction(TEST_SHOP, success, { webhookId: "retry-tx" })).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("38.17");
  });

  it("a pending refund whose transaction fails later stops counting in refund-adjusted revenue; a redelivered refund does not bring it back", async () => {
    await seedOfflineSession(TEST_SHOP);
    const { orderId } = await placeOrder();
    await drainAll();
    const { loader } = await import("~/routes/app.dashboard");
    const totals = async () => ((await (await call(loader, adminRequest("/app/dashboard", { shop: TEST_SHOP }))).json()) as { totals: Record<string, string> }).totals;
    const before = await totals();
    const body = refundBody({ refundId: 900110, orderId, transactions: [{ ...usd("25.00"), status: "pending", gateway: "shopify_payments" }] });
    expect((await deliverRefund(TEST_SHOP, body)).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("25.00");
    expect(Number((await totals()).refunded) - Number(before.refunded)).toBeCloseTo(25, 2);

    // WHEN the bank refuses the refund: Shopify sends order_transactions/create with status failure
    const failure = transactionBody({ transactionId: refundTransactionId(900110), orderId, status: "failure", ...usd("25.00") });
    expect((await deliverTransaction(TEST_SHOP, failure)).status).toBe(200);
    // THEN the refund counts nothing, on the order and on the dashboard
    expect(await refundedOf(orderId)).toBe("0.00");
    const after = await totals();
    expect(after.refunded).toBe(before.refunded);
    expect(after.netRevenue).toBe(before.netRevenue);
    expect(after.grossRevenue).toBe(before.grossRevenue);
    // AND Shopify's retry of the original refunds/create body (still saying pending) changes nothing
    expect((await deliverRefund(TEST_SHOP, body, { webhookId: "retry-refund" })).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("0.00");
    // AND nothing goes to TikTok for any of it
    expect(await control.requestCount(EVENT_TRACK)).toBe(1);
  });

  it("a failure that arrives before its refund is kept: the refund counts nothing when it comes", async () => {
    const { orderId } = await placeOrder();
    const failure = transactionBody({ transactionId: refundTransactionId(900120), orderId, status: "failure", ...usd("15.00") });
    expect((await deliverTransaction(TEST_SHOP, failure)).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("0.00");
    expect((await deliverRefund(TEST_SHOP, refundBody({ refundId: 900120, orderId, transactions: [{ ...usd("15.00"), status: "pending" }] }))).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("0.00");
    expect(await prisma.refund.findFirstOrThrow({ where: { refundId: "900120" } })).toMatchObject({ currency: "USD" });
  });

  it("the refund and its transaction's failure delivered at the same moment: the refund counts nothing, in either order", async () => {
    for (const [i, refundFirst] of [true, false].entries()) {
      const { orderId } = await placeOrder();
      const refundId = 900125 + i;
      const refund = refundBody({ refundId, orderId, transactions: [{ ...usd("18.00"), status: "pending", gateway: "shopify_payments" }] });
      const failure = transactionBody({ transactionId: refundTransactionId(refundId), orderId, status: "failure", ...usd("18.00") });
      const deliveries = refundFirst ? [() => deliverRefund(TEST_SHOP, refund), () => deliverTransaction(TEST_SHOP, failure)] : [() => deliverTransaction(TEST_SHOP, failure), () => deliverRefund(TEST_SHOP, refund)];
      const statuses = await Promise.all(deliveries.map((d) => d().then((r) => r.status)));
      expect(statuses).toEqual([200, 200]);
      expect(await refundedOf(orderId), `refund first: ${refundFirst}`).toBe("0.00");
    }
  });

  it("a refund split over two transactions: only the one that fails is taken out", async () => {
    const orderId = await placeOrderIn("CAD", "150.00");
    const body = refundBody({
      refundId: 900130,
      orderId,
      transactions: [{ ...cad("30.00"), status: "pending", gateway: "shopify_payments" }, { ...cad("12.50"), status: "success", gateway: "gift_card" }],
      lineItems: [{ shop: cad("42.50"), presentment: cad("42.50") }],
    });
    await deliverRefund(TEST_SHOP, body);
    expect(await refundedOf(orderId)).toBe("42.50");
    await deliverTransaction(TEST_SHOP, transactionBody({ transactionId: refundTransactionId(900130, 0), orderId, status: "error", ...cad("30.00") }));
    expect(await refundedOf(orderId)).toBe("12.50");
  });

  it("a CAD shop, a USD buyer: the pending USD refund counts in CAD at the refund's own rate, and its failure takes that CAD amount out", async () => {
    // GIVEN a CAD shop's order paid in USD
    const orderId = await placeOrderIn("CAD", "136.50", "USD");
    // WHEN a line worth 68.25 CAD / 50.00 USD is refunded in USD, still pending
    const body = refundBody({
      refundId: 900140,
      orderId,
      transactions: [{ amount: "50.00", currency: "USD", status: "pending", gateway: "shopify_payments" }],
      lineItems: [{ shop: cad("68.25"), presentment: { amount: "50.00", currency: "USD" } }],
    });
    expect((await deliverRefund(TEST_SHOP, body)).status).toBe(200);
    expect(await refundedOf(orderId)).toBe("68.25");
    expect(await prisma.refund.findFirstOrThrow({ where: { refundId: "900140" } })).toMatchObject({ currency: "CAD" });
    // THEN its failure, reported in the buyer's USD, takes the 68.25 CAD out
    await deliverTransaction(TEST_SHOP, transactionBody({ transactionId: refundTransactionId(900140), orderId, status: "failure", amount: "50.00", currency: "USD" }));
    expect(await refundedOf(orderId)).toBe("0.00");
  });

  it("a zero-decimal shop currency: a USD refund converted into JPY is whole yen; HUF keeps its fillér", async () => {
    const yenOrder = await placeOrderIn("JPY", "2468", "USD");
    await deliverRefund(TEST_SHOP, refundBody({
      refundId: 900150,
      orderId: yenOrder,
      transactions: [{ amount: "4.00", currency: "USD", status: "pending" }],
      lineItems: [{ shop: { amount: "1234", currency: "JPY" }, presentment: { amount: "8.25", currency: "USD" } }],
    }));
    // 4.00 × 1234 ÷ 8.25 = 598.30…: JPY has no decimals.
    expect(await refundedOf(yenOrder)).toBe("598.00");
    expect((await prisma.refund.findFirstOrThrow({ where: { refundId: "900150" } })).amount.toFixed()).toBe("598");
    const forintOrder = await placeOrderIn("HUF", "24680.00", "EUR");
    await deliverRefund(TEST_SHOP, refundBody({
      refundId: 900151,
      orderId: forintOrder,
      transactions: [{ amount: "4.00", currency: "EUR", status: "pending" }],
      lineItems: [{ shop: { amount: "12340.00", currency: "HUF" }, presentment: { amount: "31.90", currency: "EUR" } }],
    }));
    // 4.00 × 12,340 ÷ 31.90 = 1,547.335…: Shopify writes HUF with 2 decimals (Intl would give 0).
    expect((await prisma.refund.findFirstOrThrow({ where: { refundId: "900151" } })).amount.toFixed()).toBe("1547.34");
  });

  it("order_transactions/create of a sale, under another shop's header, forged, under another topic or not a transaction changes nothing", async () => {
    const { orderId } = await placeOrder();
    await deliverRefund(TEST_SHOP, refundBody({ refundId: 900160, orderId, transactions: [{ ...usd("10.00"), status: "pending" }] }));
    const failure = transactionBody({ transactionId: refundTransactionId(900160), orderId, status: "failure", ...usd("10.00") });
    const before = await dumpAllTables();
    // A failed sale (the buyer's payment, not a refund) is not this app's business.
    expect((await deliverTransaction(TEST_SHOP, transactionBody({ transactionId: "7700000000001", orderId, kind: "sale", status: "failure", ...usd("50.00") }))).status).toBe(200);
    expect((await deliverTransaction(OTHER_SHOP, failure)).status).toBe(400);
    expect((await deliverTransaction(TEST_SHOP, failure, { secret: "not-the-app-secret" })).status).toBe(401);
    expect((await deliverTransaction(TEST_SHOP, failure, { topic: "refunds/create" })).status).toBe(400);
    expect(await dumpAllTables()).toEqual(before);
    expect(await refundedOf(orderId)).toBe("10.00");
    // Signed but not a transaction: acknowledged (a retry cannot fix it), kept only as a rejection note.
    expect((await deliverTransaction(TEST_SHOP, JSON.stringify({ id: 1, title: "a product" }))).status).toBe(200);
    expect(await prisma.rejectedWebhook.count({ where: { shop: TEST_SHOP, topic: "order_transactions/create" } })).toBe(1);
    expect(await refundedOf(orderId)).toBe("10.00");
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
