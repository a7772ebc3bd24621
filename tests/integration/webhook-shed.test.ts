// Acks that never time out: when more signed orders/create arrive than the process can work on
// (here the database holds every ingest until the test lets it go), the door answers the excess
// at once with 503 and Retry-After, having written nothing; Shopify's later delivery is accepted,
// and no order is recorded twice.
import prisma from "~/core/db.server";
import { TEST_SHOP } from "../support/constants";
import { connectShop, demoOrder, deliverOrder, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await connectShop(TEST_SHOP, control);
});

afterEach(() => vi.restoreAllMocks());

it("past 64 webhooks in flight, orders/create is refused fast with 503 + Retry-After, nothing written; the redelivery is recorded once", async () => {
  const bodies = await Promise.all(Array.from({ length: 80 }, (_, i) => demoOrder({ orderId: 8_100_000_000_000 + i })));
  // GIVEN a database that answers no order lookup until the test says so
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const findUnique = prisma.orderRecord.findUnique;
  prisma.orderRecord.findUnique = (async (...args: Parameters<typeof findUnique>) => {
    await gate;
    return findUnique.apply(prisma.orderRecord, args);
  }) as unknown as typeof findUnique;

  // WHEN 80 orders arrive at once
  let refusedCount = 0;
  let allRefused!: () => void;
  const refusedAll = new Promise<void>((resolve) => (allRefused = resolve));
  const responses = bodies.map((body, i) =>
    deliverOrder(TEST_SHOP, body, { webhookId: `wh-shed-${i}` }).then((res) => {
      if (res.status === 503 && ++refusedCount === 16) allRefused();
      return res;
    }),
  );
  // THEN 16 are answered while the other 64 are still being worked on
  await refusedAll;
  open();
  prisma.orderRecord.findUnique = findUnique;
  const answered = await Promise.all(responses);
  const refused = answered.flatMap((res, i) => (res.status === 503 ? [i] : []));
  expect(answered.filter((res) => res.status === 200)).toHaveLength(64);
  expect(refused).toHaveLength(16);
  for (const i of refused) expect(answered[i].headers.get("Retry-After")).toBe("10");
  // and nothing of theirs was written
  expect(await prisma.orderRecord.count({ where: { shop: TEST_SHOP } })).toBe(64);
  expect(await prisma.rejectedWebhook.count()).toBe(0);

  // WHEN Shopify delivers the refused ones again (and one accepted one twice)
  for (const i of refused) expect((await deliverOrder(TEST_SHOP, bodies[i], { webhookId: `wh-shed-${i}` })).status).toBe(200);
  const accepted = answered.findIndex((res) => res.status === 200);
  expect((await deliverOrder(TEST_SHOP, bodies[accepted], { webhookId: `wh-shed-${accepted}` })).status).toBe(200);
  // THEN every order is recorded exactly once
  const records = await prisma.orderRecord.findMany({ where: { shop: TEST_SHOP }, select: { orderId: true } });
  expect(new Set(records.map((r) => r.orderId)).size).toBe(80);
  expect(records).toHaveLength(80);
});
