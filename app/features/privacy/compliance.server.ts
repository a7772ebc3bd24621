// Shopify's mandatory privacy webhooks. We hold no raw email or phone: orders carry only SHA-256
// hashes, touchpoints and the web pixel's checkout links only opaque visitor ids and click ids, so
// a customer's data is found by customer id, order ids, hashes of the email/phone Shopify sends,
// and their visitor ids. A customer's trace is in six tables: OrderRecord (with its deferred
// event), OutboxEvent (with the IP and user agent sent), Refund, RefundTransaction, Touchpoint and OrderLink; the
// download includes and the redaction deletes each (tests/integration/compliance.test.ts walks
// every table of the schema, so a new one cannot be missed silently).
import { z } from "zod";
import prisma from "~/core/db.server";
import { hashEmail, hashPhone } from "~/features/events/normalise";
import { parseJsonLossless } from "~/core/lib/json-ids";

const id = z.union([z.string(), z.number()]).transform(String);
const customerSchema = z
  .object({ id: id.nullish(), email: z.string().nullish(), phone: z.string().nullish() })
  .nullish();

const customerRequestSchema = z.object({
  customer: customerSchema,
  orders_requested: z.array(id).nullish(),
  orders_to_redact: z.array(id).nullish(),
  data_request: z.object({ id: id.nullish() }).nullish().catch(null),
});

type CustomerRef = z.infer<typeof customerRequestSchema>;

