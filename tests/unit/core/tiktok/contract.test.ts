// Contract tests with the request and response examples in tiktok-api.md: what the client puts
// on the wire (paths, headers, encodings, bodies) and how it reads TikTok's envelopes.
// The network is faked at the fetch boundary; nothing else is mocked.
import { createTikTokClient } from "~/core/tiktok/client.server";
import type { TikTokEventItem } from "~/core/tiktok/event";
import { TikTokApiError } from "~/core/tiktok/errors";

type Sent = { url: URL; method: string; headers: Headers; body: unknown };

const BASE = "https://business-api.tiktok.com";
const TOKEN = "act.example-token-0123456789abcdef";

function fakeTikTok(...responses: (object | { status: number; body: string; contentType?: string })[]) {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const text = typeof init?.body === "string" ? init.body : undefined;
    sent.push({ url: new URL(String(input)), method: init?.method ?? "GET", headers: new Headers(init?.headers), body: text === undefined ? undefined : JSON.parse(text) });
    const next = responses.shift();
    if (!next) throw new Error("unexpected request to TikTok");
    if ("status" in next && "body" in next && typeof next.status === "number" && typeof next.body === "string") {
      return new Response(next.body, { status: next.status, headers: { "Content-Type": next.contentType ?? "text/html" } });
    }
    return Response.json(next);
  };
  const client = createTikTokClient({ baseUrl: BASE, appId: "APP_ID", secret: "APP_SECRET", fetch });
  return { client, sent };
}

const ok = (data: unknown) => ({ code: 0, message: "OK", request_id: "202501010000000A1B2C3D", data });
const jsonQuery = (s: Sent, name: string) => JSON.parse(s.url.searchParams.get(name)!);

async function caught(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TikTokApiError);
  return error as TikTokApiError;
}

test("authorization URL: /portal/auth with app_id, state and the url-encoded redirect_uri", () => {
  const { client } = fakeTikTok();
  expect(client.authorizationUrl({ state: "opaque", redirectUri: "https://app.example.com/tiktok/callback?x=1" })).toBe(
    "https://business-api.tiktok.com/portal/auth?app_id=APP_ID&state=opaque&redirect_uri=https%3A%2F%2Fapp.example.com%2Ftiktok%2Fcallback%3Fx%3D1",
  );
});

test("token exchange: POST JSON {app_id, secret, auth_code}; reads access_token, advertiser_ids and scope", async () => {
  const { client, sent } = fakeTikTok(ok({ access_token: "tok", advertiser_ids: ["7100000000000000001"], scope: [4, 8] }));
  const result = await client.exchangeAuthCode("the-code");
  expect(sent[0].url.toString()).toBe(`${BASE}/open_api/v1.3/oauth2/access_token/`);
  expect(sent[0].method).toBe("POST");
  expect(sent[0].headers.get("content-type")).toBe("application/json");
  expect(sent[0].headers.has("access-token")).toBe(false);
  expect(sent[0].body).toEqual({ app_id: "APP_ID", secret: "APP_SECRET", auth_code: "the-code" });
  expect(result).toMatchObject({ accessToken: "tok", advertiserIds: ["7100000000000000001"], scope: [4, 8] });
});

test("advertiser ids sent as bare JSON numbers come back as exact strings, even above 2^53", async () => {
  const bigAsNumber = '{"code":0,"message":"OK","request_id":"r","data":{"access_token":"t","advertiser_ids":[123,7100000000000000001],"scope":[4]}}';
  const { client } = fakeTikTok({ status: 200, body: bigAsNumber, contentType: "application/json" });
  expect((await client.exchangeAuthCode("c")).advertiserIds).toEqual(["123", "7100000000000000001"]);
});

test("revoke: POST JSON {app_id, secret, access_token}", async () => {
  const { client, sent } = fakeTikTok(ok({}));
  await client.revokeToken(TOKEN);
  expect(sent[0].url.pathname).toBe("/open_api/v1.3/oauth2/revoke_token/");
  expect(sent[0].body).toEqual({ app_id: "APP_ID", secret: "APP_SECRET", access_token: TOKEN });
});

test("authorized advertisers: GET with app_id & secret and the Access-Token header", async () => {
  const { client, sent } = fakeTikTok(ok({ list: [{ advertiser_id: "1", advertiser_name: "A" }] }));
  expect(await client.listAdvertisers(TOKEN)).toEqual([{ advertiserId: "1", advertiserName: "A" }]);
  expect(sent[0].url.pathname).toBe("/open_api/v1.3/oauth2/advertiser/get/");
  expect(Object.fromEntries(sent[0].url.searchParams)).toEqual({ app_id: "APP_ID", secret: "APP_SECRET" });
  expect(sent[0].headers.get("access-token")).toBe(TOKEN);
  expect(sent[0].headers.has("authorization")).toBe(false);
});

