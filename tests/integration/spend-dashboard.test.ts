// The dashboard's loader and action through real signed admin requests, and the internal cron
// route. Spend rows and orders are seeded directly: the sync itself is covered by spend-sync.
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import { env } from "~/core/env.server";
import { encryptToken } from "~/core/connection/token-crypto.server";
import { action as dashboardAction, loader as dashboardLoader } from "~/routes/app.dashboard";
import { action as internalSync, loader as internalSyncGet } from "~/routes/internal.sync";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { APP_URL, adminRequest, call, seedOfflineSession } from "../support/requests";

const C1 = "1810000000000001";
const C2 = "1810000000000002";
const OTHER_CAMPAIGN = "1830000000000001";

async function connect(shop: string, opts: { currency: string; timezone: string; advertiserId: string; status?: string }) {
  const data = {
    status: opts.status ?? "connected",
    accessTokenEnc: encryptToken("not-used-here"),
    advertiserId: opts.advertiserId,
    advertiserName: `${shop} ads`,
    advertiserCurrency: opts.currency,
    advertiserTimezone: opts.timezone,
  };
  await prisma.tikTokConnection.upsert({ where: { shop }, create: { shop, ...data }, update: data });
}

function spendRow(shop: string, r: { advertiserId: string; level: "campaign" | "adgroup"; entityId: string; campaignId: string; name: string; date: string; spend: string; currency: string; timezone: string }) {
  return { shop, impressions: 1000, clicks: 10, conversions: 1, ...r, spend: new Prisma.Decimal(r.spend) };
}

