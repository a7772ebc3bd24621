import prisma from "~/core/db.server";
import { action } from "~/routes/proxy.touchpoints";
import { latestTouchpoint } from "~/core/attribution/attribute.server";
import { purgeExpiredTouchpoints, readStorefrontPixels } from "~/core/attribution/touchpoints.server";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { appProxyRequest, call, seedOfflineSession } from "../support/requests";

const VISITOR = "tta1.AAAAAAAAAAAAAAAAAAAAAA";
const DAY = 24 * 60 * 60 * 1000;
const body = (over: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, visitor_id: VISITOR, ttclid: "E.C.P.test-click", captured_at: Date.now() - 1000, landing_path: "/products/hat", utm_source: "tiktok", campaign_id: "1790000000000001", ...over });

beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
});
beforeEach(async () => {
  await prisma.touchpoint.deleteMany();
});

describe("the embed's daily heartbeat (same proxy path, a body without a click)", () => {
  const shopRow = () => prisma.shop.findUniqueOrThrow({ where: { shop: TEST_SHOP } });
  beforeEach(async () => {
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { lastStorefrontSignalAt: null, storefrontPixels: null } });
  });

  it("records when the embed last ran and the TikTok pixel codes the page loaded, storing no visitor", async () => {
    const before = Date.now();
    const res = await call(action, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: ["CD9079RC77U0N3GBV16Y"] }) }));
    expect(res.status).toBe(202);
    const row = await shopRow();
    expect(row.lastStorefrontSignalAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(readStorefrontPixels(row.storefrontPixels).map((p) => p.code)).toEqual(["CD9079RC77U0N3GBV16Y"]);
    expect(await prisma.touchpoint.count()).toBe(0);

    // another page of the store loads another pixel: both are remembered, newest first
    await call(action, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: ["C4ABCDEFGHIJKLMNOPQR"] }) }));
    await call(action, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: [] }) }));
    expect(readStorefrontPixels((await shopRow()).storefrontPixels).map((p) => p.code)).toEqual(["C4ABCDEFGHIJKLMNOPQR", "CD9079RC77U0N3GBV16Y"]);
  });

  it("forgets a pixel code no heartbeat has reported for a week", () => {
    const now = new Date("2026-12-10T12:00:00Z");
    const json = JSON.stringify({ CD9079RC77U0N3GBV16Y: "2026-12-03T11:59:00Z", C4ABCDEFGHIJKLMNOPQR: "2026-12-09T12:00:00Z", "bad code": "2026-12-10T00:00:00Z" });
    expect(readStorefrontPixels(json, now).map((p) => p.code)).toEqual(["C4ABCDEFGHIJKLMNOPQR"]);
    expect(readStorefrontPixels("{not json", now)).toEqual([]);
  });

  it.each([
    ["a pixel code that is not one", { v: 1, pixels: ["<script>"] }],
    ["more than 20 codes", { v: 1, pixels: Array.from({ length: 21 }, (_, i) => `CD9079RC77U0N3GBV${String(i).padStart(3, "0")}`) }],
    ["a visitor id riding along", { v: 1, pixels: [], visitor_id: VISITOR }],
    ["another version", { v: 2, pixels: [] }],
  ])("refuses %s and records nothing", async (_name, payload) => {
    const res = await call(action, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify(payload) }));
    expect(res.status).toBe(422);
    const row = await shopRow();
    expect(row.lastStorefrontSignalAt).toBeNull();
    expect(row.storefrontPixels).toBeNull();
  });
});

