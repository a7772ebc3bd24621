// Each class of TikTok's return codes (docs/decisions/0015) driven through the real worker and
// the pages a merchant reads: the sandbox's `code` and `gateway` faults answer a chosen TikTok
// code, or an envelope-less gateway page, on /event/track/; orders come in through the signed
// webhook route; Reconnect goes through the app's OAuth code. "Time passes" makes due rows due
// now (timePasses), never by calling internals.
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, reconnectThroughOAuth, resetOrderPipeline, startOrdersSandbox, timePasses } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox({ timeoutMs: 300 });
const { default: prisma } = await import("~/core/db.server");
const { drainAll } = await import("~/features/events/worker.server");
const { EVENT_RETRY } = await import("~/core/retry-policy");
const { loader: homeLoader } = await import("~/routes/app._index");
const { action: eventsAction, loader: eventsLoader } = await import("~/routes/app.events");

afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await seedOfflineSession(TEST_SHOP);
});
afterEach(() => vi.restoreAllMocks());

let nextOrder = 5_700_000_000_000;

async function placeOrders(n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const orderId = nextOrder++;
    const res = await deliverOrder(TEST_SHOP, await demoOrder({ orderId, ttclid: `E.C.P.click${orderId}`, createdAt: new Date(Date.now() - 60_000) }));
    expect(res.status).toBe(200);
    ids.push(String(orderId));
  }
  return ids;
}

const received = async () => (await control.events()).map((e) => e.event.event_id as string);
const expectEachOnce = async (ids: string[]) => expect([...(await received())].sort()).toEqual([...ids].sort());
const home = async () => (await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).json();
const eventsPage = async (query = "") => (await call(eventsLoader, adminRequest(`/app/events${query}`, { shop: TEST_SHOP }))).json();
const rowsOf = async (ids: string[]) => prisma.outboxEvent.findMany({ where: { eventId: { in: ids } }, include: { order: true } });

describe("reconnect: the token, the grant or the advertiser's login is gone", () => {
  test.each([
    [40114, "Advertiser has logged out."],
    [40130, "The scope is not authorized."],
    [40103, "Refresh token has expired."],
  ])("%i on /event/track/: Home shows Reconnect, events wait; after Reconnect each arrives once", async (code, message) => {
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(3);
    // GIVEN TikTok answers this code (HTTP 200 and its envelope) until the merchant reconnects
    await control.fault({ path: "/event/track/", kind: "code", code, message, duration_s: 600 });
    // WHEN the worker tries to send
    expect(await drainAll()).toMatchObject({ sent: 0, waiting: 3, failed: 0, retried: 0 });
    // THEN the events wait and Home asks for a reconnect, with TikTok's words
    for (const row of await rowsOf(ids)) expect(row).toMatchObject({ status: "waiting_reconnect", lastErrorClass: "auth", order: { sendDecision: "waiting_reconnect" } });
    expect((await home()).connection).toMatchObject({ status: "needs_reconnect", lastAuthError: message });
    // and nothing is attempted while they wait
    await timePasses();
    await drainAll();
    expect(await control.requestCount("/event/track/")).toBe(1);
    // WHEN the merchant reconnects through TikTok's consent (TikTok accepts again)
    await control.clearFaults();
    const { connection } = await reconnectThroughOAuth(TEST_SHOP);
    expect(connection.status).toBe("connected");
    // THEN every event goes out, once, and the pages say so
    expect(await drainAll()).toMatchObject({ sent: 3 });
    await expectEachOnce(ids);
    expect((await home()).connection.status).toBe("connected");
    expect((await eventsPage()).rows.map((r: { status: string }) => r.status)).toEqual(Array(3).fill("sent"));
  });
});

