// Purchases sent when paid (Settings, docs/decisions/0023), through Shopify's signed webhooks:
// orders/create with each financial_status, then orders/paid or orders/cancelled, delivered to
// the sandbox, which counts purchases as TikTok does.
import prisma from "~/core/db.server";
import { action as paidAction } from "~/routes/webhooks.orders.paid";
import { action as checkoutAction } from "~/routes/proxy.checkout";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { loader as eventsLoader } from "~/routes/app.events";
import { drainAll } from "~/features/events/worker.server";
import { expireUnpaidEvents } from "~/features/events/payment.server";
import * as refunds from "~/features/events/refunds.server";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, appProxyRequest, call, seedOfflineSession, webhookRequest } from "../support/requests";
import { cancelledOrderBody, deliverCancellation } from "../support/refunds";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, saveSettings, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

let orderSeq = 6_300_000_000_000;
let pixelCode: string;
beforeEach(async () => {
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await prisma.refund.deleteMany();
  await seedOfflineSession(TEST_SHOP);
  await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { storefrontPixels: null } });
  ({ pixelCode } = await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - 8 * 86_400_000) }));
});
afterEach(() => vi.restoreAllMocks());

/** A TikTok order as Shopify posts it, with this financial_status. */
async function order(financialStatus: string, createdAt = new Date(Date.now() - 60_000)) {
  const orderId = ++orderSeq;
  const body = JSON.parse(await demoOrder({ orderId, ttclid: `E.C.P.pay${orderId}`, createdAt }));
  body.financial_status = financialStatus;
  return { orderId: String(orderId), rawBody: JSON.stringify(body) };
}
const paid = (rawBody: string) =>
  call(paidAction, webhookRequest({ topic: "orders/paid", shop: TEST_SHOP, payload: null, rawBody: rawBody.replace(/"financial_status":"[a-z_]+"/, '"financial_status":"paid"'), path: "/webhooks/orders/paid" }));
const stateOf = async (orderId: string) =>
  (await prisma.orderRecord.findUnique({ where: { shop_orderId: { shop: TEST_SHOP, orderId } }, select: { sendDecision: true, reason: true, event: { select: { status: true, lastError: true } } } }))!;
const received = async () => (await control.events()).map((e) => String(e.event.event_id));
/** The order's row on the Events page, as the merchant reads it. */
const eventsRow = async (orderId: string) =>
  ((await (await call(eventsLoader, adminRequest("/app/events", { shop: TEST_SHOP }))).json()) as { rows: { orderId: string; status: string; reason: string | null }[] }).rows.find(
    (r) => r.orderId === orderId,
  );

