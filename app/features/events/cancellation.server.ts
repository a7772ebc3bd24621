// orders/cancelled and the purchase: an order cancelled before its event went to TikTok is never
// sent, whatever arrives later (docs/decisions/0023). Shopify does not order its webhooks, so both
// sides look: the cancellation at the events already there (cancelUnsentEvent), ingest at the
// cancellations already received (refunds.server.ts keeps one row for each) before and after it
// writes the order. Ingest's second look comes after its insert has woken delivery, so the
// delivery pass looks too, at the events it claimed, before it sends them (worker.server.ts).
import type { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import { RELEASED } from "~/core/lib/lease.server";
import { moveEvents } from "./send-status.server";

const CANCELLED_MESSAGE = "Not sent: the order was cancelled before its purchase went to TikTok.";
/** Why an order that was cancelled before it was decided or sent has no event (the Events list). */
export const CANCELLED_REASON = "Shopify reported this order cancelled before its purchase went to TikTok, so it is never sent.";

/**
 * An event not sent yet (waiting for payment, queued, held or failed) never goes; an order kept as
 * not attributed loses the event a late pixel link could still have queued (late-link.server.ts).
 */
export async function cancelUnsentEvent(shop: string, orderId: string): Promise<boolean> {
  // The deferred event first: a late link that claims the order after this finds nothing to queue,
  // and one that claimed it before has queued an event the move below finds.
  await prisma.orderRecord.updateMany({
    where: { shop, orderId, sendDecision: "not_attributed", deferredEvent: { not: null } },
    data: { sendDecision: "cancelled", deferredEvent: null, reason: CANCELLED_REASON },
  });
  const moved = await cancelEvents({ shop, order: { orderId }, status: { in: ["awaiting_payment", "queued", "waiting_reconnect", "failed"] } });
  return moved > 0;
}

/** Marks the events matching `where` not sent because their order was cancelled. Returns how many moved. */
export function cancelEvents(where: Prisma.OutboxEventWhereInput): Promise<number> {
  return moveEvents(
    where,
    "cancelled",
    { lastError: CANCELLED_MESSAGE, lastErrorClass: "cancelled", ...RELEASED },
    // The order's "Waiting for payment" reason is true only while it waits; the event says what happened.
    { reason: null },
  );
}
