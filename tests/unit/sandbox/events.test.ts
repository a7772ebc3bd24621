// /event/track/ accepts every body TikTok's own server-side template sends (its template.tpl
// test cases, kept as fixtures), refuses mistakes with the code from TikTok's return-code table
// and a message naming the field, answers a sandbox limit for what it does not model, and records
// only what it accepted.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { startSandbox, type Sandbox } from "../../../sandbox/server";
import { sandboxControl, type SandboxControl } from "../../../sandbox/control";
import { purchaseEvent, raw, sha256 } from "../../../sandbox/test-support";

const NOW = new Date("2025-01-01T00:05:00Z");
const NOW_S = NOW.getTime() / 1000;
const TRACK = "/open_api/v1.3/event/track/";

let sandbox: Sandbox;
let control: SandboxControl;
let token: string;
let pixel: string;
let otherPixel: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, now: () => NOW });
  control = sandboxControl(sandbox.url);
});
afterAll(() => sandbox.close());

beforeEach(async () => {
  await control.reset();
  const world = await control.world();
  const [berlin, pacific] = world.advertisers;
  token = await control.token([pacific.advertiser_id]);
  pixel = pacific.pixels[0].pixel_code;
  otherPixel = berlin.pixels[0].pixel_code;
});

const body = (data: unknown[], extra: Record<string, unknown> = {}) => ({ event_source: "web", event_source_id: pixel, data, ...extra });
const track = (payload: unknown, t = token) => raw(sandbox.url, TRACK, { token: t, body: payload });

async function expectRefused(payload: unknown, code: number, messagePart: string | RegExp) {
  const res = await track(payload);
  expect(res.json).toMatchObject({ code });
  expect(res.json.message).toMatch(messagePart);
  expect(res.json.request_id).toEqual(expect.any(String));
  expect(await control.events()).toEqual([]);
  return res;
}

const FIXTURES = path.resolve(__dirname, "../../fixtures/tiktok/gtm-template-eapi");
type TemplateFixture = { source: { repository: string; commit: string; test: string }; body: { event_source_id: string; data: Record<string, unknown>[] } };
const templateCases = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(path.join(FIXTURES, f), "utf8")) as TemplateFixture] as const);

/** The fixture as the template would send it now: its time stamp is the send time (template.js:288), to our pixel. */
const asSentNow = (fixture: TemplateFixture) => ({
  ...fixture.body,
  event_source_id: pixel,
  data: fixture.body.data.map((e): Record<string, unknown> => ({ ...e, event_time: NOW_S })),
});

describe("TikTok's template bodies (tiktok/gtm-template-eapi template.tpl tests)", () => {
  test("there is a fixture for each of TikTok's nine test scenarios, each naming its source", () => {
    expect(new Set(templateCases.map(([, f]) => f.source.test))).toEqual(
      new Set(["TestGA", "TestGAAutofillValueAndCurrency", "TestManualSingleContentUrlTtclid", "TestPIIHashAndCleaning", "TestPIIMissing", "TestPIIHashed", "TestPIIPlainButHashed", "TestTtclid", "TestEcommerceParsing"]),
    );
    for (const [, f] of templateCases) expect(f.source).toMatchObject({ repository: "tiktok/gtm-template-eapi", commit: "089e34eef2e02f8b12a50e9180d958fdb15e6f25" });
  });

  test.each(templateCases)("%s is accepted (code 0, HTTP 200) and recorded as sent", async (_name, fixture) => {
    const sent = asSentNow(fixture);
    const res = await track(sent);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ code: 0, message: "OK" });
    expect((await control.events()).map((e) => e.event)).toEqual(sent.data);
  });

  test("upper-case hex hashes, which the template passes through unchanged (template.js isHashed), are accepted", async () => {
    const fixture = templateCases.find(([name]) => name === "TestPIIHashed")![1];
    const sent = asSentNow(fixture);
    const user = sent.data[0].user as Record<string, string>;
    sent.data[0] = { ...sent.data[0], user: Object.fromEntries(Object.entries(user).map(([k, v]) => [k, v.toUpperCase()])) };
    expect((await track(sent)).json.code).toBe(0);
  });
});

