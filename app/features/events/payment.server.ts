// Purchases sent when paid (Settings, docs/decisions/0023): an order Shopify does not call paid at
// orders/create waits as awaiting_payment. orders/paid releases it into the queue; an order
// cancelled or voided before its event went out is never sent (cancellation.server.ts); one still
// unpaid at its horizon expires with the reason.
import prisma from "~/core/db.server";
import { RELEASED } from "~/core/lib/lease.server";
import type { ParsedOrder } from "./order-payload";
import { ingestOrder } from "./ingest.server";
import { moveEvents } from "./send-status.server";
import { eventQueued } from "./wake.server";
import { pastHorizon, storefrontPixelsOf } from "./send-horizon.server";

// The order's "Waiting for payment" reason is true only while it waits: every move out of that
// state clears it (the event's own message says what happened next).
const LEFT_WAITING = { reason: null };

/**
 * orders/paid: the order's waiting event goes into the queue. Shopify does not order its webhooks,
 * so a paid order not recorded yet is ingested from this payload (it is the whole order, paid):
 * the orders/create that follows finds it and changes nothing.
 */
export async function releasePaidOrder(shop: string, order: ParsedOrder): Promise<"released" | "recorded" | "unchanged"> {
  const record = await prisma.orderRecord.findUnique({ where: { shop_orderId: { shop, orderId: order.orderId } }, select: { id: true } });
  if (!record) {
    await ingestOrder(shop, { ...order, financialStatus: "paid" });
    return "recorded";
  }
  await prisma.orderRecord.updateMany({ where: { id: record.id, paidAt: null }, data: { paidAt: new Date() } });
  const connection = await prisma.tikTokConnection.findUnique({ where: { shop }, select: { status: true } });
  const status = connection?.status === "needs_reconnect" ? "waiting_reconnect" : "queued";
  const moved = await moveEvents({ shop, orderRecordId: record.id, status: "awaiting_payment" }, status, { nextAttemptAt: new Date(), ...RELEASED }, LEFT_WAITING);
  if (moved === 0) return "unchanged";
  if (status === "queued") eventQueued();
  return "released";
}

/** Events still waiting for payment at their horizon (send-horizon.server.ts) expire, with why. */
export async function expireUnpaidEvents(now = new Date()): Promise<number> {
  const waiting = await prisma.outboxEvent.findMany({ where: { status: "awaiting_payment" }, select: { id: true, shop: true, eventTime: true, pixelCode: true }, take: 5_000 });
  if (waiting.length === 0) return 0;
  const browserPixels = await storefrontPixelsOf([...new Set(waiting.map((e) => e.shop))], now);
  const due = waiting.filter((e) => pastHorizon(e, browserPixels.get(e.shop), now.getTime()));
  if (due.length === 0) return 0;
  return moveEvents(
    { id: { in: due.map((e) => e.id) }, status: "awaiting_payment" },
    "expired",
    { lastError: "Not sent: the order was still waiting for payment when it became too late to send without TikTok counting it wrong.", lastErrorClass: "unpaid" },
    LEFT_WAITING,
  );
}
