// /event/track/ refuses every payload mistake in the reference's pitfalls list with TikTok's
// code and a message naming the field, and records only what it accepted.
import { startSandbox, type Sandbox } from "./server";
import { sandboxControl, type SandboxControl } from "./control";
import { purchaseEvent, raw, sha256 } from "./test-support";

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

describe("accepted payloads", () => {
  test("GIVEN the reference's example body WHEN posted THEN code 0 and the event is recorded as sent", async () => {
    const example = {
      event_source: "web",
      event_source_id: pixel,
      test_event_code: "TEST12345",
      partner_name: "tiktok-ads-bridge",
      data: [
        {
          event: "Purchase",
          event_time: 1735689600,
          event_id: "shopify_order_5324830114101",
          user: {
            email: sha256("a@example.com"),
            phone: sha256("+14155550123"),
            external_id: sha256("c-1"),
            ttclid: "E.C.P.xxxx",
            ttp: "2F7h37YkS1j57AYSKTI7IHhJPYH",
            ip: "203.0.113.7",
            user_agent: "Mozilla/5.0 ...",
            locale: "en-US",
            first_name: sha256("ada"),
            last_name: sha256("lovelace"),
            zip_code: sha256("94107"),
            city: "newyork",
            state: "ny",
            country: "us",
          },
          page: { url: "https://shop.example/checkouts/abc/thank_you", referrer: "https://shop.example/cart" },
          properties: {
            value: 59.98,
            currency: "USD",
            content_type: "product",
            order_id: "1001",
            contents: [{ content_id: "SKU-1", content_name: "Shirt", content_category: "Tops", price: 29.99, quantity: 2, brand: "Acme" }],
            num_items: 2,
          },
          limited_data_use: false,
        },
      ],
    };
    const res = await track(example);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ code: 0, message: "OK", data: {} });
    const events = await control.events();
    expect(events).toEqual([{ received_at: NOW.toISOString(), pixel_code: pixel, test_event_code: "TEST12345", event: example.data[0] }]);
  });

  test.each(["Purchase", "CompletePayment", "PlaceAnOrder", "AddToCart"])("accepts the standard event %s", async (name) => {
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

describe("pitfalls from the reference (§6) are refused", () => {
  test("numeric event_id → 40002 'not a valid string', HTTP 400 like the one public report", async () => {
    const res = await expectRefused(body([purchaseEvent(NOW_S, { event_id: 5324830114101 })]), 40002, "Invalid value for data[0].event_id: not a valid string");
    expect(res.status).toBe(400);
  });

  test("event_source inside data[] → 40002 naming data[0].event_source", async () => {
    await expectRefused(body([{ ...purchaseEvent(NOW_S), event_source: "web" }]), 40002, /data\[0\]\.event_source/);
  });

  test("event_source missing at the top level → TikTok's own message", async () => {
    await expectRefused({ event_source_id: pixel, data: [{ ...purchaseEvent(NOW_S), event_source: "web" }] }, 40002, "Invalid value for event_source: must be web, app or offline.");
  });

  test("test_event_code inside data[] → 40002", async () => {
    await expectRefused(body([{ ...purchaseEvent(NOW_S), test_event_code: "TEST1" }]), 40002, /data\[0\]\.test_event_code/);
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
    ["unhashed email", { email: "buyer@example.com" }, /data\[0\]\.user\.email: must be a SHA-256 hash/],
    ["upper-case hash", { email: sha256("a@b.c").toUpperCase() }, /data\[0\]\.user\.email/],
    ["unhashed phone", { phone: "+14155550123" }, /data\[0\]\.user\.phone/],
    ["unhashed external_id", { external_id: "customer-1" }, /data\[0\]\.user\.external_id/],
    ["one bad value in an array", { email: [sha256("a@b.c"), "b@c.d"] }, /data\[0\]\.user\.email\[1\]/],
    ["hashed ttclid", { ttclid: sha256("E.C.P.x") }, /data\[0\]\.user\.ttclid: must be sent unhashed/],
    ["hashed ip", { ip: sha256("203.0.113.7") }, /data\[0\]\.user\.ip: must be sent unhashed/],
    ["not an ip", { ip: "localhost" }, /data\[0\]\.user\.ip: must be an IPv4 or IPv6 address/],
    ["v1 phone_number", { phone_number: sha256("+1415") }, /data\[0\]\.user\.phone_number is not a parameter/],
  ])("user with %s → 40002", async (_label, user, message) => {
    await expectRefused(body([purchaseEvent(NOW_S, { user })]), 40002, message);
  });

  test.each([
    ["value as a string", { value: "59.98", currency: "USD" }, /properties\.value: must be a number/],
    ["lower-case currency", { value: 1, currency: "usd" }, /properties\.currency: must be an ISO 4217/],
    ["unknown currency", { value: 1, currency: "XYZ" }, /properties\.currency/],
    ["value without currency", { value: 1 }, /properties\.currency: is required when value is set/],
    ["price as a string", { value: 1, currency: "EUR", contents: [{ content_id: "a", price: "(null)" }] }, /contents\[0\]\.price: must be a number/],
    ["bad content_type", { content_type: "sku" }, /properties\.content_type/],
  ])("properties with %s → 40002", async (_label, properties, message) => {
    await expectRefused(body([purchaseEvent(NOW_S, { properties })]), 40002, message);
  });

  test("an unknown event name → 40002", async () => {
    await expectRefused(body([purchaseEvent(NOW_S, { event: "purchase" })]), 40002, /data\[0\]\.event: purchase is not a supported standard event/);
  });

  test("more than 1,000 events → 40002 naming data, and nothing is recorded", async () => {
    const events = Array.from({ length: 1001 }, (_, i) => purchaseEvent(NOW_S, { event_id: `o-${i}` }));
    await expectRefused(body(events), 40002, "Invalid value for data: must contain between 1 and 1000 events (got 1001)");
  });

  test("an empty data array → 40002", async () => {
    await expectRefused(body([]), 40002, /data: must contain between 1 and 1000/);
  });

  test("a v1 body (pixel_code, timestamp, context) posted to /event/track/ → 40002", async () => {
    await expectRefused(
      { event_source: "web", event_source_id: pixel, pixel_code: pixel, data: [purchaseEvent(NOW_S)] },
      40002,
      /pixel_code is not a parameter/,
    );
    await expectRefused(body([{ ...purchaseEvent(NOW_S), timestamp: "2025-01-01T00:00:00Z" }]), 40002, /Events API 1\.0 field/);
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
