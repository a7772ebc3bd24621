// Resend means one thing on the Events list and the order page (issue 26 item 6): it is offered
// only where it can help, with advice decided when the page is shown (never "use Resend" next to
// "Resend is off"), and it answers on the page the merchant pressed it on. Orders come in through
// the signed webhook, the sandbox plays TikTok, the worker is the real one.
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, reconnectThroughOAuth, resetOrderPipeline, startOrdersSandbox, timePasses } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox({ timeoutMs: 300 });
const { default: prisma } = await import("~/core/db.server");
const { drainAll } = await import("~/features/events/worker.server");
const { EVENT_RETRY } = await import("~/core/retry-policy");
const { action: eventsAction, loader: eventsLoader } = await import("~/routes/app.events");
const { action: orderAction, loader: orderLoader } = await import("~/routes/app.events_.$orderId");
const { action: settingsAction } = await import("~/routes/app.settings");

const DAY = 24 * 3_600_000;

afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await seedOfflineSession(TEST_SHOP);
  // Connected before the oldest order here: orders from before a connection are not sent.
  await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - (EVENT_RETRY.horizonDays + 2) * DAY) });
});
afterEach(() => vi.restoreAllMocks());

let nextOrder = 5_900_000_000_000;

async function placeOrder(createdAt = new Date(Date.now() - 60_000)) {
  const orderId = nextOrder++;
  expect((await deliverOrder(TEST_SHOP, await demoOrder({ orderId, ttclid: `E.C.P.click${orderId}`, createdAt }))).status).toBe(200);
  return String(orderId);
}

type ShownEvent = { id: string; status: string; lastError: string | null; resendBlocked: string | null; advice: string | null };
const listed = async (orderId: string) =>
  ((await (await call(eventsLoader, adminRequest("/app/events", { shop: TEST_SHOP }))).json()) as { rows: { orderId: string; event: ShownEvent }[] }).rows.find(
    (r) => r.orderId === orderId,
  )!.event;
const detailed = async (orderId: string) => {
  const res = await call(orderLoader, adminRequest(`/app/events/${orderId}`, { shop: TEST_SHOP }), { orderId });
  expect(res.status).toBe(200);
  return ((await res.json()) as { order: { event: ShownEvent } }).order.event;
};
const resend = (action: typeof eventsAction, path: string, eventId: string, params: Record<string, string> = {}) =>
  call(action, adminRequest(path, { shop: TEST_SHOP, form: { intent: "resend", eventId } }), params).then((r) => r.json() as Promise<{ ok: boolean; message: string }>);

it("a failed event advises Resend while Resend is on, and stops once the order passes its horizon, on the list and the order page", async () => {
  // GIVEN a day-old order, which TikTok keeps refusing with a code it does not document
  const orderId = await placeOrder(new Date(Date.now() - DAY));
  await control.fault({ path: "/event/track/", kind: "code", code: 40133, message: "Advertiser QPS limit.", duration_s: 600 });
  for (let i = 0; i < EVENT_RETRY.maxConsecutiveFailures.unknown!; i++) {
    await drainAll();
    await timePasses();
  }
  // THEN both pages show TikTok's words without a stored instruction, and advise Resend next to the button
  for (const e of [await listed(orderId), await detailed(orderId)]) {
    expect(e).toMatchObject({ status: "failed", resendBlocked: null });
    expect(e.lastError).toMatch(/^Not sent after 10 tries: Advertiser QPS limit\. \(code 40133\)/);
    expect(e.lastError).not.toMatch(/Resend/);
    expect(e.advice).toBe("The app has stopped trying by itself. Use Resend to try again.");
  }
  // WHEN the order passes the horizon. Its time moves instead of the clock: the ten passes above
  // then take as long as a busy machine needs, and the pages read the same stored times.
  const pastHorizon = new Date(Date.now() - EVENT_RETRY.horizonDays * DAY - 60_000);
  await prisma.outboxEvent.updateMany({ where: { eventId: orderId }, data: { eventTime: pastHorizon } });
  await prisma.orderRecord.updateMany({ where: { shop: TEST_SHOP, orderId }, data: { orderCreatedAt: pastHorizon } });
  // THEN Resend is off with the reason, and nothing on either page says to use it
  for (const e of [await listed(orderId), await detailed(orderId)]) {
    expect(e.resendBlocked).toMatch(/^Resend is off: the order is more than 7 days old/);
    expect(e.advice).toBeNull();
    expect(e.lastError).not.toMatch(/Resend/);
  }
}, 30_000);

