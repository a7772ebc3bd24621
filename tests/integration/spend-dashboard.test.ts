// The dashboard's loader and action through real signed admin requests, and the internal cron
// route. Spend rows are seeded directly (the sync itself is covered by spend-sync); orders, their
// campaigns, their delivery to TikTok and their refunds come through the real paths: storefront
// touchpoints, signed orders/create and refunds/create webhooks, and the delivery worker against
// the TikTok sandbox.
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import { env } from "~/core/env.server";
import { encryptToken } from "~/core/connection/token-crypto.server";
import { demoOrderPayload } from "~/features/demo/simulate.server";
import { drainAll } from "~/features/events/worker.server";
import { addDays, dayIn, startOfDayIn } from "~/features/spend/dates";
import { action as dashboardAction, loader as dashboardLoader } from "~/routes/app.dashboard";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { action as internalSync, loader as internalSyncGet } from "~/routes/internal.sync";
import { ADVERTISER_IDS } from "../../sandbox/world";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { chooseInWizard, connectShop, deliverOrder, reconnectThroughOAuth, startOrdersSandbox } from "../support/orders";
import { deliverRefund, refundBody } from "../support/refunds";
import { APP_URL, adminRequest, appProxyRequest, call, seedOfflineSession } from "../support/requests";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

const C1 = "1810000000000001";
const C2 = "1810000000000002";
const C3 = "1810000000000003";
const C4 = "1810000000000004";
const BROAD = "1820000000000001";
const LOOKALIKE = "1820000000000002";
const OTHER_CAMPAIGN = "1830000000000001";
const LONG_AGO = new Date("2020-01-01T00:00:00Z");
const HOUR = 60 * 60 * 1000;

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

// Days of the Berlin calendar, counted back from today: this app sends events at most 7 days after the order.
const today = dayIn("Europe/Berlin", new Date());
const day = (n: number) => addDays(today, -n);
const days = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => day(from - i));
const RANGE = `?start=${day(9)}&end=${day(2)}`;
const berlinAt = (n: number, hours: number) => new Date(startOfDayIn("Europe/Berlin", day(n)).getTime() + hours * HOUR);

let nextOrder = 5_700_000_000_000;
/**
 * A buyer's way to an order: optionally a TikTok ad visit (the embed's signed touchpoint, with the
 * campaign id from the ad URL), then Shopify's signed orders/create. Returns the order id.
 */
async function buy(shop: string, o: { at: Date; total: string; currency: string; campaignId?: string; adgroupId?: string; click?: "visit" | "landing" | "none"; test?: boolean }) {
  const orderId = nextOrder++;
  const visitorId = `tta1.Dash${String(orderId).slice(-18).padStart(18, "0")}`;
  const ttclid = `E.C.P.dash${orderId}`;
  const click = o.click ?? "visit";
  if (click === "visit") {
    const body = JSON.stringify({ v: 1, visitor_id: visitorId, ttclid, captured_at: o.at.getTime() - HOUR, landing_path: "/", ...(o.campaignId ? { campaign_id: o.campaignId } : {}), ...(o.adgroupId ? { adgroup_id: o.adgroupId } : {}) });
    expect((await call(touchpointAction, appProxyRequest({ shop, body }))).status).toBe(202);
  }
  const payload = {
    ...demoOrderPayload({ orderId, visitorId: click === "visit" ? visitorId : undefined, createdAt: o.at, currency: o.currency }),
    total_price: o.total,
    current_total_price: o.total,
    landing_site: click === "landing" ? `/?ttclid=${ttclid}` : "/",
    test: o.test ?? false,
    // The click only in the landing URL counts when the storefront recorded consent on the cart (docs/decisions/0018).
    ...(click === "landing" ? { note_attributes: [{ name: "_tt_consent", value: "granted" }] } : {}),
  };
  expect((await deliverOrder(shop, JSON.stringify(payload))).status).toBe(200);
  return String(orderId);
}