const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2030-03-${String(from + i).padStart(2, "0")}`);

async function order(shop: string, o: { id: string; at: string; total: string; refunded?: string; ttclid?: string | null; campaignId?: string; sendDecision?: string; currency: string }) {
  await prisma.orderRecord.create({
    data: {
      shop,
      orderId: o.id,
      orderCreatedAt: new Date(o.at),
      currency: o.currency,
      totalValue: new Prisma.Decimal(o.total),
      refundedValue: new Prisma.Decimal(o.refunded ?? "0"),
      ttclid: o.ttclid === undefined ? `ttclid-${o.id}` : o.ttclid,
      campaignId: o.campaignId ?? null,
      sendDecision: o.sendDecision ?? "sent",
    },
  });
}

async function dashboard(shop: string, query = "") {
  const res = await call(dashboardLoader, adminRequest(`/app/dashboard${query}`, { shop }));
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
  await seedOfflineSession(OTHER_SHOP);
  // TEST_SHOP: EUR store in Berlin, EUR ad account. OTHER_SHOP: USD store, JPY ad account in Tokyo.
  await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { currency: "EUR", ianaTimezone: "Europe/Berlin" } });
  await prisma.shop.update({ where: { shop: OTHER_SHOP }, data: { currency: "USD", ianaTimezone: null } });
  await connect(TEST_SHOP, { currency: "EUR", timezone: "Europe/Berlin", advertiserId: "7100000000000000001" });
  await connect(OTHER_SHOP, { currency: "JPY", timezone: "Asia/Tokyo", advertiserId: "7100000000000000003" });

  const eur = { advertiserId: "7100000000000000001", currency: "EUR", timezone: "Europe/Berlin" };
  await prisma.spendRow.createMany({
    data: [
      ...days(1, 10).map((date) => spendRow(TEST_SHOP, { ...eur, level: "campaign", entityId: C1, campaignId: C1, name: "Prospecting", date, spend: "10.00" })),
      ...days(1, 10).map((date) => spendRow(TEST_SHOP, { ...eur, level: "adgroup", entityId: "G1", campaignId: C1, name: "Broad", date, spend: "6.00" })),
      ...days(1, 10).map((date) => spendRow(TEST_SHOP, { ...eur, level: "adgroup", entityId: "G2", campaignId: C1, name: "Lookalike", date, spend: "4.00" })),
      ...days(4, 5).map((date) => spendRow(TEST_SHOP, { ...eur, level: "campaign", entityId: C2, campaignId: C2, name: "Summer Sale", date, spend: "5.50" })),
      // Outside the range, and from an ad account the shop no longer uses: neither counts.
      spendRow(TEST_SHOP, { ...eur, level: "campaign", entityId: C1, campaignId: C1, name: "Prospecting", date: "2030-03-11", spend: "1000.00" }),
      spendRow(TEST_SHOP, { ...eur, advertiserId: "7199999999999999999", level: "campaign", entityId: "OLD", campaignId: "OLD", name: "Old account", date: "2030-03-05", spend: "500.00" }),
      ...days(1, 10).map((date) =>
        spendRow(OTHER_SHOP, { advertiserId: "7100000000000000003", currency: "JPY", timezone: "Asia/Tokyo", level: "campaign", entityId: OTHER_CAMPAIGN, campaignId: OTHER_CAMPAIGN, name: "Tokyo only", date, spend: "1500" }),
      ),
    ],
  });

  await order(TEST_SHOP, { id: "1", at: "2030-03-05T10:00:00Z", total: "100.00", refunded: "20.00", campaignId: C1, currency: "EUR" });
  // 23:30 UTC on the 9th is the 10th in Berlin: counted on the 10th.
  await order(TEST_SHOP, { id: "2", at: "2030-03-09T23:30:00Z", total: "50.00", sendDecision: "queued", currency: "EUR" });
  await order(TEST_SHOP, { id: "3", at: "2030-03-06T10:00:00Z", total: "999.00", ttclid: null, sendDecision: "not_attributed", currency: "EUR" });
  await order(TEST_SHOP, { id: "4", at: "2030-03-06T10:00:00Z", total: "777.00", sendDecision: "test_order", currency: "EUR" });
  // 23:30 UTC on the 10th is already the 11th in Berlin: outside a range ending on the 10th.
  await order(TEST_SHOP, { id: "5", at: "2030-03-10T23:30:00Z", total: "40.00", currency: "EUR" });
  await order(OTHER_SHOP, { id: "9", at: "2030-03-05T10:00:00Z", total: "70.00", campaignId: OTHER_CAMPAIGN, currency: "USD" });
});

describe("dashboard loader", () => {
  it("totals, ROAS, refunds, daily series and campaigns for the caller's shop only", async () => {
    const data = await dashboard(TEST_SHOP, "?start=2030-03-01&end=2030-03-10");
    expect(data.shop).toBe(TEST_SHOP);
    expect(data.range).toEqual({ start: "2030-03-01", end: "2030-03-10" });
    expect(data).toMatchObject({ spendCurrency: "EUR", storeCurrency: "EUR", currencyDiffers: false, revenueTimezone: "Europe/Berlin", revenueTimezoneIsFallback: false });
    expect(data.totals).toMatchObject({
      spend: "111.00",
      grossRevenue: "150.00",
      refunded: "20.00",
      netRevenue: "130.00",
      attributedOrders: 2,
      roas: "1.35",
      netRoas: "1.17",
      costPerOrder: "55.50",
      tiktokConversions: 12,
    });
    expect(data.daily).toHaveLength(10);
    expect(data.daily.find((d: { date: string }) => d.date === "2030-03-05")).toEqual({ date: "2030-03-05", spend: 15.5, revenue: 100 });
    expect(data.daily.find((d: { date: string }) => d.date === "2030-03-10")).toEqual({ date: "2030-03-10", spend: 10, revenue: 50 });

    expect(data.campaigns.map((c: { name: string }) => c.name)).toEqual(["Prospecting", "Summer Sale"]);
    const [prospecting, summer] = data.campaigns;
    expect(prospecting).toMatchObject({ spend: "100.00", revenue: "100.00", roas: "1.00", attributedOrders: 1, conversionValue: null });
    expect(prospecting.adgroups.map((g: { name: string; spend: string }) => [g.name, g.spend])).toEqual([
      ["Broad", "60.00"],
      ["Lookalike", "40.00"],
    ]);
    // No order carried Summer Sale's id: unknown, not zero
    expect(summer).toMatchObject({ spend: "11.00", revenue: null, roas: null });

    // tenant isolation: nothing of the other shop, nothing of an old ad account
    expect(JSON.stringify(data)).not.toContain("Tokyo only");
    expect(JSON.stringify(data)).not.toContain("Old account");
  });

  it("the other shop sees only its own data, in two currencies that are never combined", async () => {
    const data = await dashboard(OTHER_SHOP, "?start=2030-03-01&end=2030-03-10");
    expect(data.campaigns.map((c: { name: string }) => c.name)).toEqual(["Tokyo only"]);
    expect(data).toMatchObject({ spendCurrency: "JPY", storeCurrency: "USD", currencyDiffers: true });
    // Shopify has not told us the shop's zone: revenue days use the ad account's, and the page says so
    expect(data).toMatchObject({ revenueTimezone: "Asia/Tokyo", revenueTimezoneIsFallback: true });
    expect(data.totals).toMatchObject({ spend: "15000", grossRevenue: "70.00", attributedOrders: 1, roas: null, netRoas: null, costPerOrder: "15000" });
    expect(data.campaigns[0]).toMatchObject({ revenue: "70.00", roas: null });
    expect(JSON.stringify(data)).not.toContain("Prospecting");
  });

  it("defaults to the last 30 days of the account's calendar and explains an invalid range", async () => {
    const ok = await dashboard(TEST_SHOP);
    const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
    expect((d(ok.range.end) - d(ok.range.start)) / 86_400_000).toBe(29);
    const bad = await dashboard(TEST_SHOP, "?start=2030-03-10&end=2030-03-01");
    expect(bad.range).toEqual(ok.range);
    expect(bad.rangeError).toMatch(/start date is after the end date/);
  });

  it("shows backfill progress while a run is active, and the last sync and error", async () => {
    const done = await prisma.syncRun.create({ data: { shop: TEST_SHOP, kind: "backfill", status: "done", finishedAt: new Date("2030-03-10T12:00:00Z") } });
    const running = await prisma.syncRun.create({
      data: { shop: TEST_SHOP, kind: "manual", slot: "active", status: "running", windowsTotal: 6, windowsDone: 2, requestsMade: 9 },
    });
    let data = await dashboard(TEST_SHOP);
    expect(data.sync).toMatchObject({ active: { id: running.id, windowsDone: 2, windowsTotal: 6, requestsMade: 9 }, lastSyncedAt: "2030-03-10T12:00:00.000Z" });
    await prisma.syncRun.update({ where: { id: running.id }, data: { status: "failed", slot: null, error: "TikTok refused the report request: nope" } });
    data = await dashboard(TEST_SHOP);
    expect(data.sync).toMatchObject({ active: null, lastError: "TikTok refused the report request: nope" });
    await prisma.syncRun.deleteMany({ where: { id: { in: [done.id, running.id] } } });
  });

  it("says so when the ad account has no spend at all", async () => {
    const shop = "gamma-test.myshopify.com";
    await seedOfflineSession(shop);
    await connect(shop, { currency: "USD", timezone: "America/Los_Angeles", advertiserId: "7100000000000000002" });
    const data = await dashboard(shop);
    expect(data).toMatchObject({ hasAnySpend: false, campaigns: [], totals: { spend: "0.00" } });
  });
});

describe("Sync now", () => {
  it("two clicks queue one run", async () => {
    const first = await call(dashboardAction, adminRequest("/app/dashboard", { shop: TEST_SHOP, form: { intent: "sync" } }));
    const second = await call(dashboardAction, adminRequest("/app/dashboard", { shop: TEST_SHOP, form: { intent: "sync" } }));
    expect(await first.json()).toMatchObject({ ok: true, message: expect.stringMatching(/queued/) });
    expect(await second.json()).toMatchObject({ ok: true, message: expect.stringMatching(/already/) });
    expect(await prisma.syncRun.count({ where: { shop: TEST_SHOP, status: { in: ["queued", "running"] } } })).toBe(1);
    // and it is this shop's run, not the other's
    expect(await prisma.syncRun.count({ where: { shop: OTHER_SHOP } })).toBe(0);
    await prisma.syncRun.deleteMany();
  });

  it("asks for a reconnect instead of queueing when TikTok access is gone", async () => {
    await prisma.tikTokConnection.update({ where: { shop: OTHER_SHOP }, data: { status: "needs_reconnect" } });
    const res = await call(dashboardAction, adminRequest("/app/dashboard", { shop: OTHER_SHOP, form: { intent: "sync" } }));
    expect(await res.json()).toMatchObject({ ok: false, message: expect.stringMatching(/Reconnect/) });
    expect(await prisma.syncRun.count({ where: { shop: OTHER_SHOP } })).toBe(0);
    await prisma.tikTokConnection.update({ where: { shop: OTHER_SHOP }, data: { status: "connected" } });
  });

  it("never runs without a valid session token", async () => {
    const forged = adminRequest("/app/dashboard", { shop: TEST_SHOP, form: { intent: "sync" }, token: "eyJhbGciOiJIUzI1NiJ9.eyJkZXN0IjoieCJ9.bad" });
    const res = await call(dashboardAction, forged);
    expect(res.status).not.toBe(200);
    expect(await prisma.syncRun.count()).toBe(0);
  });
});

describe("POST /internal/sync", () => {
  const post = (authorization?: string) =>
    new Request(`${APP_URL}/internal/sync`, { method: "POST", headers: authorization ? { Authorization: authorization } : {} });

  it("rejects a missing or wrong bearer token with 401 and runs nothing", async () => {
    expect((await call(internalSync, post())).status).toBe(401);
    expect((await call(internalSync, post(`Bearer ${env().CRON_SECRET}x`))).status).toBe(401);
    expect((await call(internalSync, post(`Basic ${env().CRON_SECRET}`))).status).toBe(401);
    expect(await prisma.syncRun.count()).toBe(0);
  });

  it("runs the due syncs with the right secret", async () => {
    // No shop may reach TikTok in this file: disconnect them so the job has nothing to call.
    await prisma.tikTokConnection.updateMany({ data: { status: "needs_reconnect" } });
    const res = await call(internalSync, post(`Bearer ${env().CRON_SECRET}`));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ scheduled: 0, runs: [] });
  });

  it("answers GET with 405", async () => {
    const res = await call(internalSyncGet, new Request(`${APP_URL}/internal/sync`));
    expect(res.status).toBe(405);
  });
});
