import prisma from "~/core/db.server";

type Delivery = { shop: string; topic: string; webhookId: string; eventId: string | null };

/** A destructive delivery with this webhook id (or Shopify event id) was already acted on. */
export async function alreadyProcessed(d: Delivery) {
  const or: { webhookId?: string; eventId?: string }[] = [];
  if (d.webhookId) or.push({ webhookId: d.webhookId });
  if (d.eventId) or.push({ eventId: d.eventId });
  if (or.length === 0) return false;
  return (await prisma.processedWebhook.count({ where: { OR: or } })) > 0;
}

/**
 * Recorded after the action succeeded, so a failure is retried by Shopify; two concurrent copies
 * may both act, which the idempotent actions allow.
 */
export async function markProcessed(d: Delivery) {
  if (!d.webhookId) return;
  try {
    await prisma.processedWebhook.create({ data: { webhookId: d.webhookId, eventId: d.eventId, shop: d.shop, topic: d.topic } });
  } catch (error) {
    if ((error as { code?: string }).code !== "P2002") throw error; // a concurrent copy recorded it first
  }
}
