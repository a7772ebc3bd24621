// Outbox delivery against the in-process TikTok sandbox with injected faults. The worker uses
// real time for backoff; "time passes" is simulated by making due rows due now (timePasses),
// never by calling internals. The client's timeout is 300 ms here so a hung TikTok costs little.
import prisma from "~/core/db.server";
import { drainAll, drainOnce } from "~/features/events/worker.server";
import { action as eventsAction, loader as eventsLoader } from "~/routes/app.events";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import {
  connectShop,
  deliverOrder,
  demoOrder,
  EVENT_TRACK,
  reconnectThroughOAuth,
  seedQueuedEvents,
  startOrdersSandbox,
  timePasses,
  resetOrderPipeline,
} from "../support/orders";

// Runs before the imports above, so the app reads it when it first reads its env.
vi.hoisted(() => {
  process.env.TIKTOK_TIMEOUT_MS = "300";
});

const { sandbox, control } = await startOrdersSandbox();

const DAY = 24 * 60 * 60 * 1000;

afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
});
afterEach(() => vi.restoreAllMocks());

let nextOrder = 5_600_000_000_000;

/** n attributed orders placed a minute ago (the click on the cart, as the embed writes it), posted through the signed route. */
async function placeOrders(n: number, opts: { createdAt?: Date } = {}) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const orderId = nextOrder++;
    const res = await deliverOrder(TEST_SHOP, await demoOrder({ orderId, visitorId: `tta1.${String(orderId).padStart(22, "0")}`, ttclid: `E.C.P.click${orderId}`, createdAt: opts.createdAt ?? new Date(Date.now() - 60_000) }));
    expect(res.status).toBe(200);
    ids.push(String(orderId));
  }
  return ids;
}

async function received() {
  const events = await control.events();
  return events.map((e) => e.event.event_id as string);
}

/** Every id reached TikTok exactly once, and nothing else did. */
async function expectEachOnce(ids: string[]) {
  expect([...(await received())].sort()).toEqual([...ids].sort());
}

const statusOf = async (ids: string[]) =>
  (await prisma.outboxEvent.findMany({ where: { eventId: { in: ids } }, select: { status: true } })).map((e) => e.status);
const eventTrackCalls = () => control.requestCount(EVENT_TRACK);

