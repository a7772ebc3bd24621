// One broken shop never stops delivery for the others. A token the app can no longer decrypt
// (stored before TOKEN_ENCRYPTION_KEY changed) used to throw out of the whole pass: every shop
// after it waited, and the broken shop still looked Connected.
import { createCipheriv, randomBytes } from "node:crypto";
import { ADVERTISER_IDS } from "../../sandbox/world";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, reconnectThroughOAuth, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
const { default: prisma } = await import("~/core/db.server");
const { drainAll, drainOnce } = await import("~/features/events/worker.server");
const { loader: homeLoader } = await import("~/routes/app._index");
const { loader: eventsLoader } = await import("~/routes/app.events");

afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await resetOrderPipeline(control);
});
afterEach(() => vi.restoreAllMocks());

let nextOrder = 5_800_000_000_000;
async function placeOrders(shop: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const orderId = nextOrder++;
    const res = await deliverOrder(shop, await demoOrder({ orderId, ttclid: `E.C.P.iso${orderId}`, createdAt: new Date(Date.now() - 60_000) }));
    expect(res.status).toBe(200);
    ids.push(String(orderId));
  }
  return ids;
}

/** The token as the app stored it under a key it no longer has ("v1.<iv>.<tag>.<ciphertext>"). */
function encryptedUnderOldKey(token: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", randomBytes(32), iv);
  const ciphertext = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

const received = async () => new Set((await control.events()).map((e) => e.event.event_id as string));

it("a shop whose token cannot be decrypted: the other shop's events go in the same pass; the broken shop's stay queued and the merchant is told; after Reconnect they go", async () => {
  const errors = vi.spyOn(console, "error").mockImplementation(() => {});
  await seedOfflineSession(TEST_SHOP);
  await seedOfflineSession(OTHER_SHOP);
  // GIVEN a broken shop whose token was stored under an encryption key the app no longer has
  const broken = await connectShop(OTHER_SHOP, control, { advertiserId: ADVERTISER_IDS.pacific });
  await prisma.tikTokConnection.update({ where: { shop: OTHER_SHOP }, data: { accessTokenEnc: encryptedUnderOldKey(broken.token) } });
  // and a healthy shop; the broken shop's orders came first, so the pass meets them first
  await connectShop(TEST_SHOP, control);
  const brokenIds = await placeOrders(OTHER_SHOP, 3);
  const healthyIds = await placeOrders(TEST_SHOP, 3);

  // WHEN the worker makes one pass
  const out = await drainOnce();

  // THEN the healthy shop's events reached TikTok in that pass
  expect(out).toMatchObject({ sent: 3, held: 3, failed: 0 });
  const got = await received();
  expect(healthyIds.every((id) => got.has(id))).toBe(true);
  expect(brokenIds.some((id) => got.has(id))).toBe(false);
  // and the broken shop's events stay queued (not failed, not expired), retried later, with the reason
  const held = await prisma.outboxEvent.findMany({ where: { shop: OTHER_SHOP }, include: { order: true } });
  for (const row of held) {
    expect(row).toMatchObject({ status: "queued", lastErrorClass: "shop_problem", leaseOwner: null, order: { sendDecision: "queued" } });
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
  }
  // and the problem is recorded on that shop only, and logged for the operator
  const connection = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: OTHER_SHOP } });
  expect(connection).toMatchObject({ deliveryProblem: expect.stringMatching(/cannot read the TikTok access/), deliveryProblemAt: expect.any(Date) });
  expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toMatchObject({ deliveryProblem: null });
  expect(errors).toHaveBeenCalledWith(expect.stringContaining(OTHER_SHOP), expect.stringMatching(/cannot be decrypted/));
  // and Home and Events show it to that merchant, with what to do
  const home = (await (await call(homeLoader, adminRequest("/app", { shop: OTHER_SHOP }))).json()) as { connection: { deliveryProblem: string | null } };
  expect(home.connection.deliveryProblem).toMatch(/stay queued.*reconnect TikTok/);
  const events = (await (await call(eventsLoader, adminRequest("/app/events", { shop: OTHER_SHOP }))).json()) as { deliveryProblem: string | null };
  expect(events.deliveryProblem).toBe(home.connection.deliveryProblem);
  const healthyHome = (await (await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).json()) as { connection: { deliveryProblem: string | null } };
  expect(healthyHome.connection.deliveryProblem).toBeNull();

  // WHEN the merchant reconnects (a fresh token, stored under the current key)
  await reconnectThroughOAuth(OTHER_SHOP);
  await drainAll();
  // THEN the held events are delivered, once each, and the problem is gone
  const after = await control.events();
  for (const id of brokenIds) expect(after.filter((e) => e.event.event_id === id)).toHaveLength(1);
  expect(await prisma.outboxEvent.count({ where: { shop: OTHER_SHOP, status: "sent" } })).toBe(3);
  expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: OTHER_SHOP } })).toMatchObject({ deliveryProblem: null, deliveryProblemAt: null, status: "connected" });
});

it("a stored event that no longer parses fails alone, with the reason; the rest of its shop's batch goes", async () => {
  await connectShop(TEST_SHOP, control);
  const ids = await placeOrders(TEST_SHOP, 3);
  // GIVEN one outbox row damaged at rest (not something a user action produces: the state under test)
  await prisma.outboxEvent.updateMany({ where: { eventId: ids[1] }, data: { payload: "{not json" } });
  const out = await drainOnce();
  expect(out).toMatchObject({ sent: 2, failed: 1, held: 0 });
  expect(await prisma.outboxEvent.findFirstOrThrow({ where: { eventId: ids[1] } })).toMatchObject({ status: "failed", lastErrorClass: "internal", lastError: expect.stringMatching(/unreadable/) });
  expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toMatchObject({ deliveryProblem: null });
});

it("the database connection drops while a pass records TikTok's answer: no shop is blamed, the rows go back at once, and the next pass delivers them under the same event_id", async () => {
  await seedOfflineSession(TEST_SHOP);
  await connectShop(TEST_SHOP, control);
  const ids = await placeOrders(TEST_SHOP, 3);
  // GIVEN the database drops the connection under the write that records TikTok's answer (pg's
  // unwrapped error, as a batch transaction lets it through when PostgreSQL restarts)
  const transaction = prisma.$transaction;
  let drops = 1;
  prisma.$transaction = ((...args: Parameters<typeof transaction>) =>
    drops-- > 0 ? Promise.reject(new Error("Connection terminated unexpectedly")) : transaction.apply(prisma, args)) as typeof transaction;
  try {
    // WHEN the worker makes a pass
    await expect(drainOnce()).rejects.toThrow(/Connection terminated/);
  } finally {
    prisma.$transaction = transaction;
  }
  // THEN nothing blames the shop: its events are queued, free for the next pass, with no shop problem
  for (const row of await prisma.outboxEvent.findMany({ where: { shop: TEST_SHOP } })) {
    expect(row).toMatchObject({ status: "queued", leaseOwner: null, lastErrorClass: null });
    expect(row.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
  }
  expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toMatchObject({ deliveryProblem: null });
  // AND the next pass delivers them; TikTok got each order under one event_id (twice at most)
  expect(await drainAll()).toMatchObject({ sent: 3, held: 0 });
  const events = await control.events();
  for (const id of ids) {
    const copies = events.filter((e) => e.event.event_id === id);
    expect(copies.length).toBeGreaterThanOrEqual(1);
    expect(new Set(copies.map((c) => JSON.stringify(c.event))).size).toBe(1);
  }
  expect(await prisma.outboxEvent.count({ where: { shop: TEST_SHOP, status: "sent" } })).toBe(3);
});