describe("send when paid", () => {
  beforeEach(async () => {
    await saveSettings(TEST_SHOP, { sendWhen: "paid" });
  });

  it.each(["pending", "authorized", "partially_paid"])("a %s order waits, is not sent, and goes when Shopify says it is paid", async (status) => {
    const o = await order(status);
    expect((await deliverOrder(TEST_SHOP, o.rawBody)).status).toBe(200);
    expect(await stateOf(o.orderId)).toMatchObject({ sendDecision: "awaiting_payment", event: { status: "awaiting_payment" } });
    expect((await stateOf(o.orderId)).reason).toMatch(/^Waiting for payment/);
    expect(await drainAll()).toMatchObject({ sent: 0 });
    expect(await received()).toEqual([]);
    expect((await paid(o.rawBody)).status).toBe(200);
    expect(await drainAll()).toMatchObject({ sent: 1 });
    expect(await stateOf(o.orderId)).toMatchObject({ sendDecision: "sent", reason: null });
    expect(await received()).toEqual([o.orderId]);
    // orders/paid delivered again changes nothing
    expect((await paid(o.rawBody)).status).toBe(200);
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect((await control.counted()).counted).toBe(1);
  });

  it("a paid order goes at once", async () => {
    const o = await order("paid");
    await deliverOrder(TEST_SHOP, o.rawBody);
    expect(await drainAll()).toMatchObject({ sent: 1 });
  });

  it("orders/paid before orders/create records the order paid and sends it once", async () => {
    const o = await order("pending");
    expect((await paid(o.rawBody)).status).toBe(200);
    expect((await deliverOrder(TEST_SHOP, o.rawBody)).status).toBe(200);
    expect(await drainAll()).toMatchObject({ sent: 1 });
    expect(await received()).toEqual([o.orderId]);
  });

  it.each(["voided", "pending"])("an order cancelled before it was paid (%s) is never sent", async (status) => {
    const o = await order("pending");
    await deliverOrder(TEST_SHOP, o.rawBody);
    expect((await deliverCancellation(TEST_SHOP, cancelledOrderBody(o.rawBody, { financialStatus: status }))).status).toBe(200);
    expect(await stateOf(o.orderId)).toMatchObject({ sendDecision: "cancelled", reason: null, event: { status: "cancelled", lastError: expect.stringMatching(/cancelled before/) } });
    // a late orders/paid does not bring it back
    await paid(o.rawBody);
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await received()).toEqual([]);
  });

  it("a click that arrives after an unpaid order (the web pixel's late link) still waits for payment", async () => {
    const orderId = ++orderSeq;
    // The shopper landed from a TikTok ad (the storefront recorded the click), then bought with Buy it now: no cart click.
    const landing = JSON.stringify({ v: 1, visitor_id: "tta1.LateLinkUnpaid00000001", ttclid: "E.C.P.late-unpaid", captured_at: Date.now() - 120_000, landing_path: "/" });
    expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: landing }))).status).toBe(202);
    const body = JSON.parse(await demoOrder({ orderId, createdAt: new Date() }));
    body.financial_status = "pending";
    const rawBody = JSON.stringify(body);
    await deliverOrder(TEST_SHOP, rawBody);
    expect(await stateOf(String(orderId))).toMatchObject({ sendDecision: "not_attributed" });
    const beacon = JSON.stringify({ order_id: String(orderId), visitor_id: "tta1.LateLinkUnpaid00000001", ttclid: "E.C.P.late-unpaid", ttclid_at: Date.now() - 120_000 });
    expect((await call(checkoutAction, appProxyRequest({ shop: TEST_SHOP, path: "/proxy/checkout", body: beacon }))).status).toBe(202);
    expect(await stateOf(String(orderId))).toMatchObject({ sendDecision: "awaiting_payment" });
    expect(await drainAll()).toMatchObject({ requests: 0 });
    await paid(rawBody);
    expect(await drainAll()).toMatchObject({ sent: 1 });
    expect(await received()).toEqual([String(orderId)]);
  });

  it("an order voided at orders/create (its payment cancelled before capture) is never sent, even when orders/paid follows", async () => {
    const o = await order("voided");
    await deliverOrder(TEST_SHOP, o.rawBody);
    expect(await eventsRow(o.orderId)).toMatchObject({ status: "cancelled", reason: expect.stringMatching(/payment voided/) });
    await paid(o.rawBody);
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await received()).toEqual([]);
  });

  it("orders/cancelled, then orders/paid, then orders/create: nothing is sent", async () => {
    const o = await order("pending");
    expect((await deliverCancellation(TEST_SHOP, cancelledOrderBody(o.rawBody, { financialStatus: "voided" }))).status).toBe(200);
    expect((await paid(o.rawBody)).status).toBe(200);
    expect((await deliverOrder(TEST_SHOP, o.rawBody)).status).toBe(200);
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await received()).toEqual([]);
    expect(await eventsRow(o.orderId)).toMatchObject({ status: "cancelled", reason: expect.stringMatching(/cancelled before its purchase went to TikTok/) });
  });

  it("where the storefront's heartbeat shows the pixel, an order still unpaid expires at 47 hours, not 7 days", async () => {
    expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: [pixelCode] }) }))).status).toBe(202);
    const o = await order("pending", new Date(Date.now() - 47 * 3_600_000 + 60_000));
    await deliverOrder(TEST_SHOP, o.rawBody);
    expect(await expireUnpaidEvents()).toBe(0);
    expect(await expireUnpaidEvents(new Date(Date.now() + 120_000))).toBe(1);
    expect(await stateOf(o.orderId)).toMatchObject({ sendDecision: "expired", event: { status: "expired", lastError: expect.stringMatching(/still waiting for payment/) } });
    // a late orders/paid does not bring it back
    await paid(o.rawBody);
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await received()).toEqual([]);
  });

  it("an order still unpaid at its horizon expires with the reason", async () => {
    const o = await order("pending", new Date(Date.now() - 7 * 86_400_000 + 60_000));
    await deliverOrder(TEST_SHOP, o.rawBody);
    expect(await expireUnpaidEvents()).toBe(0);
    expect(await expireUnpaidEvents(new Date(Date.now() + 120_000))).toBe(1);
    expect(await stateOf(o.orderId)).toMatchObject({ sendDecision: "expired", reason: null, event: { status: "expired", lastError: expect.stringMatching(/still waiting for payment/) } });
  });
});

