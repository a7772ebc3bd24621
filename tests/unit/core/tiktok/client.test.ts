// The client against the sandbox: every operation, every error class, pagination to the last
// page, timeouts. The sandbox is started in-process on a free port.
import { startSandbox, type Sandbox } from "../../../../sandbox/server";
import { sandboxControl, type SandboxControl } from "../../../../sandbox/control";
import { purchaseEvent as sandboxPurchaseEvent } from "../../../../sandbox/test-support";
import { ADVERTISER_IDS, buildWorld } from "../../../../sandbox/world";
import { createTikTokClient, type IntegratedReportParams, type TikTokClient, type TikTokLogEntry } from "~/core/tiktok/client.server";
import type { TikTokEventItem } from "~/core/tiktok/event";
import { TikTokApiError } from "~/core/tiktok/errors";
import type { QuotaLimiter } from "~/core/lib/rate-limit.server";

// The sandbox's own example payload (untyped on purpose: the sandbox does not import the app).
const purchaseEvent = (eventTime: number, overrides?: Record<string, unknown>) => sandboxPurchaseEvent(eventTime, overrides) as TikTokEventItem;

const APP = { appId: "7000000000000000077", appSecret: "client-test-secret" };
const world = buildWorld();
const { berlin, pacific, tokyo } = ADVERTISER_IDS;

let sandbox: Sandbox;
let control: SandboxControl;
let client: TikTokClient;
const logged: { message: string; entry: TikTokLogEntry }[] = [];

const makeClient = (overrides: Partial<Parameters<typeof createTikTokClient>[0]> = {}) =>
  createTikTokClient({
    baseUrl: sandbox.url,
    appId: APP.appId,
    secret: APP.appSecret,
    timeoutMs: 2_000,
    logger: {
      info: (message, entry) => logged.push({ message, entry }),
      warn: (message, entry) => logged.push({ message, entry }),
    },
    ...overrides,
  });

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, ...APP });
  control = sandboxControl(sandbox.url);
  client = makeClient();
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  logged.length = 0;
  await control.reset();
});

async function caught(promise: Promise<unknown>): Promise<TikTokApiError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TikTokApiError);
  return error as TikTokApiError;
}

describe("OAuth", () => {
  test("GIVEN the authorization URL WHEN the merchant approves THEN the code exchanges once for a token", async () => {
    const url = client.authorizationUrl({ state: "s-123", redirectUri: "https://app.example.com/tiktok/callback" });
    expect(url).toBe(
      `${sandbox.url}/portal/auth?app_id=${APP.appId}&state=s-123&redirect_uri=${encodeURIComponent("https://app.example.com/tiktok/callback")}`,
    );
    const form = new URLSearchParams({ app_id: APP.appId, state: "s-123", redirect_uri: "https://app.example.com/tiktok/callback" });
    form.append("advertiser_ids", berlin);
    form.append("advertiser_ids", pacific);
    const approved = await fetch(`${sandbox.url}/portal/auth`, { method: "POST", body: form, redirect: "manual" });
    const location = new URL(approved.headers.get("location")!);
    expect(location.searchParams.get("state")).toBe("s-123");

    const exchanged = await client.exchangeAuthCode(location.searchParams.get("auth_code")!);
    expect(exchanged.advertiserIds).toEqual([berlin, pacific]);
    expect(exchanged.accessToken).toMatch(/^[0-9a-f]{40}$/);
    expect(exchanged.scope).toEqual(expect.any(Array));

    const reused = await caught(client.exchangeAuthCode(location.searchParams.get("auth_code")!));
    expect(reused).toMatchObject({ kind: "invalid", code: 40110, httpStatus: 200 });
    expect(reused.requestId).toEqual(expect.any(String));

    expect(await client.listAdvertisers(exchanged.accessToken)).toEqual([
      { advertiserId: berlin, advertiserName: "Berliner Kaffeerösterei" },
      { advertiserId: pacific, advertiserName: "Pacific Outfitters" },
    ]);
  });

  test("a wrong app secret is `invalid` (40101), not a reconnect", async () => {
    const wrong = makeClient({ secret: "wrong" });
    const token = await control.token([berlin]);
    expect(await caught(wrong.listAdvertisers(token))).toMatchObject({ kind: "invalid", code: 40101 });
  });

  test("revokeToken revokes, and revoking a dead token again is fine", async () => {
    const token = await control.token([berlin]);
    await client.revokeToken(token);
    expect(await caught(client.listAdvertisers(token))).toMatchObject({ kind: "auth", code: 40105 });
    await expect(client.revokeToken(token)).resolves.toBeUndefined();
  });
});