describe("accepted payloads", () => {
  test.each(["Purchase", "CompletePayment", "PlaceAnOrder", "AddToCart", "MyCustomEvent"])("accepts the event name %s (the template passes any name through)", async (name) => {
    expect((await track(body([purchaseEvent(NOW_S - 10, { event: name })]))).json.code).toBe(0);
  });

  test("accepts identifiers as arrays of hashes, exactly 1,000 events, and events 6 days old", async () => {
    const events = Array.from({ length: 1000 }, (_, i) =>
      purchaseEvent(NOW_S - 6 * 86_400, { event_id: `order-${i}`, user: { email: [sha256("a@x.com"), sha256("b@x.com")] } }),
    );
    const res = await track(body(events));
    expect(res.json.code).toBe(0);
    const recorded = await control.events();
    expect(recorded).toHaveLength(1000);
    expect(recorded[0].test_event_code).toBeNull();
  });

  test("accepts event_time within the clock-skew allowance", async () => {
    expect((await track(body([purchaseEvent(NOW_S + 30)]))).json.code).toBe(0);
  });
});

describe("mistakes are refused with TikTok's codes (HTTP 200 and the envelope, as TikTok's specs show)", () => {
  test("numeric event_id → 40002 'not a valid string'", async () => {
    const res = await expectRefused(body([purchaseEvent(NOW_S, { event_id: 5324830114101 })]), 40002, "Invalid value for data[0].event_id: not a valid string");
    expect(res.status).toBe(200);
  });

  test("event_source missing at the top level → 40002", async () => {
    await expectRefused({ event_source_id: pixel, data: [purchaseEvent(NOW_S)] }, 40002, "Invalid value for event_source: must be web, app or offline.");
  });

  test.each([
    ["an ISO timestamp", "2025-01-01T00:00:00Z", /event_time: must be an integer Unix timestamp in seconds/],
    ["milliseconds", NOW.getTime(), /event_time: must be in seconds, not milliseconds/],
    ["a fraction", NOW_S - 0.5, /event_time: must be an integer/],
    ["the future", NOW_S + 3600, /event_time: must not be in the future/],
    ["older than the lookback", NOW_S - 8 * 86_400, /event_time: must be within the last 7 days/],
  ])("event_time as %s → 40002", async (_label, value, message) => {
    await expectRefused(body([purchaseEvent(NOW_S, { event_time: value })]), 40002, message);
  });

  test.each([
    ["unhashed email", { email: "buyer@example.com" }, /PII not hashed: data\[0\]\.user\.email must be a SHA-256 hash/],
    ["unhashed phone", { phone: "+14155550123" }, /data\[0\]\.user\.phone/],
    ["unhashed external_id", { external_id: "customer-1" }, /data\[0\]\.user\.external_id/],
    ["one bad value in an array", { email: [sha256("a@b.c"), "b@c.d"] }, /data\[0\]\.user\.email\[1\]/],
  ])("user with %s → 40062 (PII_NOT_HASHED)", async (_label, user, message) => {
    await expectRefused(body([purchaseEvent(NOW_S, { user })]), 40062, message);
  });

  test.each([
    ["hashed ttclid", { ttclid: sha256("E.C.P.x") }, /data\[0\]\.user\.ttclid: must be sent unhashed/],
    ["hashed ip", { ip: sha256("203.0.113.7") }, /data\[0\]\.user\.ip: must be sent unhashed/],
    ["not an ip", { ip: "localhost" }, /data\[0\]\.user\.ip: must be an IPv4 or IPv6 address/],
  ])("user with %s → 40002", async (_label, user, message) => {
    await expectRefused(body([purchaseEvent(NOW_S, { user })]), 40002, message);
  });

  test.each([
    ["value as a string", { value: "59.98", currency: "USD" }, /properties\.value: must be a number/],
    ["lower-case currency", { value: 1, currency: "usd" }, /properties\.currency: must be an ISO 4217/],
    ["unknown currency", { value: 1, currency: "XYZ" }, /properties\.currency/],
    ["price as a string", { value: 1, currency: "EUR", contents: [{ content_id: "a", price: "(null)" }] }, /contents\[0\]\.price: must be a number/],
    ["a content_type other than product or product_group", { contents: [{ content_type: "sku", content_id: "a" }] }, /contents\[0\]\.content_type/],
  ])("properties with %s → 40002", async (_label, properties, message) => {
    await expectRefused(body([purchaseEvent(NOW_S, { properties })]), 40002, message);
  });

  test("more than 1,000 events → 40061 (INVALID_BATCH_SIZE), and nothing is recorded", async () => {
    const events = Array.from({ length: 1001 }, (_, i) => purchaseEvent(NOW_S, { event_id: `o-${i}` }));
    await expectRefused(body(events), 40061, "Invalid batch size: data must contain between 1 and 1000 events (got 1001)");
  });

  test("an empty data array → 40061", async () => {
    await expectRefused(body([]), 40061, /data must contain between 1 and 1000/);
  });

  test("an empty partner_name → 40063 (INVALID_PARTNER_NAME)", async () => {
    await expectRefused(body([purchaseEvent(NOW_S)], { partner_name: "" }), 40063, /partner_name/);
  });

  test("one bad event refuses the whole batch", async () => {
    await expectRefused(body([purchaseEvent(NOW_S), purchaseEvent(NOW_S, { event_id: 7 })]), 40002, /data\[1\]\.event_id/);
  });

  test("a pixel of another advertiser → 40001", async () => {
    await expectRefused({ ...body([purchaseEvent(NOW_S)]), event_source_id: otherPixel }, 40001, /No permission to operate pixel/);
  });

  test("no Access-Token header → 40104", async () => {
    const res = await raw(sandbox.url, TRACK, { body: body([purchaseEvent(NOW_S)]) });
    expect(res.json).toMatchObject({ code: 40104, message: "Access token is null, you should set it in http header with key Access-Token." });
  });

  test("a revoked token → 40105", async () => {
    await control.revoke(token);
    await expectRefused(body([purchaseEvent(NOW_S)]), 40105, "Access token is incorrect or has been revoked.");
  });

  test("the path without its trailing slash → 404 without an envelope", async () => {
    const res = await raw(sandbox.url, "/open_api/v1.3/event/track", { token, body: body([purchaseEvent(NOW_S)]) });
    expect(res.status).toBe(404);
    expect(res.json).toBeNull();
    expect(await control.events()).toEqual([]);
  });

  test("a non-JSON content type → 40002", async () => {
    const res = await raw(sandbox.url, TRACK, { token, body: JSON.stringify(body([purchaseEvent(NOW_S)])), contentType: "text/plain" });
    expect(res.json).toMatchObject({ code: 40002 });
  });
});

