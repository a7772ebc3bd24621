// The demo shop's last 30 days, played through the real path, so every page of the demo shows what
// the app itself would: for each order the storefront embed's touchpoint (a signed app proxy
// request) and Shopify's signed orders/create webhook go to the running app over HTTP; the app's
// delivery job sends the events to the TikTok sandbox and records its answers; refunds come as
// signed refunds/create webhooks. Neither TikTok nor the sandbox takes an event for a day long
// past, so all of it happens now, and then one function, shiftIntoPast, moves each order's rows
// back to the day it stands for. The sandbox keeps its own copy of the events at the time it got them.
import { randomBytes } from "node:crypto";
import prisma from "~/core/db.server";
import { dropExpiredDeferredEvents } from "~/features/events/late-link.server";
import { purgeExpiredPersonalData } from "~/features/privacy/retention.server";
import { signAppProxyQuery, webhookHeaders } from "./shopify-double.server";
import { demoOrderPayload } from "./simulate.server";

/** `adgroupIds`: the campaign's ad groups; most demo orders carry one of them, as with a `__AID__` ad URL. */
type DemoCampaign = { campaignId: string; share: number; adgroupIds?: string[] };
type PlayOptions = {
  appUrl: string;
  sandboxUrl: string;
  shop: string;
  /** The app's Shopify API secret: the demo signs as Shopify does. */
  secret: string;
  campaigns: DemoCampaign[];
  days?: number;
};

const DAY_MS = 86_400_000;
/** Orders whose events go to TikTok alone, with a fault of the sandbox's: one refused, one retried once. */
type Special = "refused" | "retried";
type PlannedOrder = {
  orderId: number;
  /** How far before now the order stands. */
  ageMs: number;
  variant: number;
  /** How the click reaches the order: the embed's touchpoint, the cart's attributes, or none. */
  click: "touchpoint" | "cart" | null;
  campaignId: string | null;
  adgroupId: string | null;
  refund: "full" | "partial" | null;
  test: boolean;
  special: Special | null;
};

/** A small seeded generator: the same history on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(campaigns: DemoCampaign[], r: number) {
  let acc = 0;
  for (const c of campaigns) if (r < (acc += c.share)) return c;
  return campaigns[campaigns.length - 1];
}

/** The month's orders: 11 to 15 a day, about four in five from a TikTok ad, a few refunded, two test orders. */
function plan(campaigns: DemoCampaign[], days: number): PlannedOrder[] {
  const rand = random(20261127);
  const orders: PlannedOrder[] = [];
  let orderId = 5_000_000_000_000;
  for (let day = days; day >= 1; day--) {
    const perDay = 11 + Math.floor(rand() * 5);
    for (let i = 0; i < perDay; i++) {
      const ageMs = day * DAY_MS - Math.floor(rand() * (DAY_MS - 60_000));
      const attributed = rand() < 0.82;
      const campaign = pick(campaigns, rand());
      const groups = campaign?.adgroupIds ?? [];
      const r = rand();
      const adgroupId = attributed && groups.length > 0 && r < 0.9 ? groups[Math.floor((r / 0.9) * groups.length)] : null;
      const refundRoll = rand();
      orders.push({
        orderId: orderId++,
        ageMs,
        variant: Math.floor(rand() * 100),
        click: attributed ? (rand() < 0.7 ? "touchpoint" : "cart") : null,
        campaignId: attributed ? (campaign?.campaignId ?? null) : null,
        adgroupId,
        refund: attributed && refundRoll < 0.04 ? (refundRoll < 0.02 ? "full" : "partial") : null,
        test: false,
        special: null,
      });
    }
  }
  for (const day of [12, 3]) orders.push({ orderId: orderId++, ageMs: day * DAY_MS, variant: 7, click: null, campaignId: null, adgroupId: null, refund: null, test: true, special: null });
  // Of yesterday's TikTok orders: the last went through on its second try, after TikTok was briefly
  // unavailable; the fourth from last was refused by TikTok and is shown as Failed with Resend.
  const attributed = orders.filter((o) => o.click && !o.test);
  attributed[attributed.length - 1].special = "retried";
  attributed[attributed.length - 4].special = "refused";
  return orders;
}