describe("rate limited and server errors: retried, then delivered", () => {
  test.each([
    [61000, "rate_limited", "Too many requests."],
    [40132, "rate_limited", "Request frequency limited."],
    [50002, "retryable", "System timeout."],
    [51012, "retryable", "Pixel service error."],
  ])("%i: the events stay queued with TikTok's message, then go out once TikTok recovers", async (code, kind, message) => {
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(2);
    await control.fault({ path: "/event/track/", kind: "code", code, message, count: 2 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(await drainAll()).toMatchObject({ sent: 0, retried: 2, failed: 0 });
      for (const row of await rowsOf(ids)) {
        expect(row).toMatchObject({ status: "queued", attempts: attempt, lastErrorClass: kind, lastError: expect.stringContaining(`${message} (code ${code})`) });
        expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
      }
      await timePasses();
    }
    expect(await drainAll()).toMatchObject({ sent: 2 });
    await expectEachOnce(ids);
  });
});

describe("request errors: failed visibly with TikTok's message, never retried by themselves", () => {
  test.each([
    [40002, "Invalid value for data[0].user.email."],
    [70001, "Invalid auth type."],
  ])("%i: failed with TikTok's words on the Events page; Resend sends it once TikTok accepts", async (code, message) => {
    await connectShop(TEST_SHOP, control);
    const [id] = await placeOrders(1);
    await control.fault({ path: "/event/track/", kind: "code", code, message, count: 1 });
    expect(await drainAll()).toMatchObject({ sent: 0, failed: 1, retried: 0 });
    const [row] = await rowsOf([id]);
    expect(row).toMatchObject({ status: "failed", lastErrorClass: "invalid", lastError: `${message} (code ${code})`, order: { sendDecision: "failed" } });
    const failed = await eventsPage("?status=failed");
    expect(failed.rows[0].event.lastError).toBe(`${message} (code ${code})`);
    // never retried by itself
    await timePasses();
    expect(await drainAll()).toMatchObject({ requests: 0 });
    // Resend: the same event_id goes again
    const res = await call(eventsAction, adminRequest("/app/events", { shop: TEST_SHOP, form: { intent: "resend", eventId: row.id } }));
    expect(await res.json()).toMatchObject({ ok: true });
    expect(await drainAll()).toMatchObject({ sent: 1 });
    await expectEachOnce([id]);
  });
});

describe("unknown codes: a bounded number of tries, then failed visibly", () => {
  test("40133 (not in TikTok's table) is retried, then failed with the code on the Events page; Resend delivers it", async () => {
    await connectShop(TEST_SHOP, control);
    const [id] = await placeOrders(1);
    await control.fault({ path: "/event/track/", kind: "code", code: 40133, message: "Advertiser QPS limit.", duration_s: 600 });
    const bound = EVENT_RETRY.maxConsecutiveFailures.unknown!;
    for (let attempt = 1; attempt < bound; attempt++) {
      expect(await drainAll()).toMatchObject({ retried: 1, failed: 0 });
      expect((await rowsOf([id]))[0]).toMatchObject({ status: "queued", attempts: attempt, lastErrorClass: "unknown" });
      await timePasses();
    }
    // THEN the last try fails it, visibly, with TikTok's code and message
    expect(await drainAll()).toMatchObject({ retried: 0, failed: 1 });
    expect(await control.requestCount("/event/track/")).toBe(bound);
    const [row] = await rowsOf([id]);
    expect(row).toMatchObject({ status: "failed", lastErrorClass: "unknown", order: { sendDecision: "failed" } });
    expect(row.lastError).toMatch(new RegExp(`^Not sent after ${bound} tries: Advertiser QPS limit\\. \\(code 40133\\) \\(request \\w+\\)\\.$`));
    // and it is not tried again by itself
    await timePasses();
    expect(await drainAll()).toMatchObject({ requests: 0 });
    // WHEN TikTok accepts again and the merchant presses Resend
    await control.clearFaults();
    await call(eventsAction, adminRequest("/app/events", { shop: TEST_SHOP, form: { intent: "resend", eventId: row.id } }));
    expect(await drainAll()).toMatchObject({ sent: 1 });
    await expectEachOnce([id]);
  });
});

describe("envelope-less answers (issue 12 item 7): gateway pages are retried until the horizon", () => {
  test.each([
    [403, "html", "an HTML page"],
    [404, "empty", "an empty body"],
  ] as const)("HTTP %i with %s: retried, and delivered once the gateway recovers", async (status, body, what) => {
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(2);
    await control.fault({ path: "/event/track/", kind: "gateway", status, body, count: 3 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await drainAll()).toMatchObject({ sent: 0, retried: 2, failed: 0 });
      for (const row of await rowsOf(ids)) {
        expect(row).toMatchObject({ status: "queued", attempts: attempt, lastErrorClass: "retryable", lastError: `TikTok's gateway answered HTTP ${status} with ${what}, not a TikTok response` });
      }
      await timePasses();
    }
    expect(await drainAll()).toMatchObject({ sent: 2 });
    await expectEachOnce(ids);
  });

  test("a gateway page that never goes away: retried with the capped backoff, never failed by a count, until the horizon", async () => {
    await connectShop(TEST_SHOP, control);
    const [id] = await placeOrders(1);
    await control.fault({ path: "/event/track/", kind: "gateway", status: 403, duration_s: 600 });
    // Past what used to be the bound (36 tries): still queued, still trying, the wait capped at an hour.
    for (let attempt = 1; attempt <= 40; attempt++) {
      expect(await drainAll()).toMatchObject({ retried: 1, failed: 0 });
      await timePasses();
    }
    const [row] = await rowsOf([id]);
    expect(row).toMatchObject({ status: "queued", attempts: 40, lastErrorClass: "retryable", order: { sendDecision: "queued" } });
    expect(row.lastError).toMatch(/HTTP 403/);
    expect(EVENT_RETRY.maxConsecutiveFailures.retryable).toBeUndefined();
  });
});

describe("20001 partial success on /event/track/", () => {
  test("the event TikTok refused is failed with TikTok's message, never marked sent; the rest are sent", async () => {
    await connectShop(TEST_SHOP, control);
    const ids = await placeOrders(4);
    const refused = ids[2];
    // GIVEN TikTok refuses one event of any batch it is in, answering 20001 for the batch
    await control.fault({ path: "/event/track/", kind: "partial", event_ids: [refused], duration_s: 600 });
    // WHEN the worker sends
    expect(await drainAll()).toMatchObject({ sent: 3, failed: 1 });
    // THEN TikTok never received the refused event, and the app never says it was sent
    const at = await received();
    expect(at).not.toContain(refused);
    expect(new Set(at)).toEqual(new Set(ids.filter((id) => id !== refused)));
    const rows = await rowsOf(ids);
    expect(rows.find((r) => r.eventId === refused)).toMatchObject({ status: "failed", lastErrorClass: "invalid", lastError: "Partial success. (code 20001)", order: { sendDecision: "failed" } });
    expect(rows.filter((r) => r.status === "sent").map((r) => r.eventId).sort()).toEqual(ids.filter((id) => id !== refused).sort());
  });
});