describe("read operations", () => {
  test("advertiserInfo returns currency and time zone", async () => {
    const token = await control.token([berlin, pacific, tokyo]);
    expect(await client.advertiserInfo(token, [berlin, pacific, tokyo])).toEqual([
      { advertiserId: berlin, name: "Berliner Kaffeerösterei", currency: "EUR", timezone: "Europe/Berlin" },
      { advertiserId: pacific, name: "Pacific Outfitters", currency: "USD", timezone: "America/Los_Angeles" },
      { advertiserId: tokyo, name: "Tokyo Stationery", currency: "JPY", timezone: "Asia/Tokyo" },
    ]);
  });

  test("listPixels walks to the last page (23 pixels, 2 requests)", async () => {
    const token = await control.token([pacific]);
    const pixels = await client.listPixels(token, pacific);
    const expected = world.advertiser(pacific)!.pixels;
    expect(pixels).toHaveLength(23);
    expect(pixels).toEqual(expected.map((p) => ({ pixelCode: p.pixelCode, pixelName: p.pixelName, pixelId: p.pixelId })));
    expect(await control.requestCount("/pixel/list/")).toBe(2);
  });

});

describe("reports", () => {
  const params = {
    advertiserId: berlin,
    dataLevel: "AUCTION_ADGROUP" as const,
    dimensions: ["adgroup_id", "stat_time_day"],
    metrics: ["spend", "impressions", "clicks"],
    startDate: "2024-11-01",
    endDate: "2024-11-30",
  };

  // Every page of a report, the way the spend sync walks them.
  async function allRows(token: string, request: Omit<IntegratedReportParams, "page">) {
    const list = [];
    let requests = 0;
    for (let page = 1; ; page++) {
      const result = await client.integratedReport(token, { ...request, page });
      requests++;
      list.push(...result.list);
      if (page >= result.pageInfo.totalPage) return { list, requests };
    }
  }

  test("integratedReport returns one page and walks to the last", async () => {
    const token = await control.token([berlin]);
    const page = await client.integratedReport(token, { ...params, pageSize: 7 });
    expect(page.list).toHaveLength(7);
    expect(page.pageInfo).toMatchObject({ page: 1, pageSize: 7 });
    expect(page.list[0].metrics.spend).toMatch(/^\d+\.\d{2}$/);

    const all = await allRows(token, { ...params, pageSize: 7 });
    expect(all.requests).toBe(page.pageInfo.totalPage);
    expect(all.list).toHaveLength(page.pageInfo.totalNumber);
    expect(await control.requestCount("/report/integrated/get/")).toBe(1 + all.requests);
    const keys = all.list.map((r) => `${r.dimensions.adgroup_id}|${r.dimensions.stat_time_day}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("deleted ad groups' spend only comes with the STATUS_ALL filter", async () => {
    const token = await control.token([berlin]);
    const deleted = world.advertiser(berlin)!.adgroups.filter((g) => g.deleted).map((g) => g.adgroupId);
    const ids = (rows: { dimensions: Record<string, string> }[]) => new Set(rows.map((r) => r.dimensions.adgroup_id));
    const without = await allRows(token, params);
    const withAll = await allRows(token, {
      ...params,
      filtering: [{ field_name: "adgroup_status", filter_type: "IN", filter_value: JSON.stringify(["STATUS_ALL"]) }],
    });
    for (const id of deleted) {
      expect(ids(without.list)).not.toContain(id);
      expect(ids(withAll.list)).toContain(id);
    }
  });

  test.each([
    ["31 days", { startDate: "2024-11-01", endDate: "2024-12-01" }],
    ["end before start", { startDate: "2024-11-02", endDate: "2024-11-01" }],
    ["an invalid date", { startDate: "2024-02-30" }],
    ["page size 1001", { pageSize: 1001 }],
  ])("refuses %s before sending anything", async (_label, overrides) => {
    const token = await control.token([berlin]);
    const error = await caught(client.integratedReport(token, { ...params, ...overrides }));
    expect(error).toMatchObject({ kind: "invalid", code: null, httpStatus: null });
    expect(await control.requestCount("/report/integrated/get/")).toBe(0);
  });
});

describe("events", () => {
  const pixel = world.advertiser(pacific)!.pixels[0].pixelCode;
  const now = () => Math.floor(Date.now() / 1000) - 5;

  test("trackEvents delivers the events as TikTok records them", async () => {
    const token = await control.token([pacific]);
    const event = purchaseEvent(now());
    const result = await client.trackEvents(token, { pixelCode: pixel, events: [event], testEventCode: "TEST123" });
    expect(result).toEqual({ code: 0, message: "OK", requestId: expect.any(String) });
    expect(await control.events()).toEqual([{ received_at: expect.any(String), pixel_code: pixel, test_event_code: "TEST123", event }]);
  });

  test("a 20001 partial success is not a success: it throws, as TikTok's SDK does", async () => {
    const token = await control.token([pacific]);
    await control.fault({ path: "/event/track/", kind: "partial" });
    const events = [purchaseEvent(now(), { event_id: "a" }), purchaseEvent(now(), { event_id: "b" })];
    expect(await caught(client.trackEvents(token, { pixelCode: pixel, events }))).toMatchObject({ kind: "invalid", code: 20001 });
    expect((await control.events()).map((e) => e.event.event_id)).toEqual(["a"]);
  });

  test("more than 1,000 events throws without a request", async () => {
    const token = await control.token([pacific]);
    const events = Array.from({ length: 1001 }, (_, i) => purchaseEvent(now(), { event_id: `o${i}` }));
    expect(await caught(client.trackEvents(token, { pixelCode: pixel, events }))).toMatchObject({ kind: "invalid", code: null });
    expect(await control.requestCount("/event/track/")).toBe(0);
  });

  test("a payload TikTok refuses is `invalid` with the field in the message (HTTP 200 + envelope)", async () => {
    const token = await control.token([pacific]);
    const error = await caught(client.trackEvents(token, { pixelCode: pixel, events: [purchaseEvent(now(), { event_id: 42 })] }));
    expect(error).toMatchObject({ kind: "invalid", code: 40002, httpStatus: 200 });
    expect(error.tiktokMessage).toContain("data[0].event_id");
    expect(error.requestId).toEqual(expect.any(String));
  });

  test("a pixel of another advertiser is `invalid` (40001)", async () => {
    const token = await control.token([berlin]);
    expect(await caught(client.trackEvents(token, { pixelCode: pixel, events: [purchaseEvent(now())] }))).toMatchObject({ kind: "invalid", code: 40001 });
  });
});

describe("error classes", () => {
  const call = (token: string) => client.advertiserInfo(token, [berlin]);

  test("auth: missing (40104), revoked (40105)", async () => {
    expect(await caught(client.advertiserInfo("", [berlin]))).toMatchObject({ kind: "auth", code: 40104 });
    const token = await control.token([berlin]);
    await control.revoke(token);
    expect(await caught(call(token))).toMatchObject({ kind: "auth", code: 40105 });
  });

  test("auth: a token revoked by a fault mid-flight", async () => {
    const token = await control.token([berlin]);
    await control.fault({ path: "/advertiser/info/", kind: "revoke" });
    expect(await caught(call(token))).toMatchObject({ kind: "auth", code: 40105 });
    expect(await caught(client.listPixels(token, berlin))).toMatchObject({ kind: "auth" });
  });

  test("rate_limited: 40100", async () => {
    const token = await control.token([berlin]);
    await control.fault({ path: "/advertiser/info/", kind: "rate_limit" });
    const error = await caught(call(token));
    expect(error).toMatchObject({ kind: "rate_limited", code: 40100 });
    expect(error.retryable).toBe(true);
  });

  test("retryable: HTTP 5xx without an envelope, and 50000 inside one", async () => {
    const token = await control.token([berlin]);
    await control.fault({ path: "/advertiser/info/", kind: "http_5xx", status: 503 });
    expect(await caught(call(token))).toMatchObject({ kind: "retryable", code: null, httpStatus: 503 });
    await control.fault({ path: "/advertiser/info/", kind: "server_error" });
    expect(await caught(call(token))).toMatchObject({ kind: "retryable", code: 50000, httpStatus: 200 });
    expect(await call(token)).toHaveLength(1);
  });

  test("retryable: a timeout ends the call after timeoutMs", async () => {
    const quick = makeClient({ timeoutMs: 150 });
    const token = await control.token([berlin]);
    await control.fault({ path: "/advertiser/info/", kind: "timeout" });
    const started = Date.now();
    const error = await caught(quick.advertiserInfo(token, [berlin]));
    expect(error).toMatchObject({ kind: "retryable", code: null, httpStatus: null });
    expect(error.tiktokMessage).toContain("no response within 150 ms");
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  test("retryable: a network error (nothing listening)", async () => {
    const closed = await startSandbox({ port: 0 });
    await closed.close();
    const offline = makeClient({ baseUrl: closed.url });
    expect(await caught(offline.advertiserInfo("t", [berlin]))).toMatchObject({ kind: "retryable", httpStatus: null });
  });

  test("invalid: an advertiser the token may not operate (40001)", async () => {
    const token = await control.token([tokyo]);
    expect(await caught(call(token))).toMatchObject({ kind: "invalid", code: 40001 });
  });
});

describe("quota and logging", () => {
  test("reads go through the app limiter keyed by advertiser; events through the events limiter keyed by pixel", async () => {
    const keys: { limiter: string; key: string | undefined }[] = [];
    const spy = (limiter: string): QuotaLimiter => ({
      pending: 0,
      acquire: async (key) => void keys.push({ limiter, key }),
    });
    const limited = makeClient({ limiter: spy("app"), eventsLimiter: spy("events") });
    const token = await control.token([pacific]);
    const pixel = world.advertiser(pacific)!.pixels[0].pixelCode;
    await limited.listPixels(token, pacific);
    await limited.trackEvents(token, { pixelCode: pixel, events: [purchaseEvent(Math.floor(Date.now() / 1000))] });
    expect(keys).toEqual([
      { limiter: "app", key: pacific },
      { limiter: "app", key: pacific },
      { limiter: "events", key: pixel },
    ]);
  });

  test("log entries never carry the token or the app secret", async () => {
    const token = await control.token([berlin]);
    await client.listAdvertisers(token);
    await control.revoke(token);
    await caught(client.listAdvertisers(token));
    const text = JSON.stringify(logged);
    expect(logged.map((l) => l.entry.path)).toEqual(["/oauth2/advertiser/get/", "/oauth2/advertiser/get/"]);
    expect(logged[1].entry).toMatchObject({ kind: "auth", code: 40105 });
    expect(text).not.toContain(token);
    expect(text).not.toContain(APP.appSecret);
  });
});