/** A documentation address per visitor, so the storefront's per-visitor limit sees distinct shoppers. */
const visitorIp = (i: number) => `${["203.0.113", "198.51.100", "192.0.2"][i % 3]}.${1 + (Math.floor(i / 3) % 254)}`;
const visitorOf = (o: PlannedOrder) => `tta1.demo${String(o.orderId).padStart(18, "0")}`;
const ttclidOf = (o: PlannedOrder) => `E.C.P.demo${String(o.orderId).slice(-8)}`;

async function post(url: string, init: RequestInit, ok: number[], what: string) {
  const res = await fetch(url, init);
  if (!ok.includes(res.status)) throw new Error(`demo history: ${what} answered ${res.status} ${await res.text()}`);
}

async function playOrder(opts: PlayOptions, o: PlannedOrder, index: number) {
  const visitorId = o.click ? visitorOf(o) : undefined;
  const ttclid = o.click ? ttclidOf(o) : undefined;
  const capturedAt = Date.now() - 60_000;
  if (o.click === "touchpoint") {
    const qs = signAppProxyQuery({ n: randomBytes(16).toString("base64url").slice(0, 22) }, { shop: opts.shop, secret: opts.secret });
    const body = JSON.stringify({
      v: 1,
      visitor_id: visitorId,
      ttclid,
      captured_at: capturedAt,
      landing_path: "/products/everyday-tote",
      utm_source: "tiktok",
      ...(o.campaignId ? { campaign_id: o.campaignId } : {}),
      ...(o.adgroupId ? { adgroup_id: o.adgroupId } : {}),
    });
    await post(`${opts.appUrl}/proxy/touchpoints?${qs}`, { method: "POST", headers: { "Content-Type": "text/plain", "X-Forwarded-For": visitorIp(index) }, body }, [202], "the touchpoint");
  }
  // TikTok knows which ad each click came from; the sandbox is told, dated when the order stands, so its
  // reported purchases are the ones this month's events bring (sandbox/purchases.ts).
  if (ttclid && o.adgroupId) {
    const at = new Date(Date.now() - o.ageMs - 60 * 60_000).toISOString();
    await post(`${opts.sandboxUrl}/__sandbox/clicks`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ttclid, adgroup_id: o.adgroupId, at }) }, [201], "the sandbox click");
  }
  // The touchpoint's visitor carries only its id on the cart; the "cart" click carries the click itself.
  const payload = demoOrderPayload({
    orderId: o.orderId,
    visitorId,
    ttclid: o.click === "cart" ? ttclid : undefined,
    capturedAt,
    campaignId: o.campaignId,
    adgroupId: o.adgroupId,
    variant: o.variant,
    test: o.test,
  });
  const rawBody = JSON.stringify(payload);
  await post(`${opts.appUrl}/webhooks/orders/create`, { method: "POST", headers: webhookHeaders({ topic: "orders/create", shop: opts.shop, rawBody, secret: opts.secret }), body: rawBody }, [200], `orders/create ${o.orderId}`);
  return payload;
}

