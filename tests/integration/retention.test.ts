// Retention (docs/decisions/0017): a sent event keeps its full payload only while TikTok could
// still take it; order records keep their hashes for ORDER_HASH_DAYS. Orders arrive through the
// signed webhook and go out through the delivery worker; the job runs with a later clock.
import prisma from "~/core/db.server";
import { backgroundJobs } from "~/features/jobs.server";
import { drainAll } from "~/features/events/worker.server";
import { purgeExpiredPersonalData } from "~/features/privacy/retention.server";
import { EVENT_PAYLOAD_DAYS, ORDER_HASH_DAYS } from "~/features/privacy/retention";
import { TEST_SHOP } from "../support/constants";
import { cancelledOrderBody, deliverCancellation, deliverRefund, refundBody } from "../support/refunds";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());
beforeEach(async () => {
  await resetOrderPipeline(control);
  await connectShop(TEST_SHOP, control, { connectedAt: new Date("2020-01-01T00:00:00Z") });
  await prisma.refund.deleteMany();
});

const DAY = 24 * 60 * 60 * 1000;
const later = (days: number) => new Date(Date.now() + days * DAY);

async function sentOrder(orderId: number) {
  const raw = await demoOrder({ orderId, ttclid: "E.C.P.retention", visitorId: "tta1.RetentionVisitor000000" });
  expect((await deliverOrder(TEST_SHOP, raw)).status).toBe(200);
  await drainAll();
  const record = await prisma.orderRecord.findFirstOrThrow({ where: { shop: TEST_SHOP, orderId: String(orderId) }, include: { event: true } });
  expect(record.event?.status).toBe("sent");
  return record;
}

describe("retention job", () => {
  it("keeps a sent event's full payload for 8 days (a day past the 7 days the app would still send it), then keeps only what the Events page shows", async () => {
    const { event } = await sentOrder(5_800_000_000_001);
    const full = JSON.parse(event!.payload);
    expect(full.user).toMatchObject({ ip: "203.0.113.24", user_agent: expect.any(String), email: expect.any(String), external_id: expect.any(String) });

    await purgeExpiredPersonalData(later(EVENT_PAYLOAD_DAYS - 1));
    expect((await prisma.outboxEvent.findUniqueOrThrow({ where: { id: event!.id } })).payload).toBe(event!.payload);

    const result = await purgeExpiredPersonalData(later(EVENT_PAYLOAD_DAYS + 0.01));
    expect(result.eventsReduced).toBe(1);
    const reduced = await prisma.outboxEvent.findUniqueOrThrow({ where: { id: event!.id } });
    expect(JSON.parse(reduced.payload)).toEqual({
      event: "CompletePayment",
      event_time: full.event_time,
      event_id: full.event_id,
      properties: { value: full.properties.value, currency: full.properties.currency, order_id: full.properties.order_id },
    });
    expect(reduced.payload).not.toContain("203.0.113.24");
    expect(reduced.payloadReducedAt).not.toBeNull();
    expect(reduced.status).toBe("sent");
  });

  it("clears an order record's email and phone hashes after the stated period, and only then", async () => {
    const record = await sentOrder(5_800_000_000_002);
    expect(record.emailHash).not.toBeNull();
    await purgeExpiredPersonalData(later(ORDER_HASH_DAYS - 1));
    expect((await prisma.orderRecord.findUniqueOrThrow({ where: { id: record.id } })).emailHash).toBe(record.emailHash);
    const result = await purgeExpiredPersonalData(later(ORDER_HASH_DAYS + 0.01));
    expect(result.ordersCleared).toBe(1);
    const cleared = await prisma.orderRecord.findUniqueOrThrow({ where: { id: record.id } });
    expect(cleared).toMatchObject({ emailHash: null, phoneHash: null, totalValue: record.totalValue, sendDecision: "sent" });
    expect(cleared.hashesPurgedAt).not.toBeNull();
  });

  it("drops a cancellation kept for an order that never arrived after 3 days (Shopify retries orders/create for 48 hours), and keeps the others", async () => {
    // GIVEN orders/cancelled for three paid orders: one whose orders/create never comes, one whose
    // orders/create comes later, one whose orders/create came first; and a refund of an order not here yet
    const [never, late, first, refunded] = [5_800_000_000_011, 5_800_000_000_012, 5_800_000_000_013, 5_800_000_000_014];
    const orderBody = (orderId: number) => demoOrder({ orderId, ttclid: "E.C.P.retention", visitorId: "tta1.RetentionVisitor000000" });
    expect((await deliverOrder(TEST_SHOP, await orderBody(first))).status).toBe(200);
    for (const orderId of [never, late, first])
      expect((await deliverCancellation(TEST_SHOP, cancelledOrderBody(await orderBody(orderId), { financialStatus: "paid" }))).status).toBe(200);
    expect((await deliverOrder(TEST_SHOP, await orderBody(late))).status).toBe(200);
    expect((await deliverRefund(TEST_SHOP, refundBody({ refundId: 5_800_000_000_900, orderId: refunded, transactions: [{ amount: "5.00", currency: "USD" }] }))).status).toBe(200);
    const rows = async () => (await prisma.refund.findMany({ where: { shop: TEST_SHOP }, select: { refundId: true }, orderBy: { refundId: "asc" } })).map((r) => r.refundId);
    expect(await rows()).toEqual(["5800000000900", `cancelled-${never}`, `cancelled-${late}`]);

    // WHEN the job runs within the 3 days, nothing goes
    expect((await purgeExpiredPersonalData(later(3 - 0.01))).cancellationsDeleted).toBe(0);
    expect(await rows()).toHaveLength(3);
    // THEN after them only the cancellation whose order never came goes; the order that came stays cancelled
    expect((await purgeExpiredPersonalData(later(3 + 0.01))).cancellationsDeleted).toBe(1);
    expect(await rows()).toEqual(["5800000000900", `cancelled-${late}`]);
    expect(await prisma.orderRecord.findUniqueOrThrow({ where: { shop_orderId: { shop: TEST_SHOP, orderId: String(late) } } })).toMatchObject({ sendDecision: "cancelled" });
  });

  it("runs hourly with the other background jobs", () => {
    expect(backgroundJobs("test").find((j) => j.name === "purge-personal-data")).toMatchObject({ everyMs: 60 * 60 * 1000 });
  });
});
