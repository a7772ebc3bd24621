// Retention (docs/decisions/0017): a sent event keeps its full payload only while TikTok could
// still take it; order records keep their hashes for ORDER_HASH_DAYS. Orders arrive through the
// signed webhook and go out through the delivery worker; the job runs with a later clock.
import prisma from "~/core/db.server";
import { backgroundJobs } from "~/features/jobs.server";
import { drainAll } from "~/features/events/worker.server";
import { purgeExpiredPersonalData } from "~/features/privacy/retention.server";
import { EVENT_PAYLOAD_DAYS, ORDER_HASH_DAYS } from "~/features/privacy/retention";
import { TEST_SHOP } from "../support/constants";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());
beforeEach(async () => {
  await resetOrderPipeline(control);
  await connectShop(TEST_SHOP, control, { connectedAt: new Date("2020-01-01T00:00:00Z") });
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

  it("runs hourly with the other background jobs", () => {
    expect(backgroundJobs("test").find((j) => j.name === "purge-personal-data")).toMatchObject({ everyMs: 60 * 60 * 1000 });
  });
});