describe("app proxy touchpoints", () => {
  it("stores a signed touchpoint with nothing but the click data", async () => {
    const res = await call(action, appProxyRequest({ shop: TEST_SHOP, body: body() }));
    expect(res.status).toBe(202);
    const rows = await prisma.touchpoint.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ shop: TEST_SHOP, visitorId: VISITOR, ttclid: "E.C.P.test-click", landingPath: "/products/hat", utmSource: "tiktok", campaignId: "1790000000000001" });
    expect(JSON.stringify(rows[0])).not.toContain("198.51.100.7");
  });

  it("is idempotent for the same visitor and click", async () => {
    await call(action, appProxyRequest({ shop: TEST_SHOP, body: body() }));
    await call(action, appProxyRequest({ shop: TEST_SHOP, body: body({ captured_at: Date.now() }) }));
    expect(await prisma.touchpoint.count()).toBe(1);
  });

  it("the day's first clicks arriving together are all stored, and one click sent twice at once is stored once", async () => {
    await prisma.touchpointDay.deleteMany();
    const visitors = Array.from({ length: 12 }, (_, i) => `tta1.Concurrent${String(i).padStart(12, "0")}`);
    const answers = await Promise.all(visitors.map((v, i) => call(action, appProxyRequest({ shop: TEST_SHOP, ip: `198.51.100.${10 + i}`, body: body({ visitor_id: v }) }))));
    expect(answers.map((r) => r.status)).toEqual(visitors.map(() => 202));
    expect(await prisma.touchpoint.count()).toBe(12);
    expect((await prisma.touchpointDay.findMany({ where: { shop: TEST_SHOP } })).map((d) => d.count)).toEqual([12]);
    const twice = await Promise.all([0, 1, 2].map(() => call(action, appProxyRequest({ shop: TEST_SHOP, ip: "198.51.100.40", body: body({ visitor_id: "tta1.TwiceAtOnce00000000000" }) }))));
    expect(twice.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(await prisma.touchpoint.count({ where: { visitorId: "tta1.TwiceAtOnce00000000000" } })).toBe(1);
  });

  it.each([
    ["a bad signature", () => appProxyRequest({ shop: TEST_SHOP, body: body(), secret: "wrong" }), 400],
    ["malformed JSON", () => appProxyRequest({ shop: TEST_SHOP, body: "{not json" }), 400],
    ["an oversize body", () => appProxyRequest({ shop: TEST_SHOP, body: body({ utm_term: "x".repeat(5000) }) }), 413],
    ["a bad ttclid", () => appProxyRequest({ shop: TEST_SHOP, body: body({ ttclid: "<script>" }) }), 422],
    ["a visitor id that is not ours", () => appProxyRequest({ shop: TEST_SHOP, body: body({ visitor_id: "ga1.2.3" }) }), 422],
    ["an unknown field", () => appProxyRequest({ shop: TEST_SHOP, body: body({ email: "pat@example.com" }) }), 422],
    ["a capture time in the future", () => appProxyRequest({ shop: TEST_SHOP, body: body({ captured_at: Date.now() + DAY }) }), 422],
    ["an unknown shop", () => appProxyRequest({ shop: "never-installed.myshopify.com", body: body() }), 404],
  ])("refuses %s and writes nothing", async (_name, build, status) => {
    const res = await call(action, build());
    expect(res.status).toBe(status);
    if (status !== 400 || _name !== "a bad signature") expect((await res.json()).error).toEqual(expect.any(String));
    expect(await prisma.touchpoint.count()).toBe(0);
  });

  it("rate-limits one visitor's IP per shop with 429 and writes nothing more", async () => {
    const ip = "203.0.113.99";
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const res = await call(action, appProxyRequest({ shop: TEST_SHOP, ip, body: body({ ttclid: `E.C.P.burst-${i}` }) }));
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(30);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    expect(await prisma.touchpoint.count()).toBe(30);
  });
});

describe("attribution lookup", () => {
  const orderAt = new Date("2026-11-20T12:00:00Z");
  const seed = async (daysBefore: number, ttclid: string, shop = TEST_SHOP) =>
    prisma.touchpoint.create({ data: { shop, visitorId: VISITOR, ttclid, capturedAt: new Date(orderAt.getTime() - daysBefore * DAY) } });

  it("finds a click 29 days before the order and not one 31 days before (30-day window)", async () => {
    await seed(31, "E.C.P.old");
    expect(await latestTouchpoint(prisma, { shop: TEST_SHOP, visitorId: VISITOR, at: orderAt, windowDays: 30 })).toBeNull();
    await seed(29, "E.C.P.in-window");
    expect((await latestTouchpoint(prisma, { shop: TEST_SHOP, visitorId: VISITOR, at: orderAt, windowDays: 30 }))?.ttclid).toBe("E.C.P.in-window");
  });

  it("takes the latest click before the order, never one after it or from another shop", async () => {
    await seed(5, "E.C.P.earlier");
    await seed(1, "E.C.P.latest");
    await seed(-1, "E.C.P.after-order");
    await seed(0.5, "E.C.P.other-shop", OTHER_SHOP);
    expect((await latestTouchpoint(prisma, { shop: TEST_SHOP, visitorId: VISITOR, at: orderAt, windowDays: 30 }))?.ttclid).toBe("E.C.P.latest");
  });

  it("purges clicks older than the window", async () => {
    await prisma.touchpoint.create({ data: { shop: TEST_SHOP, visitorId: VISITOR, ttclid: "E.C.P.stale", capturedAt: new Date(Date.now() - 31 * DAY) } });
    await prisma.touchpoint.create({ data: { shop: TEST_SHOP, visitorId: VISITOR, ttclid: "E.C.P.fresh", capturedAt: new Date(Date.now() - 29 * DAY) } });
    expect(await purgeExpiredTouchpoints()).toBe(1);
    expect((await prisma.touchpoint.findMany()).map((t) => t.ttclid)).toEqual(["E.C.P.fresh"]);
  });
});