describe("send at checkout (the default)", () => {
  it.each(["voided", "paid", "refunded"])("orders/cancelled (%s) that arrives before orders/create: the order is never sent, and Events says why", async (status) => {
    const o = await order("paid");
    expect((await deliverCancellation(TEST_SHOP, cancelledOrderBody(o.rawBody, { financialStatus: status }))).status).toBe(200);
    expect((await deliverOrder(TEST_SHOP, o.rawBody)).status).toBe(200);
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await received()).toEqual([]);
    expect(await eventsRow(o.orderId)).toMatchObject({ status: "cancelled", reason: expect.stringMatching(/cancelled before its purchase went to TikTok/) });
    // Shopify delivering orders/create again changes nothing
    expect((await deliverOrder(TEST_SHOP, o.rawBody, { webhookId: "create-again" })).status).toBe(200);
    expect(await drainAll()).toMatchObject({ requests: 0 });
  });

  it("an orders/create whose payload is already cancelled is not sent", async () => {
    const o = await order("paid");
    const body = JSON.parse(o.rawBody);
    body.cancelled_at = new Date().toISOString();
    await deliverOrder(TEST_SHOP, JSON.stringify(body));
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await eventsRow(o.orderId)).toMatchObject({ status: "cancelled", reason: expect.stringMatching(/cancelled before its purchase went to TikTok/) });
  });

  it("an order voided at orders/create is not sent", async () => {
    const o = await order("voided");
    await deliverOrder(TEST_SHOP, o.rawBody);
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await eventsRow(o.orderId)).toMatchObject({ status: "cancelled", reason: expect.stringMatching(/payment voided/) });
  });

  it("an unattributed order cancelled within the hour a late pixel link could still queue it stays unsent", async () => {
    await saveSettings(TEST_SHOP, { sendMode: "attributed" });
    const orderId = ++orderSeq;
    const landing = JSON.stringify({ v: 1, visitor_id: "tta1.LateLinkCancel00000001", ttclid: "E.C.P.late-cancel", captured_at: Date.now() - 120_000, landing_path: "/" });
    expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: landing }))).status).toBe(202);
    const rawBody = await demoOrder({ orderId, createdAt: new Date() });
    await deliverOrder(TEST_SHOP, rawBody);
    expect(await stateOf(String(orderId))).toMatchObject({ sendDecision: "not_attributed" });
    await deliverCancellation(TEST_SHOP, cancelledOrderBody(rawBody, { financialStatus: "voided" }));
    const beacon = JSON.stringify({ order_id: String(orderId), visitor_id: "tta1.LateLinkCancel00000001", ttclid: "E.C.P.late-cancel", ttclid_at: Date.now() - 120_000 });
    expect((await call(checkoutAction, appProxyRequest({ shop: TEST_SHOP, path: "/proxy/checkout", body: beacon }))).status).toBe(202);
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await eventsRow(String(orderId))).toMatchObject({ status: "cancelled" });
  });

  it("sends at orders/create whatever the financial status; a later cancellation changes nothing already sent", async () => {
    const o = await order("pending");
    await deliverOrder(TEST_SHOP, o.rawBody);
    expect(await drainAll()).toMatchObject({ sent: 1 });
    await deliverCancellation(TEST_SHOP, cancelledOrderBody(o.rawBody, { financialStatus: "voided" }));
    expect(await stateOf(o.orderId)).toMatchObject({ sendDecision: "sent" });
  });

  it("orders/cancelled stored while orders/create was being decided: the delivery it woke does not send it, even before ingest looks again", async () => {
    const o = await order("paid");
    // Shopify's two webhooks race: ingest's first look finds no cancellation, orders/cancelled then
    // lands (no order yet, so nothing to stop), and ingest's insert wakes delivery, which here runs
    // before ingest's look after the insert. The spy only orders the steps; each does its real work.
    const look = refunds.cancellationReceived;
    let looks = 0;
    vi.spyOn(refunds, "cancellationReceived").mockImplementation(async (shop, orderId) => {
      looks++;
      if (looks === 1) {
        const seen = await look(shop, orderId);
        expect((await deliverCancellation(TEST_SHOP, cancelledOrderBody(o.rawBody, { financialStatus: "paid" }))).status).toBe(200);
        return seen;
      }
      await drainAll();
      return look(shop, orderId);
    });
    expect((await deliverOrder(TEST_SHOP, o.rawBody)).status).toBe(200);
    expect(looks).toBe(2);
    expect(await received()).toEqual([]);
    expect(await stateOf(o.orderId)).toMatchObject({ sendDecision: "cancelled", reason: null, event: { status: "cancelled", lastError: expect.stringMatching(/cancelled before/) } });
    expect(await eventsRow(o.orderId)).toMatchObject({ status: "cancelled" });
    expect(await drainAll()).toMatchObject({ requests: 0 });
  });

  it("an order cancelled before its event went out is not sent", async () => {
    const o = await order("paid");
    await deliverOrder(TEST_SHOP, o.rawBody);
    await deliverCancellation(TEST_SHOP, cancelledOrderBody(o.rawBody, { financialStatus: "voided" }));
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await stateOf(o.orderId)).toMatchObject({ sendDecision: "cancelled" });
  });
});
