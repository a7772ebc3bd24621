// Shopify's mandatory privacy webhooks. We hold no raw PII: orders carry only SHA-256 hashes,
// touchpoints only opaque visitor ids and click ids, so a customer's data is found by
// customer id, order ids, hashes of the email/phone Shopify sends, and their visitor ids.
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

async function customerOrders(shop: string, ref: CustomerRef) {
  const or: object[] = [];
  if (ref.customer?.id) or.push({ customerId: ref.customer.id });
  const emailHash = hashEmail(ref.customer?.email);
  if (emailHash) or.push({ emailHash });
  const phoneHash = hashPhone(ref.customer?.phone);
  if (phoneHash) or.push({ phoneHash });
  const orderIds = [...(ref.orders_requested ?? []), ...(ref.orders_to_redact ?? [])];
  if (orderIds.length) or.push({ orderId: { in: orderIds } });
  if (or.length === 0) return [];
  return prisma.orderRecord.findMany({ where: { shop, OR: or }, select: { id: true, visitorId: true } });
}

/** customers/data_request: what we hold, hashes and counts only, for the merchant to pass on. */
export async function describeCustomerData(shop: string, ref: CustomerRef) {
  const orders = await customerOrders(shop, ref);
  const visitorIds = [...new Set(orders.map((o) => o.visitorId).filter((v): v is string => !!v))];
  const [events, touchpoints] = await Promise.all([
    prisma.outboxEvent.count({ where: { orderRecordId: { in: orders.map((o) => o.id) } } }),
    prisma.touchpoint.count({ where: { shop, visitorId: { in: visitorIds } } }),
  ]);
  return { orders: orders.length, events, touchpoints, visitors: visitorIds.length };
}

/** customers/redact: delete the customer's orders, their events and the touchpoints of their visitor ids. */
export async function redactCustomer(shop: string, ref: CustomerRef) {
  const orders = await customerOrders(shop, ref);
  const visitorIds = [...new Set(orders.map((o) => o.visitorId).filter((v): v is string => !!v))];
  const [touchpoints, events, deletedOrders] = await prisma.$transaction([
    prisma.touchpoint.deleteMany({ where: { shop, visitorId: { in: visitorIds } } }),
    prisma.outboxEvent.deleteMany({ where: { orderRecordId: { in: orders.map((o) => o.id) } } }),
    prisma.orderRecord.deleteMany({ where: { id: { in: orders.map((o) => o.id) } } }),
  ]);
  return { orders: deletedOrders.count, events: events.count, touchpoints: touchpoints.count };
}

/** shop/redact (48 h after uninstall): everything we hold for the shop. */
export async function redactShop(shop: string) {
  const results = await prisma.$transaction([
    prisma.outboxEvent.deleteMany({ where: { shop } }),
    prisma.orderRecord.deleteMany({ where: { shop } }),
    prisma.touchpoint.deleteMany({ where: { shop } }),
    prisma.touchpointDay.deleteMany({ where: { shop } }),
    prisma.proxySignature.deleteMany({ where: { shop } }),
    prisma.spendRow.deleteMany({ where: { shop } }),
    prisma.syncRun.deleteMany({ where: { shop } }),
    prisma.rejectedWebhook.deleteMany({ where: { shop } }),
    prisma.oAuthState.deleteMany({ where: { shop } }),
    prisma.tikTokConnection.deleteMany({ where: { shop } }),
    prisma.session.deleteMany({ where: { shop } }),
    prisma.shop.deleteMany({ where: { shop } }),
  ]);
  return results.reduce((n, r) => n + r.count, 0);
}