test("advertiser info: advertiser_ids and fields JSON-encoded in the query string", async () => {
  const { client, sent } = fakeTikTok(ok({ list: [{ advertiser_id: "1", name: "A", currency: "EUR", timezone: "Europe/Berlin", balance: 3 }] }));
  expect(await client.advertiserInfo(TOKEN, ["1", "1"])).toEqual([{ advertiserId: "1", name: "A", currency: "EUR", timezone: "Europe/Berlin" }]);
  expect(sent[0].url.searchParams.get("advertiser_ids")).toBe('["1"]');
  expect(jsonQuery(sent[0], "fields")).toEqual(["advertiser_id", "name", "currency", "timezone"]);
});

test("pixel list: page_size 20, reads data.pixels and data.page_info, follows total_page", async () => {
  const pixel = (n: number) => ({ pixel_id: `7${n}`, pixel_code: `CODE${n}`, pixel_name: `Pixel ${n}`, pixel_category: "STANDARD" });
  const { client, sent } = fakeTikTok(
    ok({ pixels: [pixel(1)], page_info: { page: 1, page_size: 20, total_number: 2, total_page: 2 } }),
    ok({ pixels: [pixel(2)], page_info: { page: 2, page_size: 20, total_number: 2, total_page: 2 } }),
  );
  expect(await client.listPixels(TOKEN, "42")).toEqual([
    { pixelCode: "CODE1", pixelName: "Pixel 1", pixelId: "71" },
    { pixelCode: "CODE2", pixelName: "Pixel 2", pixelId: "72" },
  ]);
  expect(sent.map((s) => Object.fromEntries(s.url.searchParams))).toEqual([
    { advertiser_id: "42", page: "1", page_size: "20" },
    { advertiser_id: "42", page: "2", page_size: "20" },
  ]);
});

test("event track: the Events API 2.0 body with event_source, event_source_id and test_event_code at the top level", async () => {
  const { client, sent } = fakeTikTok(ok({}));
  const event: TikTokEventItem = { event: "Purchase", event_time: 1735689600, event_id: "shopify_order_5324830114101", user: {}, properties: { value: 59.98, currency: "USD" } };
  const result = await client.trackEvents(TOKEN, { pixelCode: "PIXEL", events: [event], testEventCode: "TEST12345" });
  expect(sent[0].url.toString()).toBe(`${BASE}/open_api/v1.3/event/track/`);
  expect(sent[0].headers.get("access-token")).toBe(TOKEN);
  expect(sent[0].body).toEqual({ event_source: "web", event_source_id: "PIXEL", test_event_code: "TEST12345", data: [event] });
  expect(result).toEqual({ requestId: "202501010000000A1B2C3D", code: 0, message: "OK" });
});

test("event track: 20001 partial success throws (TikTok's SDK raises on any code but 0); HTTP 400 with 40002 throws `invalid`", async () => {
  const { client } = fakeTikTok(
    { code: 20001, message: "Partial success", request_id: "r1", data: { failed: 1 } },
    { status: 400, body: JSON.stringify({ code: 40002, message: "Invalid value for event_id: not a valid string", request_id: "r2", data: {} }), contentType: "application/json" },
  );
  // TikTok's answer is canned here, so the event's content does not matter.
  const events = [{} as TikTokEventItem];
  expect(await caught(client.trackEvents(TOKEN, { pixelCode: "P", events }))).toMatchObject({ kind: "invalid", code: 20001, requestId: "r1" });
  const error = await caught(client.trackEvents(TOKEN, { pixelCode: "P", events }));
  expect(error).toMatchObject({ kind: "invalid", code: 40002, httpStatus: 400, requestId: "r2", tiktokMessage: "Invalid value for event_id: not a valid string" });
});