async function dashboard(shop: string, query = "") {
  const res = await call(dashboardLoader, adminRequest(`/app/dashboard${query}`, { shop }));
  expect(res.status).toBe(200);
  return res.json();
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
  await seedOfflineSession(OTHER_SHOP);
  // TEST_SHOP: EUR store in Berlin, EUR ad account. OTHER_SHOP: USD store, JPY ad account in Tokyo.
  await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { currency: "EUR", ianaTimezone: "Europe/Berlin" } });
  await prisma.shop.update({ where: { shop: OTHER_SHOP }, data: { currency: "USD", ianaTimezone: null } });
  await connectShop(TEST_SHOP, control, { advertiserId: ADVERTISER_IDS.berlin, connectedAt: LONG_AGO });
  await connectShop(OTHER_SHOP, control, { advertiserId: ADVERTISER_IDS.tokyo, connectedAt: LONG_AGO });

  const eur = { advertiserId: ADVERTISER_IDS.berlin, currency: "EUR", timezone: "Europe/Berlin" };
  await prisma.spendRow.createMany({
    data: [
      ...days(9, 2).map((date) => spendRow(TEST_SHOP, { ...eur, level: "campaign", entityId: C1, campaignId: C1, name: "Prospecting", date, spend: "10.00" })),
      ...days(9, 2).map((date) => spendRow(TEST_SHOP, { ...eur, level: "adgroup", entityId: BROAD, campaignId: C1, name: "Broad", date, spend: "6.00" })),
      ...days(9, 2).map((date) => spendRow(TEST_SHOP, { ...eur, level: "adgroup", entityId: LOOKALIKE, campaignId: C1, name: "Lookalike", date, spend: "4.00" })),
      ...days(6, 5).map((date) => spendRow(TEST_SHOP, { ...eur, level: "campaign", entityId: C2, campaignId: C2, name: "Summer Sale", date, spend: "5.50" })),
      // Spent long before the range: named, but no spend in it.
      spendRow(TEST_SHOP, { ...eur, level: "campaign", entityId: C3, campaignId: C3, name: "Evergreen", date: day(40), spend: "9.00" }),
      // Reported in another currency: listed apart, never added to EUR.
      spendRow(TEST_SHOP, { ...eur, currency: "USD", level: "campaign", entityId: C4, campaignId: C4, name: "Dollar test", date: day(6), spend: "3.00" }),
      // Outside the range, and from an ad account the shop no longer uses: neither counts.
      spendRow(TEST_SHOP, { ...eur, level: "campaign", entityId: C1, campaignId: C1, name: "Prospecting", date: day(1), spend: "1000.00" }),
      spendRow(TEST_SHOP, { ...eur, advertiserId: "7199999999999999999", level: "campaign", entityId: "OLD", campaignId: "OLD", name: "Old account", date: day(5), spend: "500.00" }),
      ...days(9, 2).map((date) =>
        spendRow(OTHER_SHOP, { advertiserId: ADVERTISER_IDS.tokyo, currency: "JPY", timezone: "Asia/Tokyo", level: "campaign", entityId: OTHER_CAMPAIGN, campaignId: OTHER_CAMPAIGN, name: "Tokyo only", date, spend: "1500" }),
      ),
    ],
  });

  const eurOrder = { currency: "EUR" };
  ids.campaign = await buy(TEST_SHOP, { ...eurOrder, at: berlinAt(2, 10), total: "100.00", campaignId: C1, adgroupId: BROAD });
  // 23:30 UTC on one day is the next day in Berlin: counted on that next day.
  ids.lateNight = await buy(TEST_SHOP, { ...eurOrder, at: new Date(`${day(4)}T23:30:00Z`), total: "50.00", click: "landing" });
  ids.noSpend = await buy(TEST_SHOP, { ...eurOrder, at: berlinAt(5, 12), total: "40.00", campaignId: C3 });
  await buy(TEST_SHOP, { ...eurOrder, at: berlinAt(6, 10), total: "999.00", click: "none" });
  await buy(TEST_SHOP, { ...eurOrder, at: berlinAt(6, 11), total: "777.00", test: true });
  // 23:30 UTC on day 2 is already day 1 in Berlin: outside a range ending on day 2.
  await buy(TEST_SHOP, { ...eurOrder, at: new Date(`${day(2)}T23:30:00Z`), total: "40.00" });
  ids.other = await buy(OTHER_SHOP, { currency: "USD", at: berlinAt(5, 10), total: "70.00", campaignId: OTHER_CAMPAIGN });
  expect((await drainAll()).sent).toBe(5);
  // Placed after the last delivery run: attributed, not sent yet.
  ids.queued = await buy(TEST_SHOP, { ...eurOrder, at: berlinAt(6, 9), total: "30.00" });
  // The merchant refunds 20.00 of the campaign order in Shopify.
  const refund = refundBody({ refundId: 910001, orderId: ids.campaign, transactions: [{ amount: "20.00", currency: "EUR" }] });
  expect((await deliverRefund(TEST_SHOP, refund)).status).toBe(200);
});

