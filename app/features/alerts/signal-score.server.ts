// The signal-health score (SignalScoreDay): in the style of TikTok's Event Match Quality, a weighted
// share of the match keys in the purchase events this app sent, per shop and UTC day, kept 90 days.
// TikTok publishes no EMQ weights or API; these weights are this app's, ordered the way TikTok's
// matching prefers keys (docs/decisions/0025-alerts.md). It is not TikTok's score.
import prisma from "~/core/db.server";

/** Points per key, out of 100. Names and address count once, for any of their fields. */
const SIGNAL_WEIGHTS = {
  ttclid: 30,
  email: 20,
  phone: 15,
  external_id: 10,
  ttp: 10,
  ip: 5,
  user_agent: 5,
  name_address: 5,
} as const;
type SignalKey = keyof typeof SIGNAL_WEIGHTS;
const NAME_ADDRESS = new Set(["first_name", "last_name", "zip_code", "city", "state", "country"]);

const DAY_MS = 24 * 60 * 60 * 1000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);
/** At most this many events a day are read per shop: enough for a share, bounded for a large store. */
const MAX_EVENTS_PER_DAY = 10_000;

function keysOf(matchKeys: string): Set<SignalKey> {
  let list: unknown = [];
  try {
    list = JSON.parse(matchKeys);
  } catch {
    /* an unreadable list counts as none */
  }
  const keys = new Set<SignalKey>();
  for (const k of Array.isArray(list) ? list : []) {
    if (typeof k !== "string") continue;
    if (k in SIGNAL_WEIGHTS) keys.add(k as SignalKey);
    else if (NAME_ADDRESS.has(k)) keys.add("name_address");
  }
  return keys;
}

/** The score of a set of events: the mean over events of the weights of the keys each carried. */
function scoreOf(events: { matchKeys: string }[]): { score: number; coverage: Record<SignalKey, number> } {
  const counts = Object.fromEntries(Object.keys(SIGNAL_WEIGHTS).map((k) => [k, 0])) as Record<SignalKey, number>;
  for (const e of events) for (const k of keysOf(e.matchKeys)) counts[k]++;
  const n = events.length;
  const coverage = Object.fromEntries(Object.entries(counts).map(([k, c]) => [k, n ? c / n : 0])) as Record<SignalKey, number>;
  const score = Math.round(Object.entries(coverage).reduce((sum, [k, share]) => sum + share * SIGNAL_WEIGHTS[k as SignalKey], 0));
  return { score, coverage };
}

/** Recomputes today's and yesterday's (UTC) score for every connected shop (every 15 minutes, jobs.server.ts). */
export async function computeSignalScores(now = new Date()) {
  const connections = await prisma.tikTokConnection.findMany({ where: { status: { in: ["connected", "needs_reconnect"] } }, select: { shop: true } });
  const days = [utcDay(new Date(now.getTime() - DAY_MS)), utcDay(now)];
  for (const { shop } of connections) {
    const seen = (await prisma.shop.findUnique({ where: { shop }, select: { lastStorefrontSignalAt: true } }))?.lastStorefrontSignalAt ?? null;
    for (const day of days) {
      const from = new Date(`${day}T00:00:00.000Z`);
      const to = new Date(from.getTime() + DAY_MS);
      const events = await prisma.orderRecord.findMany({
        where: { shop, isTest: false, event: { status: "sent", sentAt: { gte: from, lt: to } } },
        select: { matchKeys: true },
        take: MAX_EVENTS_PER_DAY,
      });
      const embedSeen = Boolean(seen && seen >= from && seen < to);
      const previous = await prisma.signalScoreDay.findUnique({ where: { shop_day: { shop, day } }, select: { embedSeen: true } });
      if (events.length === 0 && !embedSeen && !previous) continue;
      const { score, coverage } = scoreOf(events);
      const data = { score, events: events.length, coverage: JSON.stringify(coverage), embedSeen: embedSeen || Boolean(previous?.embedSeen), computedAt: now };
      await prisma.signalScoreDay.upsert({ where: { shop_day: { shop, day } }, create: { shop, day, ...data }, update: data });
    }
  }
  return connections.length;
}

/** What would raise the score most: the keys with the most points left, and what the merchant can do. */
function advice(coverage: Record<SignalKey, number>, daysEmbedUnseen: number): string[] {
  const lines: { gain: number; text: string }[] = [];
  const gain = (k: SignalKey) => Math.round(SIGNAL_WEIGHTS[k] * (1 - (coverage[k] ?? 0)));
  if (gain("ttclid") >= 5)
    lines.push({
      gain: gain("ttclid"),
      text: `More orders with a TikTok click id (+${gain("ttclid")}): keep the app embed on${daysEmbedUnseen ? ` (it was not seen on ${daysEmbedUnseen} of the last 7 days)` : ""} and link ads to your store without stripping URL parameters.`,
    });
  if (gain("phone") >= 3) lines.push({ gain: gain("phone"), text: `Collect phone numbers at checkout (+${gain("phone")}): Shopify Settings › Checkout › Customer contact.` });
  if (gain("email") >= 3) lines.push({ gain: gain("email"), text: `Ask every buyer for an email address (+${gain("email")}): make it required at checkout if you can.` });
  if (gain("external_id") + gain("ttp") >= 4)
    lines.push({ gain: gain("external_id") + gain("ttp"), text: `Keep the app embed and the web pixel on (+${gain("external_id") + gain("ttp")}): they link the buyer's visit (external_id, _ttp) to the order.` });
  return lines.sort((a, b) => b.gain - a.gain).slice(0, 3).map((l) => l.text);
}

/** Home's card: the last 7 days' score against the 7 before, the daily history, and what would raise it. */
export async function signalHealth(shop: string, now = new Date()) {
  const since = utcDay(new Date(now.getTime() - 13 * DAY_MS));
  const rows = await prisma.signalScoreDay.findMany({ where: { shop, day: { gte: since } }, orderBy: { day: "asc" } });
  const last7From = utcDay(new Date(now.getTime() - 6 * DAY_MS));
  const recent = rows.filter((r) => r.day >= last7From);
  const before = rows.filter((r) => r.day < last7From);
  const weighted = (list: typeof rows) => {
    const n = list.reduce((s, r) => s + r.events, 0);
    return n ? Math.round(list.reduce((s, r) => s + r.score * r.events, 0) / n) : null;
  };
  const score = weighted(recent);
  if (score === null) return null;
  const events = recent.reduce((s, r) => s + r.events, 0);
  const coverage = Object.fromEntries(
    Object.keys(SIGNAL_WEIGHTS).map((k) => [k, recent.reduce((s, r) => s + ((JSON.parse(r.coverage) as Record<string, number>)[k] ?? 0) * r.events, 0) / events]),
  ) as Record<SignalKey, number>;
  // Only days the app has a row for (orders sent, or the embed seen): a day before the connection is not counted.
  const daysEmbedUnseen = recent.filter((r) => !r.embedSeen).length;
  return {
    score,
    previous: weighted(before),
    events,
    days: rows.map((r) => ({ day: r.day, score: r.score, events: r.events })),
    coverage,
    weights: SIGNAL_WEIGHTS,
    advice: advice(coverage, daysEmbedUnseen),
  };
}