describe("the fields of TikTok's own Segment destination (reportWebEvent/utils.ts @970a17ee)", () => {
  test("accepts hashed names and zip code, plain city, state, country and locale, content_ids, num_items and limited_data_use", async () => {
    const user = { first_name: sha256("ada"), last_name: sha256("lovelace"), zip_code: sha256("10001"), city: "newyork", state: "ny", country: "us", locale: "en-US" };
    const event = purchaseEvent(NOW_S, { user });
    const res = await track(body([{ ...event, limited_data_use: true, properties: { ...event.properties, content_ids: ["1"], num_items: 2, content_type: "product" } }]));
    expect(res.json).toMatchObject({ code: 0 });
  });

  test.each([
    ["a first name in clear", { first_name: "Ada" }, 40062],
    ["a hashed city", { city: sha256("newyork") }, 40002],
  ] as const)("refuses %s", async (_label, user, code) => {
    const res = await track(body([purchaseEvent(NOW_S, { user })]));
    expect(res.json).toMatchObject({ code });
  });

  test("refuses limited_data_use that is not a boolean, and content_ids that are not strings", async () => {
    expect((await track(body([{ ...purchaseEvent(NOW_S), limited_data_use: "yes" }]))).json).toMatchObject({ code: 40002 });
    const event = purchaseEvent(NOW_S);
    expect((await track(body([{ ...event, properties: { ...event.properties, content_ids: [1] } }]))).json).toMatchObject({ code: 40002 });
  });
});

describe("what the sandbox does not model is a sandbox limit (HTTP 501, code null), not a TikTok code", () => {
  test.each([
    ["event_source inside data[]", () => body([{ ...purchaseEvent(NOW_S), event_source: "web" }]), /data\[0\]\.event_source belongs at the top level/],
    ["test_event_code inside data[]", () => body([{ ...purchaseEvent(NOW_S), test_event_code: "TEST1" }]), /data\[0\]\.test_event_code/],
    ["a v1 field (timestamp)", () => body([{ ...purchaseEvent(NOW_S), timestamp: "2025-01-01T00:00:00Z" }]), /Events API 1\.0/],
    ["a v1 top-level field (pixel_code)", () => ({ ...body([purchaseEvent(NOW_S)]), pixel_code: pixel }), /pixel_code is not a field/],
    ["a user field no TikTok source has (phone_number)", () => body([purchaseEvent(NOW_S, { user: { phone_number: sha256("+1415") } })]), /user\.phone_number/],
    ["an app event source", () => ({ ...body([purchaseEvent(NOW_S)]), event_source: "app" }), /only web events/],
  ])("%s", async (_label, payload, message) => {
    const res = await track(payload());
    expect(res.status).toBe(501);
    expect(res.json).toMatchObject({ code: null, message: expect.stringMatching(/^Sandbox limit, not a TikTok answer: /) });
    expect(res.json.message).toMatch(message);
    expect(await control.events()).toEqual([]);
  });
});
