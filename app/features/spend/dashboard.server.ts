// What the dashboard shows, for one shop only: spend from SpendRow (ad account currency and
// days), attributed revenue from OrderRecord (store currency, days of the shop's time zone),
// and the state of the sync. Amounts leave this module as strings with the currency's digits;
// two currencies are never added or divided.
import { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "~/core/db.server";
import { currencyDigits } from "~/core/lib/currency";
import { coverageStart } from "~/core/connection/coverage";
import { addDays, dayIn, daysBetween, isCalendarDate, isKnownTimeZone, startOfDayIn } from "./dates";
import { parseCursor, refreshSchedule, requestSpendSync } from "./sync.server";

const DEFAULT_RANGE_DAYS = 30;
const MAX_RANGE_DAYS = 366;

const Decimal = Prisma.Decimal;
type Decimal = Prisma.Decimal;

const date = z.string().refine(isCalendarDate, "enter dates as YYYY-MM-DD");
const rangeSchema = z
  .object({ start: date, end: date })
  .refine((r) => r.start <= r.end, "the start date is after the end date")
  .refine((r) => daysBetween(r.start, r.end) <= MAX_RANGE_DAYS, `a range can cover at most ${MAX_RANGE_DAYS} days`);

const money = (value: Decimal, currency: string | null) => value.toFixed(currencyDigits(currency));

/** Shopify admin's usual ranges, in the store's days; "custom" is any other start and end. */
const RANGE_PRESETS = { today: [0, 0], yesterday: [1, 1], last7: [6, 0], last30: [29, 0], last90: [89, 0] } as const;
type Preset = keyof typeof RANGE_PRESETS;
const presetSchema = z.enum(Object.keys(RANGE_PRESETS) as [Preset, ...Preset[]]);
const presetRange = (preset: Preset, today: string) => ({ start: addDays(today, -RANGE_PRESETS[preset][0]), end: addDays(today, -RANGE_PRESETS[preset][1]) });
/** The preset a range is, if any (so the picker shows "Last 7 days" for a link that spells out those dates). */
const presetOf = (range: { start: string; end: string }, today: string): Preset | "custom" =>
  (Object.keys(RANGE_PRESETS) as Preset[]).find((p) => { const r = presetRange(p, today); return r.start === range.start && r.end === range.end; }) ?? "custom";

/** Parses ?preset= or ?start=&end=; anything invalid falls back to the last `days` days, with the reason. */
function parseRange(params: URLSearchParams, today: string, days: number) {
  const fallback = { start: addDays(today, -(days - 1)), end: today };
  const preset = params.get("preset");
  if (preset) {
    const known = presetSchema.safeParse(preset);
    if (known.success) return { range: presetRange(known.data, today), error: null };
    return { range: fallback, error: `Choose a range from the list. Showing the last ${days} days instead.` };
  }
  const raw = { start: params.get("start"), end: params.get("end") };
  if (!raw.start && !raw.end) return { range: fallback, error: null };
  const parsed = rangeSchema.safeParse({ start: raw.start ?? fallback.start, end: raw.end ?? fallback.end });
  if (parsed.success) return { range: parsed.data, error: null };
  const reason = parsed.error.issues[0].message;
  return { range: fallback, error: `${reason[0].toUpperCase()}${reason.slice(1)}. Showing the last ${days} days instead.` };
}

/**
 * TikTok's own purchase figures (its report's complete_payment metrics, ADR 0008), in the ad account's
 * currency. A figure is null ("not reported") unless every row it adds up reported it: a sum over
 * some days only would pass for TikTok's total, and "not reported" is never shown as 0.
 */
type TikTokPurchases = { purchases: number | null; value: Decimal | null; viewPurchases: number | null; viewValue: Decimal | null };
const UNSEEN = Symbol("no rows yet");
type Sum<T> = T | null | typeof UNSEEN;
type PurchaseSums = { purchases: Sum<number>; value: Sum<Decimal>; viewPurchases: Sum<number>; viewValue: Sum<Decimal> };
const noPurchases = (): PurchaseSums => ({ purchases: UNSEEN, value: UNSEEN, viewPurchases: UNSEEN, viewValue: UNSEEN });
type PurchaseRow = { purchases: number | null; purchaseValue: Decimal | null; viewPurchases: number | null; viewPurchaseValue: Decimal | null };
const plusCount = (a: Sum<number>, b: number | null): Sum<number> => (a === null || b === null ? null : (a === UNSEEN ? 0 : a) + b);
const plusMoney = (a: Sum<Decimal>, b: Decimal | null): Sum<Decimal> => (a === null || b === null ? null : (a === UNSEEN ? new Decimal(0) : a).plus(b));
function addPurchases(t: PurchaseSums, r: PurchaseRow) {
  t.purchases = plusCount(t.purchases, r.purchases);
  t.value = plusMoney(t.value, r.purchaseValue);
  t.viewPurchases = plusCount(t.viewPurchases, r.viewPurchases);
  t.viewValue = plusMoney(t.viewValue, r.viewPurchaseValue);
}
const settled = <T,>(v: Sum<T>): T | null => (v === UNSEEN ? null : v);
const reported = (t: PurchaseSums): TikTokPurchases => ({
  purchases: settled(t.purchases),
  value: settled(t.value),
  viewPurchases: settled(t.viewPurchases),
  viewValue: settled(t.viewValue),
});

/**
 * `coveredSpend` and `tiktok`: spend and TikTok's purchases on days the app could see orders (from the
 * connection on); TikTok's purchases of earlier days are kept apart in `tiktokBefore`, never compared.
 */
type Totals = { spend: Decimal; coveredSpend: Decimal; impressions: number; clicks: number; conversions: number | null; tiktok: PurchaseSums; tiktokBefore: PurchaseSums };
const emptyTotals = (): Totals => ({ spend: new Decimal(0), coveredSpend: new Decimal(0), impressions: 0, clicks: 0, conversions: null, tiktok: noPurchases(), tiktokBefore: noPurchases() });
function addRow(t: Totals, r: { spend: Decimal; impressions: number; clicks: number; conversions: number | null } & PurchaseRow, covered: boolean) {
  t.spend = t.spend.plus(r.spend);
  if (covered) t.coveredSpend = t.coveredSpend.plus(r.spend);
  t.impressions += r.impressions;
  t.clicks += r.clicks;
  if (r.conversions !== null) t.conversions = (t.conversions ?? 0) + r.conversions;
  addPurchases(covered ? t.tiktok : t.tiktokBefore, r);
}

/** Our side of a campaign, ad group or day: attributed orders TikTok accepted, gross and refund-adjusted. */
type Ours = { orders: number; revenue: Decimal; refunded: Decimal };
const noOrders = (): Ours => ({ orders: 0, revenue: new Decimal(0), refunded: new Decimal(0) });
function addOrder(map: Map<string, Ours>, key: string, o: { totalValue: Decimal; refundedValue: Decimal }) {
  const line = map.get(key) ?? noOrders();
  line.orders++;
  line.revenue = line.revenue.plus(o.totalValue);
  line.refunded = line.refunded.plus(o.refundedValue);
  map.set(key, line);
}

/**
 * The reasons for a difference between TikTok's purchases and ours that the page can show with a figure
 * (issue 24): a reason without one is left out rather than asserted.
 */
function differenceReasons(x: {
  tiktok: TikTokPurchases;
  difference: number | null;
  notSent: { status: string; orders: number }[];
  refunded: Decimal;
  currencyDiffers: boolean;
  ourRevenue: Decimal;
  ordersOnOtherDays: number;
  money: (v: Decimal, currency: "account" | "store") => string;
}) {
  type Reason =
    | { kind: "view_through"; purchases: number; value: string | null }
    | { kind: "not_sent"; orders: number; lines: { status: string; orders: number }[] }
    | { kind: "refunds"; refunded: string }
    | { kind: "currency"; tiktokValue: string; ourRevenue: string }
    | { kind: "days"; orders: number }
    | { kind: "attribution"; purchases: number };
  const reasons: Reason[] = [];
  const view = x.tiktok.viewPurchases;
  if (view !== null && view > 0) reasons.push({ kind: "view_through", purchases: view, value: x.tiktok.viewValue === null ? null : x.money(x.tiktok.viewValue, "account") });
  const notSent = x.notSent.reduce((n, l) => n + l.orders, 0);
  if (notSent > 0) reasons.push({ kind: "not_sent", orders: notSent, lines: x.notSent });
  if (x.refunded.greaterThan(0)) reasons.push({ kind: "refunds", refunded: x.money(x.refunded, "store") });
  // Both values, so the merchant sees what is not converted; without TikTok's value there is nothing to set beside ours.
  if (x.currencyDiffers && x.tiktok.value !== null) reasons.push({ kind: "currency", tiktokValue: x.money(x.tiktok.value, "account"), ourRevenue: x.money(x.ourRevenue, "store") });
  if (x.ordersOnOtherDays > 0) reasons.push({ kind: "days", orders: x.ordersOnOtherDays });
  // What view-through does not explain: TikTok's click-through count against the orders sent.
  const unexplained = x.difference === null ? null : x.difference - (view ?? 0);
  if (unexplained !== null && unexplained !== 0) reasons.push({ kind: "attribution", purchases: unexplained });
  return reasons;
}

/**
 * One range's figures: the range in `params` (the last `defaultDays` days of the ad account when
 * none or an invalid one is given).
 */
async function dashboardFor(shop: string, params: URLSearchParams, now: Date, defaultDays: number) {
  const [connection, shopRow] = await Promise.all([
    prisma.tikTokConnection.findUnique({
      where: { shop },
      select: {
        status: true,
        advertiserId: true,
        advertiserName: true,
        advertiserCurrency: true,
        advertiserTimezone: true,
        lastAuthError: true,
        connectedAt: true,
        coverageStarts: true,
        attributionWindowDays: true,
      },
    }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true, ianaTimezone: true } }),
  ]);
  const advertiserId = connection?.advertiserId ?? null;
  const accountTimezone = connection?.advertiserTimezone && isKnownTimeZone(connection.advertiserTimezone) ? connection.advertiserTimezone : "UTC";
  const adCurrency = connection?.advertiserCurrency ?? null;
  const shopTimezone = shopRow?.ianaTimezone && isKnownTimeZone(shopRow.ianaTimezone) ? shopRow.ianaTimezone : null;
  const revenueTimezone = shopTimezone ?? accountTimezone;

  // One clock (issue 26): "today" and every range's dates are the store's; each date's spend is what
  // TikTok reports for it in the ad account's zone, and its orders are the store's orders of that date.
  const { range, error: rangeError } = parseRange(params, dayIn(revenueTimezone, now), defaultDays);
  const sync = await syncStatus(shop, now);
  // The app sees orders from its first connection to this ad account on (a pixel change or a reconnect
  // keeps that day): spend of days before it (the backfill imports 30) is shown, but divided by nothing
  // the app could have seen, so ROAS, its orders and TikTok's purchases are compared from that day.
  const coveredAt = connection ? coverageStart(connection) : null;
  const coveredFrom = coveredAt ? dayIn(accountTimezone, coveredAt) : null;
  const covered = (date: string) => coveredFrom === null || date >= coveredFrom;
  const coveredStart = coveredFrom !== null && coveredFrom > range.start ? coveredFrom : range.start;
  const startOfCovered = startOfDayIn(revenueTimezone, coveredStart);
  const ordersFrom = coveredAt && coveredAt > startOfCovered ? coveredAt : startOfCovered;

  const spendWhere = { shop, advertiserId: advertiserId ?? "", date: { gte: range.start, lte: range.end } };
  const [hasAnySpend, campaignRows, adgroupGroups, coveredAdgroupSpend, orders, everAttributed] = await Promise.all([
    advertiserId ? prisma.spendRow.count({ where: { shop, advertiserId, level: "campaign" } }).then((n) => n > 0) : Promise.resolve(false),
    prisma.spendRow.findMany({
      where: { ...spendWhere, level: "campaign" },
      select: {
        entityId: true,
        name: true,
        date: true,
        spend: true,
        impressions: true,
        clicks: true,
        conversions: true,
        purchases: true,
        purchaseValue: true,
        viewPurchases: true,
        viewPurchaseValue: true,
        currency: true,
      },
    }),
    prisma.spendRow.groupBy({
      by: ["entityId", "campaignId"],
      where: { ...spendWhere, level: "adgroup" },
      _sum: { spend: true, impressions: true, clicks: true, conversions: true, purchases: true, purchaseValue: true, viewPurchases: true, viewPurchaseValue: true },
      _count: { _all: true, conversions: true, purchases: true, purchaseValue: true, viewPurchases: true, viewPurchaseValue: true },
      _max: { name: true },
    }),
    coveredStart > range.end
      ? Promise.resolve([])
      : prisma.spendRow.groupBy({
          by: ["entityId", "campaignId"],
          where: { ...spendWhere, level: "adgroup", date: { gte: coveredStart, lte: range.end } },
          _sum: { spend: true, purchases: true, purchaseValue: true, viewPurchases: true, viewPurchaseValue: true },
          _count: { _all: true, purchases: true, purchaseValue: true, viewPurchases: true, viewPurchaseValue: true },
        }),
    // Attributed orders (a TikTok click id reached us) of this ad account: sent under it, or not
    // sent to any account yet. An order sent under another account stays that account's.
    prisma.orderRecord.findMany({
      where: {
        shop,
        ttclid: { not: null },
        sendDecision: { notIn: ["test_order"] },
        isTest: false,
        // Only days the app covered: revenue of earlier days would be divided by spend it never saw.
        // and on the coverage day, only from the connection's moment: an order before it could not be sent.
        orderCreatedAt: { gte: ordersFrom, lt: startOfDayIn(revenueTimezone, addDays(range.end, 1)) },
        OR: [{ advertiserId: advertiserId ?? "" }, { advertiserId: null, sendDecision: { not: "sent" } }],
      },
      select: { orderCreatedAt: true, currency: true, totalValue: true, refundedValue: true, campaignId: true, adgroupId: true, sendDecision: true },
    }),
    prisma.orderRecord.count({ where: { shop, ttclid: { not: null }, sendDecision: "sent", isTest: false } }).then((n) => n > 0),
  ]);

  // Spend: the rows carry their currency; an account keeps one, but a mix is reported per
  // currency, never summed: the account's currency is the headline, others are listed apart.
  const spendCurrency = adCurrency ?? campaignRows[0]?.currency ?? null;
  const total = emptyTotals();
  const otherSpend = new Map<string, Decimal>();
  const dailySpend = new Map<string, Decimal>();
  const dailyTikTok = new Map<string, PurchaseSums>();
  const byCampaign = new Map<string, Totals & { name: string | null }>();
  for (const r of campaignRows) {
    if (spendCurrency !== null && r.currency !== spendCurrency) {
      otherSpend.set(r.currency, (otherSpend.get(r.currency) ?? new Decimal(0)).plus(r.spend));
      continue;
    }
    addRow(total, r, covered(r.date));
    dailySpend.set(r.date, (dailySpend.get(r.date) ?? new Decimal(0)).plus(r.spend));
    const dayTikTok = dailyTikTok.get(r.date) ?? noPurchases();
    addPurchases(dayTikTok, r);
    dailyTikTok.set(r.date, dayTikTok);
    const c = byCampaign.get(r.entityId) ?? { ...emptyTotals(), name: null };
    addRow(c, r, covered(r.date));
    c.name = c.name ?? r.name;
    byCampaign.set(r.entityId, c);
  }

  // Revenue: attributed orders whose event TikTok accepted, by order day in the revenue time zone.
  // Attributed orders not sent (yet) are counted apart, per status.
  const storeCurrency = shopRow?.currency ?? orders[0]?.currency ?? null;
  const inStoreCurrency = orders.filter((o) => storeCurrency === null || o.currency === storeCurrency);
  const otherCurrencyOrders = orders.length - inStoreCurrency.length;
  const revenueOrders = inStoreCurrency.filter((o) => o.sendDecision === "sent");
  const notSentByStatus = new Map<string, { orders: number; value: Decimal }>();
  for (const o of inStoreCurrency) {
    if (o.sendDecision === "sent") continue;
    const line = notSentByStatus.get(o.sendDecision) ?? { orders: 0, value: new Decimal(0) };
    line.orders++;
    line.value = line.value.plus(o.totalValue);
    notSentByStatus.set(o.sendDecision, line);
  }
  let gross = new Decimal(0);
  let refunded = new Decimal(0);
  const dailyRevenue = new Map<string, Ours>();
  const campaignRevenue = new Map<string, Ours>();
  // Keyed by campaign and ad group: an ad group's revenue counts only under the campaign the order carried.
  const adgroupRevenue = new Map<string, Ours>();
  for (const o of revenueOrders) {
    gross = gross.plus(o.totalValue);
    refunded = refunded.plus(o.refundedValue);
    addOrder(dailyRevenue, dayIn(revenueTimezone, o.orderCreatedAt), o);
    if (o.campaignId) {
      addOrder(campaignRevenue, o.campaignId, o);
      if (o.adgroupId) addOrder(adgroupRevenue, `${o.campaignId}/${o.adgroupId}`, o);
    }
  }
  const net = gross.minus(refunded);
  const sameCurrency = spendCurrency !== null && storeCurrency !== null && spendCurrency === storeCurrency;
  const ratio = (a: Decimal, b: Decimal) => (sameCurrency && !b.isZero() ? a.dividedBy(b).toFixed(2) : null);
  const attributedOrders = revenueOrders.length;
  const coveredAdgroup = new Map(coveredAdgroupSpend.map((g) => [`${g.campaignId ?? ""}/${g.entityId}`, g]));
  // Before the first attributed order the app ever sent, a ROAS of 0.00× would only mean "too early".
  const roasNote: "before_connection" | "first_order" | null =
    coveredFrom !== null && coveredFrom > range.end ? "before_connection" : !everAttributed ? "first_order" : null;
  const roasOf = (revenue: Decimal, coveredSpend: Decimal) => (roasNote ? null : ratio(revenue, coveredSpend));
  /** Our figures for a campaign, ad group or day: gross and refund-adjusted, with their ROAS over `spend`. */
  const ourFigures = (matched: Ours | undefined, spend: Decimal) => ({
    revenue: matched ? money(matched.revenue, storeCurrency) : null,
    netRevenue: matched ? money(matched.revenue.minus(matched.refunded), storeCurrency) : null,
    attributedOrders: matched?.orders ?? 0,
    roas: matched ? roasOf(matched.revenue, spend) : null,
    netRoas: matched ? roasOf(matched.revenue.minus(matched.refunded), spend) : null,
  });
  /**
   * TikTok's figures beside ours, and the difference in purchases (TikTok's minus ours) when TikTok reported
   * them and the days are the app's (`compared`: false for a day before the connection).
   */
  const tiktokFigures = (t: TikTokPurchases, ourOrders: number, compared = true) => ({
    tiktokPurchases: t.purchases,
    tiktokPurchaseValue: t.value === null ? null : money(t.value, spendCurrency),
    tiktokViewPurchases: t.viewPurchases,
    tiktokViewPurchaseValue: t.viewValue === null ? null : money(t.viewValue, spendCurrency),
    purchaseDifference: t.purchases === null || !compared ? null : t.purchases - ourOrders,
  });

  const days = Array.from({ length: daysBetween(range.start, range.end) }, (_, i) => addDays(range.start, i));
  const adgroupsByCampaign = new Map<string, typeof adgroupGroups>();
  for (const g of adgroupGroups) {
    const key = g.campaignId ?? "";
    adgroupsByCampaign.set(key, [...(adgroupsByCampaign.get(key) ?? []), g]);
  }

  // A campaign with attributed revenue but no spend in the range still shows, with zero spend.
  const unspent = [...campaignRevenue.keys()].filter((id) => !byCampaign.has(id));
  if (unspent.length && advertiserId) {
    const names = await prisma.spendRow.findMany({
      where: { shop, advertiserId, level: "campaign", entityId: { in: unspent } },
      distinct: ["entityId"],
      select: { entityId: true, name: true },
    });
    for (const id of unspent) byCampaign.set(id, { ...emptyTotals(), name: names.find((n) => n.entityId === id)?.name ?? null });
  }

  const campaigns = [...byCampaign.entries()]
    .map(([campaignId, c]) => {
      const matched = campaignRevenue.get(campaignId);
      const adgroups = (adgroupsByCampaign.get(campaignId) ?? [])
        .map((g) => {
          const ours = adgroupRevenue.get(`${campaignId}/${g.entityId}`);
          // TikTok's purchases of the covered days only, as the ad group's ROAS and orders; reported
          // only when every row of the ad group on those days reported it.
          const c = coveredAdgroup.get(`${campaignId}/${g.entityId}`);
          const all = c?._count._all ?? 0;
          const tiktok: TikTokPurchases = {
            purchases: c && c._count.purchases === all ? (c._sum.purchases ?? 0) : null,
            value: c && c._count.purchaseValue === all ? new Decimal(c._sum.purchaseValue ?? 0) : null,
            viewPurchases: c && c._count.viewPurchases === all ? (c._sum.viewPurchases ?? 0) : null,
            viewValue: c && c._count.viewPurchaseValue === all ? new Decimal(c._sum.viewPurchaseValue ?? 0) : null,
          };
          return {
            adgroupId: g.entityId,
            name: g._max.name ?? g.entityId,
            spend: money(new Decimal(g._sum.spend ?? 0), spendCurrency),
            spendValue: Number(g._sum.spend ?? 0),
            impressions: g._sum.impressions ?? 0,
            clicks: g._sum.clicks ?? 0,
            conversions: g._count.conversions > 0 ? (g._sum.conversions ?? 0) : null,
            ...ourFigures(ours, new Decimal(c?._sum.spend ?? 0)),
            ...tiktokFigures(tiktok, ours?.orders ?? 0),
          };
        })
        .sort((a, b) => b.spendValue - a.spendValue);
      return {
        campaignId,
        name: c.name ?? campaignId,
        spend: money(c.spend, spendCurrency),
        spendValue: c.spend.toNumber(),
        impressions: c.impressions,
        clicks: c.clicks,
        conversions: c.conversions,
        ...ourFigures(matched, c.coveredSpend),
        ...tiktokFigures(reported(c.tiktok), matched?.orders ?? 0),
        /**
         * Attributed orders of this campaign in none of the ad groups listed: they carried no ad
         * group id, or one with no spend in the range.
         */
        ordersOutsideAdgroups: (matched?.orders ?? 0) - adgroups.reduce((n, g) => n + g.attributedOrders, 0),
        adgroups,
      };
    })
    .sort((a, b) => b.spendValue - a.spendValue);

  // A 7-day rolling ROAS over the days the app could see: a trend, where one day's ROAS is mostly noise.
  // Gross and refund-adjusted, as every other ROAS on the page.
  const rolling = days.map((d, i) => {
    const window = days.slice(Math.max(0, i - 6), i + 1).filter(covered);
    const spent = window.reduce((sum, w) => sum.plus(dailySpend.get(w) ?? 0), new Decimal(0));
    const earned = window.reduce((sum, w) => sum.plus(dailyRevenue.get(w)?.revenue ?? 0), new Decimal(0));
    const refundedIn = window.reduce((sum, w) => sum.plus(dailyRevenue.get(w)?.refunded ?? 0), new Decimal(0));
    if (roasNote || !sameCurrency || spent.isZero()) return { gross: null, net: null };
    return { gross: Number(earned.dividedBy(spent).toFixed(2)), net: Number(earned.minus(refundedIn).dividedBy(spent).toFixed(2)) };
  });

  const tiktokTotals = reported(total.tiktok);
  const before = reported(total.tiktokBefore);
  const reasons = differenceReasons({
    tiktok: tiktokTotals,
    difference: tiktokTotals.purchases === null ? null : tiktokTotals.purchases - attributedOrders,
    notSent: [...notSentByStatus.entries()].map(([status, line]) => ({ status, orders: line.orders })),
    refunded,
    currencyDiffers: spendCurrency !== null && storeCurrency !== null && spendCurrency !== storeCurrency,
    ourRevenue: gross,
    // Sent orders that TikTok, counting in the ad account's zone, puts on a day outside the compared
    // days: only those change the range's totals (one moved within the range changes a day, not the sum).
    ordersOnOtherDays: revenueOrders.filter((o) => {
      const day = dayIn(accountTimezone, o.orderCreatedAt);
      return day < coveredStart || day > range.end;
    }).length,
    money: (v, currency) => money(v, currency === "account" ? spendCurrency : storeCurrency),
  });

  return {
    shop,
    preset: presetOf(range, dayIn(revenueTimezone, now)),
    connection: connection
      ? { status: connection.status, advertiserName: connection.advertiserName, advertiserId, lastAuthError: connection.lastAuthError }
      : null,
    range,
    rangeError,
    spendCurrency,
    storeCurrency,
    currencyDiffers: spendCurrency !== null && storeCurrency !== null && spendCurrency !== storeCurrency,
    accountTimezone,
    revenueTimezone,
    attributionWindowDays: connection?.attributionWindowDays ?? null,
    /** True when Shopify did not tell us the shop's zone and the ad account's is used for revenue days. */
    revenueTimezoneIsFallback: shopTimezone === null,
    hasAnySpend,
    totals: {
      spend: money(total.spend, spendCurrency),
      /** Spend reported in other currencies than the account's: listed, never added. */
      otherSpend: [...otherSpend.entries()].map(([currency, amount]) => ({ currency, spend: money(amount, currency) })),
      impressions: total.impressions,
      clicks: total.clicks,
      tiktokConversions: total.conversions,
      ...tiktokFigures(tiktokTotals, attributedOrders),
      /**
       * The first day TikTok's purchases are compared from (the coverage start, or the range's); null when
       * the whole range is before the connection and nothing is compared.
       */
      tiktokComparedFrom: coveredStart > range.end ? null : coveredStart,
      /** TikTok's purchases on the range's days before the connection: shown apart, never in the difference. */
      tiktokPurchasesBeforeConnection: before.purchases,
      /** Why TikTok's count and ours differ, each with the figure that shows it (only those the page can back). */
      reasons,
      grossRevenue: money(gross, storeCurrency),
      refunded: money(refunded, storeCurrency),
      netRevenue: money(net, storeCurrency),
      attributedOrders,
      otherCurrencyOrders,
      /** Attributed orders of this account not accepted by TikTok (yet), per status. */
      notSent: [...notSentByStatus.entries()].map(([status, line]) => ({ status, orders: line.orders, value: money(line.value, storeCurrency) })),
      roas: roasOf(gross, total.coveredSpend),
      netRoas: roasOf(net, total.coveredSpend),
      costPerOrder: attributedOrders > 0 ? money(total.coveredSpend.dividedBy(attributedOrders), spendCurrency) : null,
      /** Why there is no ROAS although there is spend: the range is before the connection, or no attributed order was sent yet. */
      roasNote,
      /** Spend in the range before the app was connected: shown, never divided into ROAS. */
      spendBeforeConnection: total.spend.minus(total.coveredSpend).isZero() ? null : money(total.spend.minus(total.coveredSpend), spendCurrency),
      connectedOn: coveredFrom,
    },
    daily: days.map((d) => ({
      date: d,
      spend: (dailySpend.get(d) ?? new Decimal(0)).toNumber(),
      revenue: (dailyRevenue.get(d)?.revenue ?? new Decimal(0)).toNumber(),
      netRevenue: (dailyRevenue.get(d) ? dailyRevenue.get(d)!.revenue.minus(dailyRevenue.get(d)!.refunded) : new Decimal(0)).toNumber(),
      attributedOrders: dailyRevenue.get(d)?.orders ?? 0,
      ...tiktokFigures(reported(dailyTikTok.get(d) ?? noPurchases()), dailyRevenue.get(d)?.orders ?? 0, covered(d)),
      /** A day before the app was connected: its spend and TikTok's purchases are shown, never compared with orders. */
      beforeConnection: !covered(d),
      /** Attributed revenue ÷ spend over this day and the 6 before it in the range (covered days only). */
      rollingRoas: rolling[days.indexOf(d)].gross,
      /** The same, refund-adjusted. */
      rollingNetRoas: rolling[days.indexOf(d)].net,
    })),
    campaigns,
    sync,
  };
}