test("integrated report: BASIC, JSON-encoded dimensions/metrics/filtering, string metrics in the response", async () => {
  const { client, sent } = fakeTikTok(
    ok({
      list: [{ dimensions: { campaign_id: "1800000000000000001", stat_time_day: "2025-01-31 00:00:00" }, metrics: { spend: "12.34", impressions: "1000", clicks: "17", campaign_name: "C" } }],
      page_info: { page: 1, page_size: 1000, total_number: 1, total_page: 1 },
    }),
  );
  const filtering = [{ field_name: "campaign_status", filter_type: "IN", filter_value: '["STATUS_ALL"]' }];
  const result = await client.integratedReport(TOKEN, {
    advertiserId: "7100000000000000001",
    dataLevel: "AUCTION_CAMPAIGN",
    dimensions: ["campaign_id", "stat_time_day"],
    metrics: ["spend", "impressions", "clicks", "campaign_name"],
    startDate: "2025-01-02",
    endDate: "2025-01-31",
    filtering,
  });
  const q = sent[0].url.searchParams;
  expect(sent[0].url.pathname).toBe("/open_api/v1.3/report/integrated/get/");
  expect(q.get("advertiser_id")).toBe("7100000000000000001");
  expect(q.get("report_type")).toBe("BASIC");
  expect(q.get("data_level")).toBe("AUCTION_CAMPAIGN");
  expect(q.get("dimensions")).toBe('["campaign_id","stat_time_day"]');
  expect(jsonQuery(sent[0], "metrics")).toEqual(["spend", "impressions", "clicks", "campaign_name"]);
  expect(q.get("start_date")).toBe("2025-01-02");
  expect(q.get("end_date")).toBe("2025-01-31");
  expect(jsonQuery(sent[0], "filtering")).toEqual(filtering);
  expect(q.get("page")).toBe("1");
  expect(q.get("page_size")).toBe("1000");
  expect(q.has("filters")).toBe(false);
  expect(result.list[0]).toEqual({
    dimensions: { campaign_id: "1800000000000000001", stat_time_day: "2025-01-31 00:00:00" },
    metrics: { spend: "12.34", impressions: "1000", clicks: "17", campaign_name: "C" },
  });
  expect(result.pageInfo).toEqual({ page: 1, pageSize: 1000, totalNumber: 1, totalPage: 1 });
});

test("a base URL with a trailing slash still yields single slashes and the trailing slash on the path", async () => {
  const sent: string[] = [];
  const client = createTikTokClient({
    baseUrl: `${BASE}/`,
    appId: "A",
    secret: "S",
    fetch: async (input) => {
      sent.push(String(input));
      return Response.json(ok({}));
    },
  });
  await client.revokeToken("t");
  expect(sent).toEqual([`${BASE}/open_api/v1.3/oauth2/revoke_token/`]);
});