describe("delivery", () => {
  it("sends queued orders as they were built, keeps TikTok's request id, and marks them sent", async () => {
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(3);
    const out = await drainAll();
    expect(out).toMatchObject({ sent: 3, requests: 1, failed: 0, retried: 0 });
    await expectEachOnce(ids);
    const rows = await prisma.outboxEvent.findMany({ include: { order: true } });
    for (const row of rows) {
      expect(row).toMatchObject({ status: "sent", tiktokRequestId: expect.any(String), sentAt: expect.any(Date), leaseOwner: null });
      expect(row.order.sendDecision).toBe("sent");
    }
    const sent = (await control.events()).find((e) => e.event.event_id === ids[0])!;
    expect(sent.event).toEqual(JSON.parse(rows.find((r) => r.eventId === ids[0])!.payload));
  });

  it("TikTok answering 5xx for a while: retried with backoff, all delivered after, once each", async () => {
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(4);
    // GIVEN TikTok's gateway fails the next three calls
    await control.fault({ path: "/event/track/", kind: "http_5xx", count: 3 });
    // WHEN the worker runs through the outage
    for (let attempt = 1; attempt <= 3; attempt++) {
      const out = await drainAll();
      expect(out).toMatchObject({ sent: 0, retried: 4 });
      const rows = await prisma.outboxEvent.findMany();
      for (const row of rows) {
        expect(row).toMatchObject({ status: "queued", attempts: attempt, lastErrorClass: "retryable", leaseOwner: null });
        expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
      }
      // nothing is due until the backoff has passed
      expect(await drainOnce()).toMatchObject({ requests: 0 });
      await timePasses();
    }
    // THEN once TikTok is back every event is delivered, once
    expect(await drainAll()).toMatchObject({ sent: 4 });
    await expectEachOnce(ids);
    expect(await statusOf(ids)).toEqual(Array(4).fill("sent"));
  });

  it("40100 rate limit: backs off (attempts counted, next attempt later), then delivers", async () => {
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(2);
    await control.fault({ path: "/event/track/", kind: "rate_limit", count: 1 });
    const before = Date.now();
    expect(await drainAll()).toMatchObject({ sent: 0, retried: 2 });
    for (const row of await prisma.outboxEvent.findMany()) {
      expect(row).toMatchObject({ status: "queued", attempts: 1, lastErrorClass: "rate_limited", lastError: expect.stringMatching(/Too many requests/) });
      expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 1_000);
    }
    expect(await received()).toEqual([]);
    await timePasses();
    expect(await drainAll()).toMatchObject({ sent: 2 });
    await expectEachOnce(ids);
  });

  it("a TikTok that does not answer in time: retried, then delivered", async () => {
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(2);
    await control.fault({ path: "/event/track/", kind: "timeout", hang_ms: 5_000, count: 1 });
    expect(await drainAll()).toMatchObject({ sent: 0, retried: 2 });
    for (const row of await prisma.outboxEvent.findMany()) {
      expect(row).toMatchObject({ status: "queued", attempts: 1, lastErrorClass: "retryable", lastError: expect.stringMatching(/no response within 300 ms/) });
    }
    await timePasses();
    expect(await drainAll()).toMatchObject({ sent: 2 });
    await expectEachOnce(ids);
  });

  it("revoked token: events wait (not failed), the shop needs reconnecting; after Reconnect they are delivered", async () => {
    await seedOfflineSession(TEST_SHOP);
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(3);
    // GIVEN the advertiser revokes the app's access at TikTok
    await control.fault({ path: "/event/track/", kind: "revoke", count: 1 });
    // WHEN the worker tries to send
    expect(await drainAll()).toMatchObject({ sent: 0, waiting: 3, failed: 0 });
    // THEN the events wait for a reconnect and the merchant is told to reconnect
    expect(await statusOf(ids)).toEqual(Array(3).fill("waiting_reconnect"));
    const rows = await prisma.outboxEvent.findMany({ include: { order: true } });
    expect(rows.every((r) => r.order.sendDecision === "waiting_reconnect" && r.lastErrorClass === "auth")).toBe(true);
    expect(await prisma.tikTokConnection.findUnique({ where: { shop: TEST_SHOP } })).toMatchObject({ status: "needs_reconnect", lastAuthError: expect.stringMatching(/revoked/) });
    // and an order placed meanwhile waits too; nothing is attempted while waiting
    const later = await placeOrders(1);
    expect(await statusOf(later)).toEqual(["waiting_reconnect"]);
    await timePasses();
    await drainAll();
    expect(await eventTrackCalls()).toBe(1);
    // WHEN the merchant reconnects (new token through TikTok's consent)
    const { connection } = await reconnectThroughOAuth(TEST_SHOP);
    expect(connection.status).toBe("connected");
    // THEN everything that waited goes out, once
    expect(await drainAll()).toMatchObject({ sent: 4 });
    await expectEachOnce([...ids, ...later]);
    const page = await (await call(eventsLoader, adminRequest("/app/events", { shop: TEST_SHOP }))).json();
    expect(page.rows.map((r: { status: string }) => r.status)).toEqual(Array(4).fill("sent"));
  });

  it("an invalid event fails with TikTok's message, the rest of its batch is sent; Resend after the fix sends it with the same event_id", async () => {
    await seedOfflineSession(TEST_SHOP);
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(7);
    // GIVEN one stored event TikTok will refuse (an email that is not a SHA-256 hash)
    const bad = await prisma.outboxEvent.findFirstOrThrow({ where: { eventId: ids[4] } });
    const good = JSON.parse(bad.payload);
    await prisma.outboxEvent.update({ where: { id: bad.id }, data: { payload: JSON.stringify({ ...good, user: { ...good.user, email: "pat@example.com" } }) } });
    // WHEN the worker sends the batch
    const out = await drainAll();
    // THEN the six others are delivered and the bad one fails with TikTok's own words
    expect(out).toMatchObject({ sent: 6, failed: 1 });
    await expectEachOnce(ids.filter((id) => id !== ids[4]));
    const failed = await prisma.outboxEvent.findUniqueOrThrow({ where: { id: bad.id }, include: { order: true } });
    expect(failed).toMatchObject({ status: "failed", lastErrorClass: "invalid", lastError: expect.stringMatching(/user\.email/) });
    expect(failed.order.sendDecision).toBe("failed");
    // and it is never retried by itself
    await timePasses();
    const calls = await eventTrackCalls();
    expect(await drainAll()).toMatchObject({ requests: 0 });
    expect(await eventTrackCalls()).toBe(calls);

    // WHEN the cause is fixed and the merchant presses Resend on the Events page
    await prisma.outboxEvent.update({ where: { id: bad.id }, data: { payload: JSON.stringify(good) } });
    const res = await call(eventsAction, adminRequest("/app/events", { shop: TEST_SHOP, form: { intent: "resend", eventId: bad.id } }));
    expect(await res.json()).toMatchObject({ ok: true });
    // THEN the page no longer shows it as failed, and the worker sends it with the same event_id
    const pageBefore = await (await call(eventsLoader, adminRequest("/app/events?status=failed", { shop: TEST_SHOP }))).json();
    expect(pageBefore.total).toBe(0);
    expect(await drainAll()).toMatchObject({ sent: 1 });
    await expectEachOnce(ids);
    expect((await control.events()).find((e) => e.event.event_id === ids[4])!.event).toEqual(good);
    expect(await prisma.outboxEvent.findUniqueOrThrow({ where: { id: bad.id }, include: { order: true } })).toMatchObject({ status: "sent", order: { sendDecision: "sent" } });
  });

  it("Resend refuses an event that is not failed, and another shop's event", async () => {
    await seedOfflineSession(TEST_SHOP);
    await connectShop(TEST_SHOP, control);
    const [id] = await placeOrders(1);
    const row = await prisma.outboxEvent.findFirstOrThrow({ where: { eventId: id } });
    const res = await call(eventsAction, adminRequest("/app/events", { shop: TEST_SHOP, form: { intent: "resend", eventId: row.id } }));
    expect(await res.json()).toMatchObject({ ok: false });
    await prisma.outboxEvent.update({ where: { id: row.id }, data: { status: "failed" } });
    await seedOfflineSession("intruder.myshopify.com");
    const other = await call(eventsAction, adminRequest("/app/events", { shop: "intruder.myshopify.com", form: { intent: "resend", eventId: row.id } }));
    expect(await other.json()).toMatchObject({ ok: false });
    expect((await prisma.outboxEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("failed");
  });

  it("batches: 2,500 events of one pixel go out in 3 requests of at most 1,000", async () => {
    const { pixelCode } = await connectShop(TEST_SHOP, control);
    const ids = await seedQueuedEvents({ shop: TEST_SHOP, pixelCode, count: 2_500 });
    expect(await drainAll()).toMatchObject({ sent: 2_500, requests: 3 });
    expect(await eventTrackCalls()).toBe(3);
    await expectEachOnce(ids);
    expect(await prisma.orderRecord.count({ where: { sendDecision: "sent" } })).toBe(2_500);
  });

  it("an event that waited for a reconnect past 7 days: after the reconnect it expires (not sent), Events shows why, Home counts it", async () => {
    await seedOfflineSession(TEST_SHOP);
    // GIVEN TikTok needs a reconnect, and an order placed 8 days ago waited for it
    await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - 30 * DAY), status: "needs_reconnect" });
    const [old] = await placeOrders(1, { createdAt: new Date(Date.now() - 8 * DAY) });
    expect(await statusOf([old])).toEqual(["waiting_reconnect"]);
    // WHEN the merchant reconnects and the worker runs
    await reconnectThroughOAuth(TEST_SHOP);
    expect(await drainAll()).toMatchObject({ sent: 0, expired: 1 });
    // THEN nothing reached TikTok, and the Events page lists it as expired with the reason
    expect(await received()).toEqual([]);
    const events = await (await call(eventsLoader, adminRequest("/app/events?status=expired", { shop: TEST_SHOP }))).json();
    expect(events.total).toBe(1);
    expect(events.rows[0]).toMatchObject({ orderId: old, status: "expired", event: { lastError: expect.stringMatching(/within 7 days of the order/) } });
    // and Home counts it and says what it means
    const { loader: homeLoader } = await import("~/routes/app._index");
    const home = await (await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).json();
    expect(home.summary.expired).toBe(1);
    expect(home.summary.advice).toContainEqual(expect.stringMatching(/^1 event\(s\) expired: they could not be delivered in time .*within 7 days otherwise/));
  });

  it("an event older than TikTok's lookback is marked expired and never sent", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - 30 * DAY) });
    // GIVEN an order placed 8 days ago (queued while TikTok waited for a reconnect, say) and a fresh one
    const [old] = await placeOrders(1, { createdAt: new Date(Date.now() - 8 * DAY) });
    const [fresh] = await placeOrders(1);
    expect(await statusOf([old])).toEqual(["queued"]);
    // WHEN the worker runs
    expect(await drainAll()).toMatchObject({ sent: 1, expired: 1 });
    // THEN the old one is expired with the reason, only the fresh one reached TikTok
    await expectEachOnce([fresh]);
    expect(await prisma.outboxEvent.findFirstOrThrow({ where: { eventId: old }, include: { order: true } })).toMatchObject({
      status: "expired",
      lastError: expect.stringMatching(/7 days/),
      order: { sendDecision: "expired" },
    });
  });
});
