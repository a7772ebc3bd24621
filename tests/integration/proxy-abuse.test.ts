// Issue 12, probe 6: the storefront endpoint under a curl loop. Requests are signed as Shopify's
// app proxy signs them; X-Forwarded-For arrives as Shopify forwards it (the client's own value,
// then Shopify's hop for the real client address, right-most).
import { TEST_SHOP } from "../support/constants";
import { appProxyRequest, call, seedOfflineSession } from "../support/requests";

const CAP = 120;
process.env.TOUCHPOINT_DAILY_CAP = String(CAP); // before any app module reads env()
const { default: prisma } = await import("~/core/db.server");
const { action } = await import("~/routes/proxy.touchpoints");
const { touchpointCapNotice } = await import("~/core/attribution/touchpoints.server");
const { env } = await import("~/core/env.server");

const visitor = (i: number) => `tta1.${String(i).padStart(22, "0")}`;
const body = (i: number, ttclid = `E.C.P.click-${i}`) => JSON.stringify({ v: 1, visitor_id: visitor(i), ttclid, captured_at: Date.now(), landing_path: "/" });

beforeAll(() => seedOfflineSession(TEST_SHOP));
beforeEach(async () => {
  await prisma.touchpoint.deleteMany();
  await prisma.touchpointDay.deleteMany();
  await prisma.proxySignature.deleteMany();
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe("rate limit keyed on the address Shopify's proxy appended", () => {
  // The default cap: one sender's daily share of it (1%) is far above the per-minute limit.
  beforeEach(() => {
    env().TOUCHPOINT_DAILY_CAP = 50_000;
  });
  afterEach(() => {
    env().TOUCHPOINT_DAILY_CAP = CAP;
  });

  it("one client rotating fake X-Forwarded-For hops is limited as one: 30 stored, the rest 429", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const spoofed = `192.0.2.${i}, 198.51.100.${i}`; // what the client put in front
      const res = await call(action, appProxyRequest({ shop: TEST_SHOP, body: body(i), forwardedFor: `${spoofed}, 192.0.2.250` }));
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect(await prisma.touchpoint.count()).toBe(30);
  });

  it("100 visitors from 100 addresses, one request each, are all stored", async () => {
    for (let i = 0; i < 100; i++) {
      const res = await call(action, appProxyRequest({ shop: TEST_SHOP, body: body(1000 + i), forwardedFor: `203.0.113.${i + 1}` }));
      expect(res.status).toBe(202);
    }
    expect(await prisma.touchpoint.count()).toBe(100);
  });
});

describe("a signed proxy URL replayed with another body", () => {
  it("is refused with 409 and writes nothing; the same body again is an idempotent 202", async () => {
    const original = body(1);
    const first = appProxyRequest({ shop: TEST_SHOP, body: original });
    expect((await call(action, first)).status).toBe(202);
    const replay = (b: string) => new Request(first.url, { method: "POST", headers: first.headers, body: b });
    const res = await call(action, replay(body(2)));
    expect(res.status).toBe(409);
    expect(await prisma.touchpoint.count()).toBe(1);
    expect((await call(action, replay(original))).status).toBe(202);
    expect(await prisma.touchpoint.count()).toBe(1);
  });
});

describe("per-shop daily cap on new touchpoints", () => {
  it(`stores ${CAP} new clicks a day, refuses the rest with 429, records when, and still acknowledges known clicks`, async () => {
    expect(await touchpointCapNotice(TEST_SHOP)).toBeNull();
    const statuses: number[] = [];
    for (let i = 0; i < CAP + 5; i++) {
      statuses.push((await call(action, appProxyRequest({ shop: TEST_SHOP, body: body(i), forwardedFor: `198.51.100.${(i % 250) + 1}` }))).status);
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(CAP);
    expect(statuses.slice(CAP)).toEqual([429, 429, 429, 429, 429]);
    expect(await prisma.touchpoint.count()).toBe(CAP);
    expect(await touchpointCapNotice(TEST_SHOP)).toEqual({ day: new Date().toISOString().slice(0, 10), cap: CAP });
    // a click already stored is still acknowledged (nothing new is written)
    expect((await call(action, appProxyRequest({ shop: TEST_SHOP, body: body(0), forwardedFor: "203.0.113.200" }))).status).toBe(202);
    expect(await prisma.touchpoint.count()).toBe(CAP);
  });
});

describe("Home reports the cap", () => {
  it("says on which day the daily limit was reached", async () => {
    const { loader } = await import("~/routes/app._index");
    const { adminRequest } = await import("../support/requests");
    // Addresses of its own: each sender may add only 1% of the cap a day, counted across tests.
    for (let i = 0; i <= CAP; i++) await call(action, appProxyRequest({ shop: TEST_SHOP, body: body(5000 + i), forwardedFor: `192.0.2.${(i % 200) + 1}` }));
    const data = await (await call(loader, adminRequest("/app", { shop: TEST_SHOP }))).json();
    expect(data.clickCap).toEqual({ day: new Date().toISOString().slice(0, 10), cap: CAP });
  });
});

// @shopify/shopify-api 15.0.0 already refuses both (validateHmacTimestamp: Number.isInteger, then the
// 90 s window); the intake checks the form itself too, so a library change cannot reopen it.
describe("issue 27 L8: the proxy signature's timestamp", () => {
  it("a query signed with timestamp=abc or an empty timestamp is refused (400) and stores nothing; an integer one is accepted", async () => {
    const { signAppProxyQuery } = await import("~/features/demo/shopify-double.server");
    const send = (timestamp: string) =>
      call(
        action,
        new Request(`https://app.example.com/proxy/touchpoints?${signAppProxyQuery({ n: `n-${timestamp || "empty"}` }, { shop: TEST_SHOP, secret: process.env.SHOPIFY_API_SECRET!, timestamp: timestamp as unknown as number })}`, {
          method: "POST",
          headers: { "Content-Type": "text/plain", "X-Forwarded-For": "203.0.113.201" },
          body: body(5000 + timestamp.length),
        }),
      );
    expect((await send("abc")).status).toBe(400);
    expect((await send("")).status).toBe(400);
    expect(await prisma.touchpoint.count()).toBe(0);
    expect((await send(String(Math.floor(Date.now() / 1000)))).status).toBe(202);
  });
});
