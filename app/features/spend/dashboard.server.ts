// What the dashboard shows, for one shop only: spend from SpendRow (ad account currency and
// days), attributed revenue from OrderRecord (store currency, days of the shop's time zone),
// and the state of the sync. Amounts leave this module as strings with the currency's digits;
// two currencies are never added or divided.
import { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "~/core/db.server";
import { currencyDigits } from "~/core/lib/currency";
import { addDays, dayIn, daysBetween, isCalendarDate, isKnownTimeZone, startOfDayIn } from "./dates";
import { parseCursor, requestSpendSync } from "./sync.server";

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

/** Parses ?start=&end=; anything invalid falls back to the last `days` days, with the reason. */
function parseRange(params: URLSearchParams, today: string, days: number) {
  const fallback = { start: addDays(today, -(days - 1)), end: today };
  const raw = { start: params.get("start"), end: params.get("end") };
  if (!raw.start && !raw.end) return { range: fallback, error: null };
  const parsed = rangeSchema.safeParse({ start: raw.start ?? fallback.start, end: raw.end ?? fallback.end });
  if (parsed.success) return { range: parsed.data, error: null };
  const reason = parsed.error.issues[0].message;
  return { range: fallback, error: `${reason[0].toUpperCase()}${reason.slice(1)}. Showing the last ${days} days instead.` };
}

/** `coveredSpend`: the part of `spend` on days the app could see orders (from the connection on). */
type Totals = { spend: Decimal; coveredSpend: Decimal; impressions: number; clicks: number; conversions: number | null };
const emptyTotals = (): Totals => ({ spend: new Decimal(0), coveredSpend: new Decimal(0), impressions: 0, clicks: 0, conversions: null });
function addRow(t: Totals, r: { spend: Decimal; impressions: number; clicks: number; conversions: number | null }, covered: boolean) {
  t.spend = t.spend.plus(r.spend);
  if (covered) t.coveredSpend = t.coveredSpend.plus(r.spend);
  t.impressions += r.impressions;
  t.clicks += r.clicks;
  if (r.conversions !== null) t.conversions = (t.conversions ?? 0) + r.conversions;
}

/**
 * Everything the dashboard shows for the range in `params` (the last `defaultDays` days of the
 * ad account when none or an invalid one is given). Home shows the same figures for 7 days.
 */
export async function loadDashboard(shop: string, params: URLSearchParams, now = new Date(), { defaultDays = DEFAULT_RANGE_DAYS } = {}) {
  const [connection, shopRow] = await Promise.all([
    prisma.tikTokConnection.findUnique({
      where: { shop },
      select: { status: true, advertiserId: true, advertiserName: true, advertiserCurrency: true, advertiserTimezone: true, lastAuthError: true, connectedAt: true },
    }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true, ianaTimezone: true } }),
  ]);
  const advertiserId = connection?.advertiserId ?? null;
  const accountTimezone = connection?.advertiserTimezone && isKnownTimeZone(connection.advertiserTimezone) ? connection.advertiserTimezone : "UTC";
  const adCurrency = connection?.advertiserCurrency ?? null;
  const shopTimezone = shopRow?.ianaTimezone && isKnownTimeZone(shopRow.ianaTimezone) ? shopRow.ianaTimezone : null;
  const revenueTimezone = shopTimezone ?? accountTimezone;

  const { range, error: rangeError } = parseRange(params, dayIn(accountTimezone, now), defaultDays);
  const sync = await syncStatus(shop);
  // The app sees orders from the connection on: spend of days before it (the backfill imports 30)
  // is shown, but divided by nothing the app could have seen, so ROAS counts spend from that day.
  const coveredFrom = connection?.connectedAt ? dayIn(accountTimezone, connection.connectedAt) : null;
  const covered = (date: string) => coveredFrom === null || date >= coveredFrom;
  const coveredStart = coveredFrom !== null && coveredFrom > range.start ? coveredFrom : range.start;

  const spendWhere = { shop, advertiserId: advertiserId ?? "", date: { gte: range.start, lte: range.end } };
  const [hasAnySpend, campaignRows, adgroupGroups, coveredAdgroupSpend, orders, everAttributed] = await Promise.all([
    advertiserId ? prisma.spendRow.count({ where: { shop, advertiserId, level: "campaign" } }).then((n) => n > 0) : Promise.resolve(false),
    prisma.spendRow.findMany({
      where: { ...spendWhere, level: "campaign" },
      select: { entityId: true, name: true, date: true, spend: true, impressions: true, clicks: true, conversions: true, currency: true },
    }),
    prisma.spendRow.groupBy({
      by: ["entityId", "campaignId"],
      where: { ...spendWhere, level: "adgroup" },
      _sum: { spend: true, impressions: true, clicks: true, conversions: true },
      _count: { conversions: true },
      _max: { name: true },
    }),
    coveredStart > range.end
      ? Promise.resolve([])
      : prisma.spendRow.groupBy({ by: ["entityId", "campaignId"], where: { ...spendWhere, level: "adgroup", date: { gte: coveredStart, lte: range.end } }, _sum: { spend: true } }),
    // Attributed orders (a TikTok click id reached us) of this ad account: sent under it, or not
    // sent to any account yet. An order sent under another account stays that account's.
    prisma.orderRecord.findMany({
      where: {
        shop,
        ttclid: { not: null },
        sendDecision: { notIn: ["test_order"] },
        isTest: false,
        orderCreatedAt: { gte: startOfDayIn(revenueTimezone, range.start), lt: startOfDayIn(revenueTimezone, addDays(range.end, 1)) },
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
  const byCampaign = new Map<string, Totals & { name: string | null }>();
  for (const r of campaignRows) {
    if (spendCurrency !== null && r.currency !== spendCurrency) {
      otherSpend.set(r.currency, (otherSpend.get(r.currency) ?? new Decimal(0)).plus(r.spend));
      continue;
    }
    addRow(total, r, covered(r.date));
    dailySpend.set(r.date, (dailySpend.get(r.date) ?? new Decimal(0)).plus(r.spend));
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
  const dailyRevenue = new Map<string, Decimal>();
  const campaignRevenue = new Map<string, { revenue: Decimal; orders: number }>();
  // Keyed by campaign and ad group: an ad group's revenue counts only under the campaign the order carried.
  const adgroupRevenue = new Map<string, { revenue: Decimal; orders: number }>();
  for (const o of revenueOrders) {
    gross = gross.plus(o.totalValue);
    refunded = refunded.plus(o.refundedValue);
    const day = dayIn(revenueTimezone, o.orderCreatedAt);
    dailyRevenue.set(day, (dailyRevenue.get(day) ?? new Decimal(0)).plus(o.totalValue));
    if (o.campaignId) {
      const c = campaignRevenue.get(o.campaignId) ?? { revenue: new Decimal(0), orders: 0 };
      c.revenue = c.revenue.plus(o.totalValue);
      c.orders++;
      campaignRevenue.set(o.campaignId, c);
      if (o.adgroupId) {
        const key = `${o.campaignId}/${o.adgroupId}`;
        const g = adgroupRevenue.get(key) ?? { revenue: new Decimal(0), orders: 0 };
        g.revenue = g.revenue.plus(o.totalValue);
        g.orders++;
        adgroupRevenue.set(key, g);
      }
    }
  }
  const net = gross.minus(refunded);
  const sameCurrency = spendCurrency !== null && storeCurrency !== null && spendCurrency === storeCurrency;
  const ratio = (a: Decimal, b: Decimal) => (sameCurrency && !b.isZero() ? a.dividedBy(b).toFixed(2) : null);
  const attributedOrders = revenueOrders.length;
  const coveredAdgroup = new Map(coveredAdgroupSpend.map((g) => [`${g.campaignId ?? ""}/${g.entityId}`, new Decimal(g._sum.spend ?? 0)]));
  // Before the first attributed order the app ever sent, a ROAS of 0.00× would only mean "too early".
  const roasNote: "before_connection" | "first_order" | null =
    coveredFrom !== null && coveredFrom > range.end ? "before_connection" : !everAttributed ? "first_order" : null;
  const roasOf = (revenue: Decimal, coveredSpend: Decimal) => (roasNote ? null : ratio(revenue, coveredSpend));
  const adgroupFigures = (matched: { revenue: Decimal; orders: number } | undefined, spend: Decimal) => ({
    revenue: matched ? money(matched.revenue, storeCurrency) : null,
    attributedOrders: matched?.orders ?? 0,
    roas: matched ? roasOf(matched.revenue, spend) : null,
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
    for (const id of unspent) byCampaign.set(id, { ...emptyTotals(), conversions: null, name: names.find((n) => n.entityId === id)?.name ?? null });
  }

  const campaigns = [...byCampaign.entries()]
    .map(([campaignId, c]) => {
      const matched = campaignRevenue.get(campaignId);
      const adgroups = (adgroupsByCampaign.get(campaignId) ?? [])
        .map((g) => ({
          adgroupId: g.entityId,
          name: g._max.name ?? g.entityId,
          spend: money(new Decimal(g._sum.spend ?? 0), spendCurrency),
          spendValue: Number(g._sum.spend ?? 0),
          impressions: g._sum.impressions ?? 0,
          clicks: g._sum.clicks ?? 0,
          conversions: g._count.conversions > 0 ? (g._sum.conversions ?? 0) : null,
          ...adgroupFigures(adgroupRevenue.get(`${campaignId}/${g.entityId}`), coveredAdgroup.get(`${campaignId}/${g.entityId}`) ?? new Decimal(0)),
        }))
        .sort((a, b) => b.spendValue - a.spendValue);
      return {
        campaignId,
        name: c.name ?? campaignId,
        spend: money(c.spend, spendCurrency),
        spendValue: c.spend.toNumber(),
        impressions: c.impressions,
        clicks: c.clicks,
        conversions: c.conversions,
        conversionValue: null as string | null,
        revenue: matched ? money(matched.revenue, storeCurrency) : null,
        attributedOrders: matched?.orders ?? 0,
        roas: matched ? roasOf(matched.revenue, c.coveredSpend) : null,
        /**
         * Attributed orders of this campaign in none of the ad groups listed: they carried no ad
         * group id, or one with no spend in the range.
         */
        ordersOutsideAdgroups: (matched?.orders ?? 0) - adgroups.reduce((n, g) => n + g.attributedOrders, 0),
        adgroups,
      };
    })
    .sort((a, b) => b.spendValue - a.spendValue);

  return {
    shop,
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
      revenue: (dailyRevenue.get(d) ?? new Decimal(0)).toNumber(),
      /** A day before the app was connected: its spend is shown, and no revenue could be seen. */
      beforeConnection: !covered(d),
    })),
    campaigns,
    sync,
  };
}

export type DashboardData = Awaited<ReturnType<typeof loadDashboard>>;

/** The active run (with progress), the last completed sync and the latest error. */
async function syncStatus(shop: string) {
  const [active, lastDone, latest] = await Promise.all([
    prisma.syncRun.findFirst({ where: { shop, status: { in: ["queued", "running"] } }, orderBy: { createdAt: "desc" } }),
    prisma.syncRun.findFirst({ where: { shop, status: "done" }, orderBy: { finishedAt: "desc" }, select: { finishedAt: true } }),
    prisma.syncRun.findFirst({ where: { shop }, orderBy: { createdAt: "desc" }, select: { error: true, status: true } }),
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