describe("dashboard loader", () => {
  it("totals, ROAS, refunds, daily series and campaigns for the caller's shop only", async () => {
    const data = await dashboard(TEST_SHOP, RANGE);
    expect(data.shop).toBe(TEST_SHOP);
    expect(data.range).toEqual({ start: day(9), end: day(2) });
    expect(data).toMatchObject({ spendCurrency: "EUR", storeCurrency: "EUR", currencyDiffers: false, revenueTimezone: "Europe/Berlin", revenueTimezoneIsFallback: false });
    expect(data.totals).toMatchObject({
      spend: "91.00",
      otherSpend: [{ currency: "USD", spend: "3.00" }],
      grossRevenue: "190.00",
      refunded: "20.00",
      netRevenue: "170.00",
      attributedOrders: 3,
      // The order not sent yet is on its own line, not in the revenue.
      notSent: [{ status: "queued", orders: 1, value: "30.00" }],
      roas: "2.09",
      netRoas: "1.87",
      costPerOrder: "30.33",
      tiktokConversions: 10,
    });
    expect(data.daily).toHaveLength(8);
    expect(data.daily.find((d: { date: string }) => d.date === day(2))).toMatchObject({ date: day(2), spend: 10, revenue: 100, attributedOrders: 1, beforeConnection: false });
    expect(data.daily.find((d: { date: string }) => d.date === day(3))).toMatchObject({ date: day(3), spend: 10, revenue: 50, beforeConnection: false });

    expect(data.campaigns.map((c: { name: string }) => c.name)).toEqual(["Prospecting", "Summer Sale", "Evergreen"]);
    const [prospecting, summer, evergreen] = data.campaigns;
    // Refund-adjusted per campaign and ad group too (issue 24 item 4): the 20.00 refund of the Broad order.
    expect(prospecting).toMatchObject({ spend: "80.00", revenue: "100.00", netRevenue: "80.00", roas: "1.25", netRoas: "1.00", attributedOrders: 1 });
    expect(prospecting.adgroups[0]).toMatchObject({ name: "Broad", revenue: "100.00", netRevenue: "80.00", roas: "2.08", netRoas: "1.67" });
    expect(data.daily.find((d: { date: string }) => d.date === day(2))).toMatchObject({ revenue: 100, netRevenue: 80 });
    // Seeded spend rows carry no TikTok purchase figures: not reported, never 0.
    expect(prospecting).toMatchObject({ tiktokPurchases: null, tiktokPurchaseValue: null, purchaseDifference: null });
    // The order came through a Broad ad (its URL carried tt_adgroup_id): Broad has revenue and ROAS, Lookalike none
    expect(prospecting.adgroups.map((g: { name: string; spend: string; revenue: string | null; roas: string | null; attributedOrders: number }) => [g.name, g.spend, g.revenue, g.roas, g.attributedOrders])).toEqual([
      ["Broad", "48.00", "100.00", "2.08", 1],
      ["Lookalike", "32.00", null, null, 0],
    ]);
    expect(prospecting.ordersOutsideAdgroups).toBe(0);
    expect(evergreen.ordersOutsideAdgroups).toBe(1);
    // No order carried Summer Sale's id: unknown, not zero
    expect(summer).toMatchObject({ spend: "11.00", revenue: null, roas: null });
    // Revenue without spend in the range still shows
    expect(evergreen).toMatchObject({ campaignId: C3, spend: "0.00", revenue: "40.00", roas: null, attributedOrders: 1 });

    // tenant isolation: nothing of the other shop, nothing of an old ad account
    expect(JSON.stringify(data)).not.toContain("Tokyo only");
    expect(JSON.stringify(data)).not.toContain("Old account");
  });

  it("date presets as in Shopify admin, the previous period of the same length, and a 7-day rolling ROAS", async () => {
    const last7 = await dashboard(TEST_SHOP, "?preset=last7");
    expect(last7).toMatchObject({ preset: "last7", range: { start: day(6), end: day(0) }, rangeError: null });
    expect((await dashboard(TEST_SHOP, "?preset=yesterday")).range).toEqual({ start: day(1), end: day(1) });
    // Dates that spell out a preset show as that preset; others are custom.
    expect((await dashboard(TEST_SHOP, `?start=${day(29)}&end=${day(0)}`)).preset).toBe("last30");
    expect((await dashboard(TEST_SHOP, RANGE)).preset).toBe("custom");
    const bad = await dashboard(TEST_SHOP, "?preset=forever");
    expect(bad.rangeError).toMatch(/^Choose a range from the list/);
    expect(bad.range).toEqual({ start: day(29), end: day(0) });

    // Four days, compared with the four before them.
    const data = await dashboard(TEST_SHOP, `?start=${day(5)}&end=${day(2)}`);
    expect(data.previous).toMatchObject({ range: { start: day(9), end: day(6) }, spend: "45.50", grossRevenue: "0.00", attributedOrders: 0 });
    expect(data.totals.spend).toBe("45.50");
    // Each day's rolling ROAS is revenue over spend of that day and the six before it, within the range,
    // gross and refund-adjusted.
    data.daily.forEach((d: { rollingRoas: number | null; rollingNetRoas: number | null }, i: number) => {
      const window = data.daily.slice(Math.max(0, i - 6), i + 1);
      const spend = window.reduce((n: number, w: { spend: number }) => n + w.spend, 0);
      const revenue = window.reduce((n: number, w: { revenue: number }) => n + w.revenue, 0);
      const net = window.reduce((n: number, w: { netRevenue: number }) => n + w.netRevenue, 0);
      expect(d.rollingRoas).toBe(spend > 0 ? Number((revenue / spend).toFixed(2)) : null);
      expect(d.rollingNetRoas).toBe(spend > 0 ? Number((net / spend).toFixed(2)) : null);
    });
    expect(data.daily.at(-1).rollingRoas).toBeGreaterThan(0);
    // The 20.00 refund of the day-2 order shows in the refund-adjusted trend only.
    expect(data.daily.at(-1).rollingNetRoas).toBeLessThan(data.daily.at(-1).rollingRoas);
  });

  it("the other shop sees only its own data, in two currencies that are never combined", async () => {
    const data = await dashboard(OTHER_SHOP, RANGE);
    expect(data.campaigns.map((c: { name: string }) => c.name)).toEqual(["Tokyo only"]);
    expect(data).toMatchObject({ spendCurrency: "JPY", storeCurrency: "USD", currencyDiffers: true });
    // Shopify has not told us the shop's zone: revenue days use the ad account's, and the page says so
    expect(data).toMatchObject({ revenueTimezone: "Asia/Tokyo", revenueTimezoneIsFallback: true });
    expect(data.totals).toMatchObject({ spend: "12000", grossRevenue: "70.00", attributedOrders: 1, roas: null, netRoas: null, costPerOrder: "12000" });
    expect(data.campaigns[0]).toMatchObject({ revenue: "70.00", roas: null });
    expect(JSON.stringify(data)).not.toContain("Prospecting");
  });

  it("a pixel change in the wizard keeps the account's history: its days stay covered", async () => {
    // GIVEN the merchant reconnects (TikTok grants every sandbox account) and picks the account's other pixel
    await reconnectThroughOAuth(TEST_SHOP);
    const berlin = (await control.world()).advertisers.find((a) => a.advertiser_id === ADVERTISER_IDS.berlin)!;
    const [first, second] = berlin.pixels.map((p) => p.pixel_code);
    expect(second).toBeDefined();
    await chooseInWizard(TEST_SHOP, ADVERTISER_IDS.berlin, second);
    // THEN the days since the first connection still count: not "before the app was connected"
    let data = await dashboard(TEST_SHOP, RANGE);
    expect(data.totals).toMatchObject({ grossRevenue: "190.00", roas: "2.09", roasNote: null, spendBeforeConnection: null });
    expect(data.daily.some((d: { beforeConnection: boolean }) => d.beforeConnection)).toBe(false);
    // AND going back to the first pixel changes nothing either
    await chooseInWizard(TEST_SHOP, ADVERTISER_IDS.berlin, first);
    data = await dashboard(TEST_SHOP, RANGE);
    expect(data.totals).toMatchObject({ grossRevenue: "190.00", roas: "2.09", roasNote: null });
  });

  it("choosing another ad account never moves history: each order counts where TikTok accepted it, from that account's connection", async () => {
    const berlinPixel = (await prisma.orderRecord.findFirstOrThrow({ where: { shop: TEST_SHOP, orderId: ids.campaign } })).pixelCode;
    const world = await control.world();
    const pixelOf = (id: string) => world.advertisers.find((a) => a.advertiser_id === id)!.pixels[0].pixel_code;
    // GIVEN the merchant switches the shop to another ad account in the wizard
    await reconnectThroughOAuth(TEST_SHOP);
    await chooseInWizard(TEST_SHOP, ADVERTISER_IDS.pacific, pixelOf(ADVERTISER_IDS.pacific));
    // THEN the new account starts with none of the old account's revenue, and its days start today
    let data = await dashboard(TEST_SHOP, RANGE);
    expect(data.totals).toMatchObject({ grossRevenue: "0.00", attributedOrders: 0, notSent: [], roasNote: "before_connection" });
    // WHEN the order that was still waiting goes out, it goes to the new account's pixel
    expect((await drainAll()).sent).toBe(1);
    expect(await prisma.orderRecord.findFirstOrThrow({ where: { shop: TEST_SHOP, orderId: ids.queued } })).toMatchObject({
      advertiserId: ADVERTISER_IDS.pacific,
      pixelCode: pixelOf(ADVERTISER_IDS.pacific),
    });
    // but it was placed before this account was connected: its spend of that day is not divided by it
    data = await dashboard(TEST_SHOP, RANGE);
    expect(data.totals).toMatchObject({ grossRevenue: "0.00", attributedOrders: 0 });
    // AND switching back shows the first account's history unchanged, covered since its first connection
    await chooseInWizard(TEST_SHOP, ADVERTISER_IDS.berlin, pixelOf(ADVERTISER_IDS.berlin));
    data = await dashboard(TEST_SHOP, RANGE);
    expect(data.totals).toMatchObject({ grossRevenue: "190.00", attributedOrders: 3, notSent: [], roasNote: null, roas: "2.09" });
    expect(await prisma.orderRecord.findFirstOrThrow({ where: { shop: TEST_SHOP, orderId: ids.campaign } })).toMatchObject({
      advertiserId: ADVERTISER_IDS.berlin,
      pixelCode: berlinPixel,
    });
    // Each choice queued a spend sync; this file seeds its spend instead.
    await prisma.syncRun.deleteMany({ where: { shop: TEST_SHOP } });
  });

  it("defaults to the last 30 days of the account's calendar and explains an invalid range", async () => {
    const ok = await dashboard(TEST_SHOP);
    const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
    expect((d(ok.range.end) - d(ok.range.start)) / 86_400_000).toBe(29);
    const bad = await dashboard(TEST_SHOP, `?start=${day(2)}&end=${day(9)}`);
    expect(bad.range).toEqual(ok.range);
    expect(bad.rangeError).toMatch(/start date is after the end date/);
  });

  it("Home's last 7 days are the dashboard's figures for the same days", async () => {
    const { loader: homeLoader } = await import("~/routes/app._index");
    const res = await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }));
    expect(res.status).toBe(200);
    const { figures, summary, timeZone } = await res.json();
    // One clock: events sent count on the same 7 dates, in the store's zone (Berlin here), as revenue does.
    expect(timeZone).toBe("Europe/Berlin");
    const sentOnThoseDays = await prisma.outboxEvent.count({
      where: { shop: TEST_SHOP, status: "sent", sentAt: { gte: startOfDayIn("Europe/Berlin", figures.range.start), lt: startOfDayIn("Europe/Berlin", addDays(figures.range.end, 1)) } },
    });
    expect(summary.sent7d).toBe(sentOnThoseDays);
    const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
    expect((d(figures.range.end) - d(figures.range.start)) / 86_400_000).toBe(6);
    const same = await dashboard(TEST_SHOP, `?start=${figures.range.start}&end=${figures.range.end}`);
    expect(figures.totals).toEqual(same.totals);
    expect(figures.range).toEqual(same.range);
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
    // with spend in the last 7 days the account is refreshed hourly, and the page says when next
    expect(data.sync).toMatchObject({ cadence: "hourly", nextRefreshAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    // a refresh queued for later in the hour is not shown as a sync in progress, but as when the next one is due
    const later = new Date(Date.now() + 20 * 60_000);
    const queued = await prisma.syncRun.create({ data: { shop: TEST_SHOP, kind: "hourly", slot: "2099-01-01T00", status: "queued", nextAttemptAt: later } });
    data = await dashboard(TEST_SHOP);
    expect(data.sync).toMatchObject({ active: null, nextRefreshAt: later.toISOString() });
    await prisma.syncRun.deleteMany({ where: { id: { in: [done.id, running.id, queued.id] } } });
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

describe("ROAS over what the app could see (a store connected today)", () => {
  const FRESH = "gamma-fresh.myshopify.com";
  const eur = { advertiserId: ADVERTISER_IDS.berlin, currency: "EUR", timezone: "Europe/Berlin" };

  beforeAll(async () => {
    await seedOfflineSession(FRESH);
    await prisma.shop.update({ where: { shop: FRESH }, data: { currency: "EUR", ianaTimezone: "Europe/Berlin" } });
    // Connected just now; the backfill brought 30 days of spend, and TikTok's purchases (3 a day, 1 of
    // them view-through), from before the app existed.
    await connectShop(FRESH, control, { advertiserId: ADVERTISER_IDS.berlin, connectedAt: new Date() });
    const purchases = { purchases: 3, purchaseValue: new Prisma.Decimal("120.00"), viewPurchases: 1, viewPurchaseValue: new Prisma.Decimal("40.00") };
    await prisma.spendRow.createMany({
      data: [
        ...days(29, 0).map((date) => ({ ...spendRow(FRESH, { ...eur, level: "campaign", entityId: C1, campaignId: C1, name: "Prospecting", date, spend: "10.00" }), ...purchases })),
        ...days(29, 0).map((date) => ({ ...spendRow(FRESH, { ...eur, level: "adgroup", entityId: BROAD, campaignId: C1, name: "Broad", date, spend: "10.00" }), ...purchases })),
      ],
    });
  });

  it("on day one there is no 0.00×: ROAS appears with the first attributed order, and days before count as spend only", async () => {
    const before = await dashboard(FRESH);
    expect(before.totals).toMatchObject({ spend: "300.00", roas: null, netRoas: null, roasNote: "first_order", spendBeforeConnection: "290.00", connectedOn: today });
    expect(before.daily.filter((d: { beforeConnection: boolean }) => d.beforeConnection)).toHaveLength(29);
    const { loader: homeLoader } = await import("~/routes/app._index");
    const home = await (await call(homeLoader, adminRequest("/app", { shop: FRESH }))).json();
    expect(home.figures.totals).toMatchObject({ roas: null, roasNote: "first_order" });

    // The first TikTok order arrives and is sent: ROAS is its revenue over the spend since the connection only.
    await buy(FRESH, { at: new Date(), total: "100.00", currency: "EUR", campaignId: C1 });
    expect((await drainAll()).sent).toBeGreaterThanOrEqual(1);
    const after = await dashboard(FRESH);
    expect(after.totals).toMatchObject({ grossRevenue: "100.00", roas: "10.00", roasNote: null, costPerOrder: "10.00", spendBeforeConnection: "290.00" });
    expect(after.campaigns.find((c: { campaignId: string }) => c.campaignId === C1)).toMatchObject({ roas: "10.00" });
  });

  it("TikTok's purchases of the days before the connection are shown, never compared with the orders the app could not see", async () => {
    const data = await dashboard(FRESH);
    // Only today's 3 TikTok purchases (1 view-through) face the 1 order sent today; the 87 before are apart.
    expect(data.totals).toMatchObject({
      tiktokPurchases: 3,
      tiktokPurchaseValue: "120.00",
      tiktokViewPurchases: 1,
      purchaseDifference: 2,
      tiktokComparedFrom: today,
      tiktokPurchasesBeforeConnection: 87,
      attributedOrders: 1,
    });
    // The reasons carry today's figures only: 1 view-through, 1 more click-through purchase.
    expect(data.totals.reasons).toEqual([
      { kind: "view_through", purchases: 1, value: "40.00" },
      { kind: "attribution", purchases: 1 },
    ]);
    const [campaign] = data.campaigns;
    expect(campaign).toMatchObject({ tiktokPurchases: 3, tiktokPurchaseValue: "120.00", purchaseDifference: 2 });
    // The order carried no ad group id: Broad's 3 purchases of today face none of ours.
    expect(campaign.adgroups[0]).toMatchObject({ name: "Broad", tiktokPurchases: 3, purchaseDifference: 3 });
    // Per day: earlier days keep TikTok's own figures, marked before the connection, with no difference.
    const earlier = data.daily.find((d: { date: string }) => d.date === day(1));
    expect(earlier).toMatchObject({ beforeConnection: true, tiktokPurchases: 3, purchaseDifference: null, attributedOrders: 0 });
    expect(data.daily.find((d: { date: string }) => d.date === today)).toMatchObject({ beforeConnection: false, tiktokPurchases: 3, purchaseDifference: 2 });
  });

  it("Home says its ROAS divides only the spend since the connection when the 7 days start before it", async () => {
    const { loader: homeLoader } = await import("~/routes/app._index");
    const { figures } = await (await call(homeLoader, adminRequest("/app", { shop: FRESH }))).json();
    expect(figures.totals).toMatchObject({ spendBeforeConnection: "60.00", connectedOn: today, roas: "10.00" });
    // Connected long ago: all 7 days covered, nothing to mark.
    const { figures: old } = await (await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).json();
    expect(old.totals).toMatchObject({ spendBeforeConnection: null });
  });

  it("a range wholly before the connection shows its spend and says why there is no ROAS", async () => {
    const data = await dashboard(FRESH, RANGE);
    expect(data.totals).toMatchObject({ spend: "80.00", roas: null, roasNote: "before_connection", costPerOrder: null });
  });
});

describe("Why the numbers differ: only reasons the page backs with a figure", () => {
  const SHOP = "gamma-reasons.myshopify.com";

  beforeAll(async () => {
    await seedOfflineSession(SHOP);
    // A EUR store in Berlin on a USD ad account in Los Angeles: two currencies and two calendars.
    await prisma.shop.update({ where: { shop: SHOP }, data: { currency: "EUR", ianaTimezone: "Europe/Berlin" } });
    await connectShop(SHOP, control, { advertiserId: ADVERTISER_IDS.pacific, connectedAt: LONG_AGO });
    const usd = { advertiserId: ADVERTISER_IDS.pacific, currency: "USD", timezone: "America/Los_Angeles" };
    await prisma.spendRow.createMany({
      data: days(9, 2).map((date) => ({
        ...spendRow(SHOP, { ...usd, level: "campaign", entityId: C1, campaignId: C1, name: "Prospecting", date, spend: "10.00" }),
        purchases: 2,
        purchaseValue: new Prisma.Decimal("100.00"),
        viewPurchases: 0,
        viewPurchaseValue: new Prisma.Decimal("0.00"),
      })),
    });
    // Noon in Berlin is the same day in Los Angeles; half past midnight in Berlin is still the day before there:
    // inside the range (days 6 to 2) for the order of day 4 (TikTok counts it on day 5), before it for the
    // order of day 6 (TikTok counts it on day 7, which the range leaves out).
    await buy(SHOP, { at: berlinAt(5, 12), total: "60.00", currency: "EUR", campaignId: C1 });
    await buy(SHOP, { at: berlinAt(4, 0.5), total: "40.00", currency: "EUR", campaignId: C1 });
    await buy(SHOP, { at: berlinAt(6, 0.5), total: "25.00", currency: "EUR", campaignId: C1 });
    expect((await drainAll()).sent).toBe(3);
  });

  it("names the calendars only for the orders TikTok counts outside the range, and the currencies with both values", async () => {
    const data = await dashboard(SHOP, `?start=${day(6)}&end=${day(2)}`);
    expect(data).toMatchObject({ accountTimezone: "America/Los_Angeles", revenueTimezone: "Europe/Berlin", currencyDiffers: true });
    expect(data.totals).toMatchObject({ tiktokPurchases: 10, attributedOrders: 3, purchaseDifference: 7 });
    expect(data.totals.reasons).toEqual([
      { kind: "currency", tiktokValue: "500.00", ourRevenue: "125.00" },
      { kind: "days", orders: 1 },
      { kind: "attribution", purchases: 7 },
    ]);
  });

  it("leaves out the calendars when no order falls on another day, and the currencies when TikTok gave no value", async () => {
    // A range with only the noon order, and TikTok's values not reported.
    await prisma.spendRow.updateMany({ where: { shop: SHOP }, data: { purchaseValue: null } });
    const data = await dashboard(SHOP, `?start=${day(5)}&end=${day(5)}`);
    expect(data.totals.attributedOrders).toBe(1);
    expect(data.totals.reasons.map((r: { kind: string }) => r.kind)).toEqual(["attribution"]);
  });
});