export function parseCustomerRequest(raw: string): CustomerRef | null {
  try {
    const parsed = customerRequestSchema.safeParse(parseJsonLossless(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Who a request is about, as we can match it: ids and hashes, never the raw email or phone. */
type CustomerKeys = { customerId: string | null; emailHash: string | null; phoneHash: string | null; orderIds: string[] };

function keysOf(ref: CustomerRef): CustomerKeys {
  return {
    customerId: ref.customer?.id ?? null,
    emailHash: hashEmail(ref.customer?.email),
    phoneHash: hashPhone(ref.customer?.phone),
    orderIds: [...(ref.orders_requested ?? []), ...(ref.orders_to_redact ?? [])],
  };
}

/**
 * The customer's orders, the order ids their web pixel links name (an order Shopify named, or one
 * we hold, whether or not its record exists), and every visitor id seen on either.
 */
async function customerTrace(shop: string, keys: CustomerKeys) {
  const orders = await customerOrders(shop, keys);
  const orderIds = [...new Set([...keys.orderIds, ...orders.map((o) => o.orderId)])];
  const links = orderIds.length
    ? await prisma.orderLink.findMany({ where: { shop, orderId: { in: orderIds } }, select: { orderId: true, visitorId: true } })
    : [];
  const visitorIds = [...new Set([...orders.map((o) => o.visitorId), ...links.map((l) => l.visitorId)].filter((v): v is string => !!v))];
  return { orders, orderIds, visitorIds };
}

const linkWhere = (shop: string, t: { orderIds: string[]; visitorIds: string[] }) => ({
  shop,
  OR: [{ orderId: { in: t.orderIds } }, { visitorId: { in: t.visitorIds } }],
});

async function customerOrders(shop: string, keys: CustomerKeys) {
  const or: object[] = [];
  if (keys.customerId) or.push({ customerId: keys.customerId });
  if (keys.emailHash) or.push({ emailHash: keys.emailHash });
  if (keys.phoneHash) or.push({ phoneHash: keys.phoneHash });
  if (keys.orderIds.length) or.push({ orderId: { in: keys.orderIds } });
  if (or.length === 0) return [];
  return prisma.orderRecord.findMany({ where: { shop, OR: or }, select: { id: true, orderId: true, visitorId: true } });
}

/**
 * customers/data_request: kept for the merchant, who must answer the customer (Data requests
 * page). Stored as ids and hashes only; a repeated delivery is recorded once.
 */
export async function recordDataRequest(shop: string, webhookId: string, ref: CustomerRef) {
  const keys = keysOf(ref);
  const data = {
    shopifyRequestId: ref.data_request?.id ?? null,
    customerId: keys.customerId,
    emailHash: keys.emailHash,
    phoneHash: keys.phoneHash,
    orderIds: JSON.stringify(keys.orderIds),
  };
  return prisma.dataRequest.upsert({ where: { shop_webhookId: { shop, webhookId } }, create: { shop, webhookId, ...data }, update: {} });
}

/** The requests and redactions of one shop, newest first, for the Data requests page. */
export async function listPrivacyRequests(shop: string) {
  const [requests, redactions] = await Promise.all([
    prisma.dataRequest.findMany({ where: { shop }, orderBy: { receivedAt: "desc" }, take: 200 }),
    prisma.redaction.findMany({ where: { shop }, orderBy: { doneAt: "desc" }, take: 200 }),
  ]);
  return {
    requests: requests.map((r) => ({
      id: r.id,
      receivedAt: r.receivedAt.toISOString(),
      shopifyRequestId: r.shopifyRequestId,
      customerId: r.customerId,
      ordersRequested: (JSON.parse(r.orderIds) as string[]).length,
      redacted: !r.emailHash && !r.phoneHash && redactions.some((x) => x.topic === "customers/redact" && x.customerId !== null && x.customerId === r.customerId),
    })),
    redactions: redactions.map((r) => ({ id: r.id, topic: r.topic, customerId: r.customerId, doneAt: r.doneAt.toISOString(), counts: JSON.parse(r.counts) as Record<string, number> })),
  };
}

/** Everything we hold for the customer of one of this shop's data requests, or null if there is no such request. */
export async function exportForDataRequest(shop: string, requestId: string) {
  const request = await prisma.dataRequest.findFirst({ where: { id: requestId, shop } });
  if (!request) return null;
  const keys: CustomerKeys = { customerId: request.customerId, emailHash: request.emailHash, phoneHash: request.phoneHash, orderIds: JSON.parse(request.orderIds) as string[] };
  const trace = await customerTrace(shop, keys);
  const found = trace.orders;
  const visitorIds = trace.visitorIds;
  const [orders, touchpoints, checkoutLinks, refunds, refundTransactions] = await Promise.all([
    prisma.orderRecord.findMany({
      where: { id: { in: found.map((o) => o.id) } },
      orderBy: { orderCreatedAt: "asc" },
      select: {
        orderId: true, orderName: true, orderCreatedAt: true, currency: true, totalValue: true, refundedValue: true, customerId: true,
        emailHash: true, phoneHash: true, visitorId: true, ttclid: true, ttp: true, attributionSource: true, campaignId: true, adgroupId: true, matchKeys: true,
        sendDecision: true, reason: true, sourceName: true, receivedAt: true, deferredEvent: true,
        event: { select: { eventId: true, eventName: true, eventTime: true, pixelCode: true, status: true, sentAt: true, payload: true } },
      },
    }),
    prisma.touchpoint.findMany({
      where: { shop, visitorId: { in: visitorIds } },
      orderBy: { capturedAt: "asc" },
      select: { visitorId: true, ttclid: true, capturedAt: true, landingPath: true, utmSource: true, utmMedium: true, utmCampaign: true, utmContent: true, utmTerm: true, campaignId: true, adgroupId: true, adId: true },
    }),
    prisma.orderLink.findMany({
      where: linkWhere(shop, trace),
      orderBy: { receivedAt: "asc" },
      select: { orderId: true, visitorId: true, ttclid: true, ttclidAt: true, ttp: true, receivedAt: true },
    }),
    prisma.refund.findMany({
      where: { shop, orderId: { in: found.map((o) => o.orderId) } },
      orderBy: { receivedAt: "asc" },
      select: { orderId: true, refundId: true, amount: true, currency: true, processedAt: true, receivedAt: true },
    }),
    prisma.refundTransaction.findMany({
      where: { shop, orderId: { in: found.map((o) => o.orderId) } },
      orderBy: { receivedAt: "asc" },
      select: { orderId: true, refundId: true, transactionId: true, status: true, amount: true, currency: true, receivedAt: true },
    }),
  ]);
  return {
    request: { receivedAt: request.receivedAt.toISOString(), shopifyRequestId: request.shopifyRequestId, customerId: request.customerId, ordersRequested: keys.orderIds },
    note:
      "This app stores no names, email addresses or phone numbers: only SHA-256 hashes of the email and phone, the Shopify ids below, the storefront click records of the buyer's browser, " +
      "and, in each event sent to TikTok (kept in full for 8 days), the buyer's IP address and browser user agent from an online checkout.",
    hashes: { email: request.emailHash, phone: request.phoneHash },
    orders: orders.map(({ event, matchKeys, totalValue, refundedValue, deferredEvent, ...o }) => ({
      ...o,
      totalValue: totalValue.toString(),
      refundedValue: refundedValue.toString(),
      matchKeys: JSON.parse(matchKeys) as string[],
      eventSentToTikTok: event ? { ...event, payload: JSON.parse(event.payload) as unknown } : null,
      // An unattributed order keeps the event it would send for an hour, for a late checkout link.
      eventHeldForLateLink: deferredEvent ? (JSON.parse(deferredEvent) as unknown) : null,
    })),
    refunds: refunds.map((r) => ({ ...r, amount: r.amount.toString() })),
    refundTransactions: refundTransactions.map((t) => ({ ...t, amount: t.amount.toString() })),
    touchpoints,
    checkoutLinks,
  };
}

/** customers/data_request: what we hold, counts only, for the log line. */
export async function describeCustomerData(shop: string, ref: CustomerRef) {
  const trace = await customerTrace(shop, keysOf(ref));
  const { orders, visitorIds } = trace;
  const [events, touchpoints, checkoutLinks] = await Promise.all([
    prisma.outboxEvent.count({ where: { orderRecordId: { in: orders.map((o) => o.id) } } }),
    prisma.touchpoint.count({ where: { shop, visitorId: { in: visitorIds } } }),
    prisma.orderLink.count({ where: linkWhere(shop, trace) }),
  ]);
  return { orders: orders.length, events, touchpoints, checkoutLinks, visitors: visitorIds.length };
}

/**
 * customers/redact: delete the customer's orders, their events, refunds, the web pixel's checkout
 * links of those orders and the touchpoints of their visitor ids, and the hashes kept with their
 * data requests; record the counts.
 */
export async function redactCustomer(shop: string, ref: CustomerRef) {
  const keys = keysOf(ref);
  const trace = await customerTrace(shop, keys);
  const { orders, visitorIds } = trace;
  const requestMatch: object[] = [];
  if (keys.customerId) requestMatch.push({ customerId: keys.customerId });
  if (keys.emailHash) requestMatch.push({ emailHash: keys.emailHash });
  if (keys.phoneHash) requestMatch.push({ phoneHash: keys.phoneHash });
  const [touchpoints, checkoutLinks, events, refunds, refundTransactions, deletedOrders, requests] = await prisma.$transaction([
    prisma.touchpoint.deleteMany({ where: { shop, visitorId: { in: visitorIds } } }),
    prisma.orderLink.deleteMany({ where: linkWhere(shop, trace) }),
    prisma.outboxEvent.deleteMany({ where: { orderRecordId: { in: orders.map((o) => o.id) } } }),
    prisma.refund.deleteMany({ where: { shop, orderId: { in: orders.map((o) => o.orderId) } } }),
    prisma.refundTransaction.deleteMany({ where: { shop, orderId: { in: orders.map((o) => o.orderId) } } }),
    prisma.orderRecord.deleteMany({ where: { id: { in: orders.map((o) => o.id) } } }),
    prisma.dataRequest.updateMany({ where: { shop, OR: requestMatch.length ? requestMatch : [{ id: "" }] }, data: { emailHash: null, phoneHash: null } }),
  ]);
  const counts = {
    orders: deletedOrders.count,
    events: events.count,
    refunds: refunds.count,
    refundTransactions: refundTransactions.count,
    touchpoints: touchpoints.count,
    checkoutLinks: checkoutLinks.count,
    dataRequests: requests.count,
  };
  await prisma.redaction.create({ data: { shop, topic: "customers/redact", customerId: keys.customerId, counts: JSON.stringify(counts) } });
  return counts;
}

/**
 * shop/redact (48 h after uninstall): everything we hold for the shop. What remains is one
 * Redaction row with the counts, so a reinstalled shop can see that its data was erased.
 */
export async function redactShop(shop: string) {
  const results = await prisma.$transaction([
    prisma.outboxEvent.deleteMany({ where: { shop } }),
    prisma.orderRecord.deleteMany({ where: { shop } }),
    prisma.refund.deleteMany({ where: { shop } }),
    prisma.refundTransaction.deleteMany({ where: { shop } }),
    prisma.touchpoint.deleteMany({ where: { shop } }),
    prisma.touchpointDay.deleteMany({ where: { shop } }),
    prisma.proxySignature.deleteMany({ where: { shop } }),
    prisma.spendRow.deleteMany({ where: { shop } }),
    prisma.syncRun.deleteMany({ where: { shop } }),
    prisma.rejectedWebhook.deleteMany({ where: { shop } }),
    prisma.dataRequest.deleteMany({ where: { shop } }),
    prisma.redaction.deleteMany({ where: { shop } }),
    prisma.oAuthState.deleteMany({ where: { shop } }),
    prisma.tikTokConnection.deleteMany({ where: { shop } }),
    prisma.orderLink.deleteMany({ where: { shop } }),
    prisma.webPixel.deleteMany({ where: { shop } }),
    prisma.processedWebhook.deleteMany({ where: { shop } }),
    prisma.alertEmail.deleteMany({ where: { shop } }),
    prisma.incident.deleteMany({ where: { shop } }),
    prisma.alertSetting.deleteMany({ where: { shop } }),
    prisma.signalScoreDay.deleteMany({ where: { shop } }),
    prisma.session.deleteMany({ where: { shop } }),
    prisma.shop.deleteMany({ where: { shop } }),
  ]);
  const names = [
    "events", "orders", "refunds", "refundTransactions", "touchpoints", "touchpointDays", "proxySignatures", "spendRows", "syncRuns", "rejectedWebhooks",
    "dataRequests", "redactions", "oauthStates", "connections", "checkoutLinks", "webPixels", "processedWebhooks", "alertEmails", "incidents",
    "alertSettings", "signalScoreDays", "sessions", "shops",
  ];
  const counts = Object.fromEntries(names.map((n, i) => [n, results[i].count]));
  await prisma.redaction.create({ data: { shop, topic: "shop/redact", counts: JSON.stringify(counts) } });
  return results.reduce((n, r) => n + r.count, 0);
}