async function sandboxFault(sandboxUrl: string, fault: object) {
  await post(`${sandboxUrl}/__sandbox/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(fault) }, [200, 201], "the sandbox fault");
}

/** Waits until the app's delivery job has no queued event of the shop left. */
async function settled(shop: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await prisma.outboxEvent.count({ where: { shop, status: "queued" } })) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("demo history: the app did not deliver its events within a minute");
}

/**
 * Plays the month through the running app; a shop that already has orders is left as it is.
 * Returns the order count.
 */
export async function playDemoHistory(opts: PlayOptions): Promise<number> {
  if ((await prisma.orderRecord.count({ where: { shop: opts.shop } })) > 0) return 0;
  const orders = plan(opts.campaigns, opts.days ?? 30);
  const totals = new Map<number, string>();
  const regular = orders.filter((o) => !o.special);
  for (let i = 0; i < regular.length; i += 8) {
    const batch = regular.slice(i, i + 8);
    const payloads = await Promise.all(batch.map((o, j) => playOrder(opts, o, i + j)));
    payloads.forEach((p, j) => totals.set(batch[j].orderId, p.total_price));
  }
  await settled(opts.shop);
  // Each special order alone, so its fault meets its event and no other.
  for (const o of orders.filter((x) => x.special)) {
    await sandboxFault(
      opts.sandboxUrl,
      o.special === "refused"
        ? { path: "/event/track/", kind: "code", code: 40002, message: "Invalid value for properties.contents[0].price: must be a number", count: 1 }
        : { path: "/event/track/", kind: "http_5xx", count: 1 },
    );
    totals.set(o.orderId, (await playOrder(opts, o, orders.indexOf(o))).total_price);
    await settled(opts.shop);
  }
  for (const o of orders.filter((x) => x.refund)) {
    const total = Number(totals.get(o.orderId));
    const amount = (o.refund === "full" ? total : Math.round(total * 40) / 100).toFixed(2);
    const rawBody = refundBody(o.orderId, amount);
    await post(`${opts.appUrl}/webhooks/refunds/create`, { method: "POST", headers: webhookHeaders({ topic: "refunds/create", shop: opts.shop, rawBody, secret: opts.secret }), body: rawBody }, [200], `refunds/create ${o.orderId}`);
  }
  await shiftIntoPast(opts.shop, new Map(orders.map((o) => [String(o.orderId), o.ageMs])));
  // What the hourly jobs would have done over the month: payloads past 8 days cut, deferred events dropped.
  await purgeExpiredPersonalData();
  await dropExpiredDeferredEvents();
  return orders.length;
}

/** A refunds/create body in Shopify's REST Refund shape: one successful refund transaction. */
function refundBody(orderId: number, amount: string) {
  const refundId = orderId + 900_000;
  return JSON.stringify({
    id: refundId,
    order_id: orderId,
    created_at: new Date().toISOString(),
    processed_at: new Date().toISOString(),
    note: "Customer returned the item",
    restock: true,
    refund_line_items: [],
    order_adjustments: [],
    transactions: [{ id: refundId + 1, order_id: orderId, kind: "refund", status: "success", amount, currency: "USD", gateway: "bogus" }],
  });
}

/**
 * The one place the demo moves time: every row the orders left (the order, its event and the
 * payload's event_time, its refunds, its visitor's touchpoints) goes back by the order's age, as if
 * it had happened then. Gaps between the steps (received, sent, retried) stay as they really were.
 */
async function shiftIntoPast(shop: string, ageByOrder: Map<string, number>) {
  const back = (d: Date | null, ms: number) => (d ? new Date(d.getTime() - ms) : d);
  const records = await prisma.orderRecord.findMany({ where: { shop }, include: { event: true } });
  await prisma.$transaction(async (tx) => {
    for (const r of records) {
      const ms = ageByOrder.get(r.orderId);
      if (ms === undefined) continue;
      await tx.orderRecord.update({ where: { id: r.id }, data: { orderCreatedAt: back(r.orderCreatedAt, ms)!, receivedAt: back(r.receivedAt, ms)! } });
      if (r.event) {
        const e = r.event;
        const payload = JSON.parse(e.payload) as { event_time?: number };
        // As the event builder writes it: the order's time in whole seconds.
        if (typeof payload.event_time === "number") payload.event_time = Math.floor(back(e.eventTime, ms)!.getTime() / 1000);
        await tx.outboxEvent.update({
          where: { id: e.id },
          data: {
            eventTime: back(e.eventTime, ms)!,
            createdAt: back(e.createdAt, ms)!,
            nextAttemptAt: back(e.nextAttemptAt, ms)!,
            sentAt: back(e.sentAt, ms),
            payload: JSON.stringify(payload),
            updatedAt: back(e.updatedAt, ms)!,
          },
        });
      }
      for (const f of await tx.refund.findMany({ where: { shop, orderId: r.orderId } })) {
        // Refunded a few days after the order (half its age for the newest ones).
        const refundMs = ms - Math.min(3 * DAY_MS, ms / 2);
        await tx.refund.update({ where: { shop_refundId: { shop, refundId: f.refundId } }, data: { processedAt: back(f.processedAt, refundMs), receivedAt: back(f.receivedAt, refundMs)! } });
      }
      if (r.visitorId) {
        for (const t of await tx.touchpoint.findMany({ where: { shop, visitorId: r.visitorId } })) {
          await tx.touchpoint.update({ where: { id: t.id }, data: { capturedAt: back(t.capturedAt, ms)! } });
        }
      }
    }
  }, { timeout: 60_000 });
}