describe("envelopes and failures", () => {
  const call = (client: ReturnType<typeof fakeTikTok>["client"]) => client.listAdvertisers(TOKEN);

  test("HTTP 200 with code 40104 (the documented missing-token answer) is `auth`", async () => {
    const { client } = fakeTikTok({ code: 40104, message: "Access token is null, you should set it in http header with key Access-Token.", request_id: "r", data: {} });
    expect(await caught(call(client))).toMatchObject({ kind: "auth", code: 40104, httpStatus: 200, requestId: "r" });
  });

  test.each([
    [40100, "rate_limited"],
    [40016, "rate_limited"],
    [61000, "rate_limited"],
    [40133, "unknown"],
    [40105, "auth"],
    [40114, "auth"],
    [70001, "invalid"],
    [40000, "invalid"],
    [50002, "retryable"],
    [60001, "retryable"],
  ] as const)("HTTP 200 with code %i is %s", async (code, kind) => {
    const { client } = fakeTikTok({ code, message: "m", request_id: "r", data: {} });
    expect(await caught(call(client))).toMatchObject({ kind, code });
  });

  test("pages without an envelope (HTML, empty, plain text) are `retryable` with the HTTP status in the message, whatever the status", async () => {
    const { client } = fakeTikTok(
      { status: 403, body: "<html><body>403 Forbidden</body></html>" },
      { status: 404, body: "" },
      { status: 404, body: "404 page not found" },
      { status: 200, body: JSON.stringify({ error: "proxy" }), contentType: "application/json" },
    );
    expect(await caught(call(client))).toMatchObject({ kind: "retryable", code: null, httpStatus: 403, tiktokMessage: "TikTok's gateway answered HTTP 403 with an HTML page, not a TikTok response" });
    expect(await caught(call(client))).toMatchObject({ kind: "retryable", httpStatus: 404, tiktokMessage: "TikTok's gateway answered HTTP 404 with an empty body, not a TikTok response" });
    expect(await caught(call(client))).toMatchObject({ kind: "retryable", httpStatus: 404 });
    // A JSON object with none of the envelope's fields is not TikTok's answer either.
    expect(await caught(call(client))).toMatchObject({ kind: "retryable", httpStatus: 200 });
  });

  test("nullable message and request_id keep TikTok's real code", async () => {
    const { client } = fakeTikTok(
      { code: 40105, message: null, request_id: null, data: null },
      { code: 40114, message: "Advertiser logged out", request_id: null },
      { code: 50002 },
    );
    expect(await caught(call(client))).toMatchObject({ kind: "auth", code: 40105, requestId: null, tiktokMessage: "code 40105" });
    expect(await caught(call(client))).toMatchObject({ kind: "auth", code: 40114, tiktokMessage: "Advertiser logged out" });
    expect(await caught(call(client))).toMatchObject({ kind: "retryable", code: 50002 });
  });

  test("a missing code with HTTP 2xx is success only where TikTok's spec says code is shown for errors only", async () => {
    const pixels = { pixels: [], page_info: { page: 1, page_size: 20, total_number: 0, total_page: 0 } };
    const { client } = fakeTikTok({ message: "OK", request_id: "r", data: pixels }, { message: "OK", request_id: "r2", data: {} }, { code: null, message: "OK", request_id: "r3", data: { list: [] } });
    // /pixel/list/ has a spec (yml_files/pixel_list.yml): `code` "will be shown only if it is an error request".
    expect(await client.listPixels(TOKEN, "1")).toEqual([]);
    // /event/track/ has none: no code is not taken as accepted.
    expect(await caught(client.trackEvents(TOKEN, { pixelCode: "P", events: [{} as TikTokEventItem] }))).toMatchObject({ kind: "unknown", code: null, httpStatus: 200, requestId: "r2" });
    // /oauth2/advertiser/get/ has none either.
    expect(await caught(call(client))).toMatchObject({ kind: "unknown", requestId: "r3" });
  });

  test("a 502 gateway page is `retryable`; a 200 that is not JSON is `retryable` too", async () => {
    const { client } = fakeTikTok({ status: 502, body: "<html>Bad Gateway</html>" }, { status: 200, body: "<html>maintenance</html>" });
    expect(await caught(call(client))).toMatchObject({ kind: "retryable", httpStatus: 502 });
    expect(await caught(call(client))).toMatchObject({ kind: "retryable", httpStatus: 200 });
  });

  test("an HTTP error whose envelope says OK is still an error", async () => {
    const { client } = fakeTikTok({ status: 500, body: JSON.stringify(ok({ list: [] })), contentType: "application/json" });
    expect(await caught(call(client))).toMatchObject({ kind: "retryable", code: null, httpStatus: 500 });
  });

  test("data that does not match the documented shape is refused with the path of the mismatch", async () => {
    const { client } = fakeTikTok(ok({ list: [{ advertiser_id: "1" }], oops: true }), ok({ pixels: [] }));
    expect(await caught(call(client))).toMatchObject({ kind: "invalid", code: 0 });
    const error = await caught(client.listPixels(TOKEN, "1"));
    expect(error.tiktokMessage).toContain("page_info");
  });

  test("a fetch that rejects is a `retryable` network error", async () => {
    const client = createTikTokClient({ baseUrl: BASE, appId: "A", secret: "S", fetch: async () => Promise.reject(new TypeError("fetch failed")) });
    const error = await caught(client.listAdvertisers(TOKEN));
    expect(error).toMatchObject({ kind: "retryable", code: null, httpStatus: null });
    expect(error.tiktokMessage).toContain("fetch failed");
  });

  test("a network error message never carries the secret, the token or the query string", async () => {
    const client = createTikTokClient({ baseUrl: "http://bad host.invalid", appId: "A", secret: "APP_SECRET_VALUE_123" });
    const error = await caught(client.listAdvertisers(TOKEN));
    expect(error.kind).toBe("retryable");
    expect(error.message).toContain("network error");
    for (const text of [error.message, error.tiktokMessage, JSON.stringify(error)]) {
      expect(text).not.toContain("APP_SECRET_VALUE_123");
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain("app_id=");
    }
    expect(error.cause).toBeUndefined();
  });

  test("every call is aborted after timeoutMs, including a body that never finishes", async () => {
    const client = createTikTokClient({
      baseUrl: BASE,
      appId: "A",
      secret: "S",
      timeoutMs: 100,
      fetch: async (_input, init) => {
        const signal = init!.signal!;
        const body = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"code":0,'));
            signal.addEventListener("abort", () => controller.error(signal.reason));
          },
        });
        return new Response(body, { status: 200 });
      },
    });
    const error = await caught(client.listAdvertisers(TOKEN));
    expect(error).toMatchObject({ kind: "retryable", httpStatus: 200 });
    expect(error.tiktokMessage).toBe("no response within 100 ms");
  });
});
