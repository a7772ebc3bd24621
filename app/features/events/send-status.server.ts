// The one way to change where an order's event stands. OrderRecord.sendDecision mirrors
// OutboxEvent.status so the Events page can filter and page orders without a join; both change
// in one transaction, so a crash between the two cannot leave the page saying Queued for an order
// TikTok already has. (Ingest writes both in its own single insert batch.)
import type { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import type { EventStatus, OutboxStatus } from "./statuses";

/**
 * Moves the events matching `where` to `status`, with their orders, and writes `data` to the
 * events (and `orderData` to their orders). Returns how many events moved. Writes that leave the status as it is (a retry's
 * attempt count) go to the outbox alone.
 */
export async function moveEvents(
  where: Prisma.OutboxEventWhereInput,
  status: OutboxStatus,
  data: Omit<Prisma.OutboxEventUpdateManyMutationInput, "status"> = {},
  orderData: Pick<Prisma.OrderRecordUpdateManyMutationInput, "advertiserId" | "pixelCode" | "reason"> = {},
): Promise<number> {
  // The order goes first: it is found through its event, and the second write may change what
  // `where` matches (the status, the lease).
  const [, events] = await prisma.$transaction([
    prisma.orderRecord.updateMany({ where: { event: where }, data: { ...orderData, sendDecision: status } }),
    // Queued again (paid, reconnected, resent): its wait for delivery starts now (the stalled-queue alert).
    prisma.outboxEvent.updateMany({ where, data: { ...data, status, ...(status === "queued" ? { queuedAt: new Date() } : {}) } }),
  ]);
  return events.count;
}

/** OrderRecord.sendDecision as read back; only ingest and moveEvents write it. */
export const readDecision = (value: string) => value as EventStatus;