/**
 * Everything the dashboard shows for the range in `params`, and the same figures for the period of the
 * same length just before it, for the cards' change (issue 26). Home shows the same for 7 days.
 */
export async function loadDashboard(shop: string, params: URLSearchParams, now = new Date(), { defaultDays = DEFAULT_RANGE_DAYS } = {}) {
  const current = await dashboardFor(shop, params, now, defaultDays);
  const length = daysBetween(current.range.start, current.range.end);
  const before = await dashboardFor(shop, new URLSearchParams({ start: addDays(current.range.start, -length), end: addDays(current.range.start, -1) }), now, defaultDays);
  const t = before.totals;
  return {
    ...current,
    previous: { range: before.range, spend: t.spend, grossRevenue: t.grossRevenue, netRevenue: t.netRevenue, roas: t.roas, attributedOrders: t.attributedOrders },
  };
}

export type DashboardData = Awaited<ReturnType<typeof loadDashboard>>;

/** The active run (with progress), the last completed sync, when the next is due and the latest error. */
async function syncStatus(shop: string, now: Date) {
  const [active, lastDone, latest, schedule] = await Promise.all([
    // A refresh waiting for its time in the hour is not progress to show: nextRefreshAt says when.
    prisma.syncRun.findFirst({
      where: { shop, OR: [{ status: "running" }, { status: "queued", kind: { in: ["manual", "backfill"] } }] },
      orderBy: { createdAt: "desc" },
    }),
    prisma.syncRun.findFirst({ where: { shop, status: "done" }, orderBy: { finishedAt: "desc" }, select: { finishedAt: true } }),
    prisma.syncRun.findFirst({ where: { shop }, orderBy: { createdAt: "desc" }, select: { error: true, status: true } }),
    refreshSchedule(shop, now),
  ]);
  const cursor = active ? parseCursor(active.cursor) : null;
  return {
    active: active
      ? {
          id: active.id,
          kind: active.kind,
          status: active.status,
          windowsDone: active.windowsDone,
          windowsTotal: active.windowsTotal,
          requestsMade: active.requestsMade,
          waitingFor: cursor?.waitingFor ?? null,
          range: cursor?.range ?? null,
        }
      : null,
    lastSyncedAt: lastDone?.finishedAt?.toISOString() ?? null,
    /** hourly (spend in the last 7 days) or daily, and when the next refresh may start; null when not connected. */
    cadence: schedule?.cadence ?? null,
    nextRefreshAt: schedule?.nextDueAt ?? null,
    lastError: active?.error ?? (latest?.status === "failed" ? latest.error : null),
  };
}

/** "Sync now": queues a manual run, or says why it cannot (a second click returns the same run). */
export async function syncNow(shop: string): Promise<{ ok: boolean; message: string; runId?: string }> {
  const connection = await prisma.tikTokConnection.findUnique({ where: { shop }, select: { status: true, advertiserId: true } });
  if (connection?.status === "needs_reconnect") return { ok: false, message: "Reconnect TikTok first; the sync continues by itself after that." };
  if (connection?.status !== "connected" || !connection.advertiserId) return { ok: false, message: "Connect a TikTok ad account first." };
  const { queued, runId } = await requestSpendSync(shop, "manual");
  return {
    ok: true,
    runId,
    message: queued ? "Sync queued. It usually starts within a minute." : "A sync is already queued or running; it will pick up the latest numbers.",
  };
}
