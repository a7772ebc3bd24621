// The demo shop's last 30 days, so `npm run demo` opens on a believable store: TikTok orders sent
// over the month (ROAS around 2.5× against the sandbox's spend), a few refunds, orders left out
// with their reasons, one event TikTok refused and one that went through on a second try.
// Demo data only: it is written straight to the tables as the pipeline would have left it,
// because the sandbox cannot take events for days that are already past.
import { randomUUID } from "node:crypto";
import prisma from "~/core/db.server";
import { hashEmail, hashExternalId } from "~/features/events/normalise";

/** `adgroupIds`: the campaign's ad groups; most demo orders carry one of them, as with a `__AID__` ad URL. */
type DemoCampaign = { campaignId: string; share: number; adgroupIds?: string[] };
type HistoryOptions = {
  shop: string;
  advertiserId: string;
  pixelCode: string;
  currency: string;
  campaigns: DemoCampaign[];
  days?: number;
  now?: Date;
};

const DAY_MS = 86_400_000;

/** The order's campaign and, for nine orders in ten, one of its ad groups. */
function adsOf(campaign: DemoCampaign, r: number) {
  const groups = campaign.adgroupIds ?? [];
  const adgroupId = groups.length > 0 && r < 0.9 ? groups[Math.floor((r / 0.9) * groups.length)] : null;
  return { campaignId: campaign.campaignId, adgroupId };
}

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

/** Writes the history; a shop that already has orders is left as it is. Returns the order count. */
export async function seedDemoHistory(opts: HistoryOptions): Promise<number> {
  if ((await prisma.orderRecord.count({ where: { shop: opts.shop } })) > 0) return 0;
  const rand = random(20261127);
  const now = opts.now ?? new Date();
  const days = opts.days ?? 30;
  let orderNo = 5_000_000_000_000;
  let number = 1001;
  const orders: Parameters<typeof prisma.orderRecord.create>[0]["data"][] = [];
  const events: { order: number; status: string; attempts: number; lastError: string | null; lastErrorClass: string | null; sentAt: Date | null }[] = [];
  const refunds: { order: number; amount: number }[] = [];

  for (let day = days; day >= 1; day--) {
    const perDay = 11 + Math.floor(rand() * 5);
    for (let i = 0; i < perDay; i++) {
      const createdAt = new Date(now.getTime() - day * DAY_MS + Math.floor(rand() * DAY_MS));
      const orderId = String(orderNo++);
      const value = Math.round((38 + rand() * 140) * 100) / 100;
      const customer = `demo-buyer-${orderId.slice(-6)}@example.com`;
      const attributed = rand() < 0.82;
      const base = {
        shop: opts.shop,
        orderId,
        orderName: `#${number++}`,
        orderCreatedAt: createdAt,
        receivedAt: new Date(createdAt.getTime() + 2_000),
        currency: opts.currency,
        totalValue: value.toFixed(2),
        emailHash: hashEmail(customer),
        sourceName: "web",
      };
      if (!attributed) {
        orders.push({ ...base, sendDecision: "not_attributed", reason: "No TikTok click within the attribution window.", matchKeys: JSON.stringify(["email"]) });
        continue;
      }
      const visitorId = `tta1.demo${orderId.slice(-10)}`;
      orders.push({
        ...base,
        visitorId,
        ttclid: `E.C.P.demo${orderId.slice(-8)}`,
        attributionSource: rand() < 0.7 ? "touchpoint" : "note_attribute",
        ...adsOf(pick(opts.campaigns, rand()), rand()),
        matchKeys: JSON.stringify(["email", "ttclid", "external_id", "ip", "user_agent"]),
        sendDecision: "sent",
        advertiserId: opts.advertiserId,
        pixelCode: opts.pixelCode,
      });
      events.push({ order: orders.length - 1, status: "sent", attempts: 1, lastError: null, lastErrorClass: null, sentAt: new Date(createdAt.getTime() + 3_000) });
      if (rand() < 0.04) refunds.push({ order: orders.length - 1, amount: rand() < 0.5 ? value : Math.round(value * 40) / 100 });
    }
  }
  // Two test orders Shopify marked as such: never sent.
  for (const day of [12, 3]) {
    const orderId = String(orderNo++);
    orders.push({
      shop: opts.shop,
      orderId,
      orderName: `#${number++}`,
      orderCreatedAt: new Date(now.getTime() - day * DAY_MS),
      currency: opts.currency,
      totalValue: "1.00",
      sendDecision: "test_order",
      reason: "Shopify marked this as a test order.",
      isTest: true,
      sourceName: "web",
    });
  }
  // The latest sent event went through on its second try, after TikTok was briefly unavailable.
  const retried = events[events.length - 1];
  retried.attempts = 2;
  retried.lastError = null;
  // One refused by TikTok, shown as failed with TikTok's words and a Resend button.
  const refused = events[events.length - 4];
  Object.assign(refused, {
    status: "failed",
    sentAt: null,
    lastError: "Invalid value for user.email: not a valid SHA-256 hash (code 40002)",
    lastErrorClass: "invalid",
  });
  orders[refused.order].sendDecision = "failed";

  const created = await prisma.$transaction(orders.map((data) => prisma.orderRecord.create({ data, select: { id: true, orderId: true, orderCreatedAt: true, totalValue: true, visitorId: true, ttclid: true, emailHash: true } })));
  await prisma.outboxEvent.createMany({
    data: events.map((e) => {
      const order = created[e.order];
      const eventTime = Math.floor(order.orderCreatedAt.getTime() / 1000);
      const payload = {
        event: "CompletePayment",
        event_time: eventTime,
        event_id: order.orderId,
        user: { email: order.emailHash, ttclid: order.ttclid, external_id: hashExternalId(order.visitorId) },
        page: { url: `https://${opts.shop}/products/demo` },
        properties: { value: Number(order.totalValue), currency: opts.currency, contents: [{ content_type: "product", content_id: "demo-1", quantity: 1 }] },
      };
      return {
        shop: opts.shop,
        orderRecordId: order.id,
        eventId: order.orderId,
        eventName: "CompletePayment",
        eventTime: order.orderCreatedAt,
        pixelCode: opts.pixelCode,
        payload: JSON.stringify(payload),
        status: e.status,
        attempts: e.attempts,
        lastError: e.lastError,
        lastErrorClass: e.lastErrorClass,
        tiktokRequestId: e.sentAt ? `demo-${randomUUID()}` : null,
        sentAt: e.sentAt,
        nextAttemptAt: order.orderCreatedAt,
      };
    }),
  });
  for (const r of refunds) {
    const order = created[r.order];
    await prisma.refund.create({ data: { shop: opts.shop, refundId: `demo-${order.orderId}`, orderId: order.orderId, amount: r.amount.toFixed(2), currency: opts.currency, processedAt: new Date(order.orderCreatedAt.getTime() + 3 * DAY_MS) } });
    await prisma.orderRecord.update({ where: { id: order.id }, data: { refundedValue: r.amount.toFixed(2) } });
  }
  return orders.length;
}