it("a failed event stored with the old 'Reconnect, then Resend' text is shown without it once Resend is off", async () => {
  const orderId = await placeOrder(new Date(Date.now() - (EVENT_RETRY.horizonDays + 1) * DAY + 60_000));
  // Rows written before the advice moved to display time carry it in their stored text.
  await prisma.outboxEvent.updateMany({
    where: { eventId: orderId },
    data: { status: "failed", lastErrorClass: "disconnected", lastError: "Not sent: TikTok was disconnected before this event went out. Reconnect, then Resend." },
  });
  for (const e of [await listed(orderId), await detailed(orderId)]) {
    expect(e.lastError).toBe("Not sent: TikTok was disconnected before this event went out.");
    expect(e.resendBlocked).toMatch(/^Resend is off/);
    expect(e.advice).toBeNull();
  }
});

it("an event whose stored payload is unreadable is not offered Resend, the order page still opens, and a Resend is refused", async () => {
  const orderId = await placeOrder();
  await prisma.outboxEvent.updateMany({ where: { eventId: orderId }, data: { payload: "{not json" } });
  expect(await drainAll()).toMatchObject({ failed: 1 });
  const shown = [await listed(orderId), await detailed(orderId)];
  for (const e of shown) {
    expect(e).toMatchObject({ status: "failed", lastError: expect.stringMatching(/unreadable/), advice: null });
    expect(e.resendBlocked).toMatch(/^Resend is off: the stored event is unreadable/);
  }
  expect(await resend(eventsAction, "/app/events", shown[0].id)).toEqual({ ok: false, message: shown[0].resendBlocked, eventId: shown[0].id });
  expect((await prisma.outboxEvent.findUniqueOrThrow({ where: { id: shown[0].id } })).status).toBe("failed");
});

it("a refused event says what Resend sends, and Resend from the order page answers there and queues it again", async () => {
  const orderId = await placeOrder();
  await control.fault({ path: "/event/track/", kind: "code", code: 40002, message: "Invalid value for data[0].user.email.", count: 1 });
  expect(await drainAll()).toMatchObject({ failed: 1 });
  const e = await detailed(orderId);
  expect(e.advice).toMatch(/^TikTok refused this event\. Resend sends the same stored event again, to the pixel now selected in Settings/);
  expect(await listed(orderId)).toMatchObject({ advice: e.advice, resendBlocked: null });
  // WHEN the merchant presses Resend on the order page
  expect(await resend(orderAction, `/app/events/${orderId}`, e.id, { orderId })).toEqual({ ok: true, message: "Queued again with the same event ID.", eventId: e.id });
  // THEN it goes again with the same event_id
  expect(await drainAll()).toMatchObject({ sent: 1 });
  expect((await control.events()).map((x) => x.event.event_id)).toEqual([orderId]);
});

it("an event that failed because TikTok was disconnected: the advice is for the connection as it is now, and Resend sends it once TikTok is back", async () => {
  const orderId = await placeOrder();
  const res = await call(settingsAction, adminRequest("/app/settings", { shop: TEST_SHOP, form: { intent: "disconnect" } }));
  expect(await res.json()).toMatchObject({ disconnected: true });
  expect(await drainAll()).toMatchObject({ failed: 1 });
  for (const e of [await listed(orderId), await detailed(orderId)]) {
    expect(e).toMatchObject({ status: "failed", resendBlocked: null });
    expect(e.advice).toBe("TikTok was disconnected when this event was due. It is still not connected: connect TikTok from Home, then use Resend.");
  }
  // WHEN the merchant connects TikTok again
  await reconnectThroughOAuth(TEST_SHOP);
  // THEN nothing tells them to reconnect: only Resend is left to do
  const shown = [await listed(orderId), await detailed(orderId)];
  for (const e of shown) expect(e.advice).toBe("TikTok was disconnected when this event was due. It is connected again: use Resend to send it.");
  expect(await resend(eventsAction, "/app/events", shown[0].id)).toMatchObject({ ok: true });
  expect(await drainAll()).toMatchObject({ sent: 1 });
  expect((await control.events()).map((x) => x.event.event_id)).toEqual([orderId]);
});
