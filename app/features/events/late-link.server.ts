// A web pixel link that arrives after its order (issue 13, docs/decisions/0019). Shopify does not
// order the checkout beacon and orders/create; when the order was recorded as not attributed less
// than an hour ago, the link decides it again and queues its event, once, with the same event_id.
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import { decideByOrderLinks } from "~/core/attribution/order-links.server";
import type { TikTokEventItem } from "~/core/tiktok/event";
import { MATCH_KEYS } from "./build-event";
import { hashExternalId } from "./normalise";
import { enqueueEvent } from "./outbox.server";
import type { OutboxStatus } from "./statuses";

const LATE_LINK_WINDOW_MS = 60 * 60 * 1000;

/** Queues the order's event if the link attributes it; "unchanged" otherwise (already decided, too old, no click). */
export async function attributeLateLink(shop: string, orderId: string, now = new Date()): Promise<OutboxStatus | "unchanged"> {
  const order = await prisma.orderRecord.findUnique({
    where: { shop_orderId: { shop, orderId } },
    select: { id: true, sendDecision: true, orderCreatedAt: true, deferredEvent: true, visitorId: true, ttp: true, paidAt: true },
  });
  if (!order || order.sendDecision !== "not_attributed" || !order.deferredEvent) return "unchanged";
  if (now.getTime() - order.orderCreatedAt.getTime() > LATE_LINK_WINDOW_MS) return "unchanged";
  const connection = await prisma.tikTokConnection.findUnique({
    where: { shop },
    select: { status: true, advertiserId: true, pixelCode: true, attributionWindowDays: true, sendWhen: true },
  });
  if (!connection?.pixelCode || (connection.status !== "connected" && connection.status !== "needs_reconnect")) return "unchanged";

  // Every report of this order so far, by the same rule as ingest: a later one that disagrees with
  // an earlier one leaves the order as it is.
  const decision = await decideByOrderLinks(prisma, { shop, orderId, orderCreatedAt: order.orderCreatedAt, windowDays: connection.attributionWindowDays });
  if (decision.kind !== "attributed") return "unchanged";
  const { link, attribution } = decision;

  const event = JSON.parse(order.deferredEvent) as TikTokEventItem;
  event.user.ttclid = attribution.ttclid;
  const ttp = order.ttp ?? link.ttp;
  if (ttp && !event.user.ttp) event.user.ttp = ttp;
  const externalId = hashExternalId(order.visitorId ?? link.visitorId);
  if (externalId && !event.user.external_id) event.user.external_id = externalId;
  const matchKeys = MATCH_KEYS.filter((key) => event.user[key] !== undefined);
  // Sent when paid (Settings): an unpaid order's event waits for orders/paid (payment.server.ts).
  const status = connection.sendWhen === "paid" && !order.paidAt ? "awaiting_payment" : connection.status === "needs_reconnect" ? "waiting_reconnect" : "queued";

  // The conditional update is the claim: of two concurrent callers (the beacon and ingest's second
  // look) only one moves the order off not_attributed, and only that one queues the event. The
  // unique orderRecordId on the outbox is the second guard. Revenue counts under the account and
  // pixel the event goes to (docs/decisions/0017).
  const claim = Prisma.sql`
    UPDATE "OrderRecord" SET "sendDecision" = ${status}, "reason" = NULL, "ttclid" = ${attribution.ttclid}, "attributionSource" = 'pixel',
      "campaignId" = ${attribution.campaignId}, "adgroupId" = ${attribution.adgroupId}, "visitorId" = ${order.visitorId ?? link.visitorId},
      "ttp" = ${ttp ?? null}, "matchKeys" = ${JSON.stringify(matchKeys)}, "deferredEvent" = NULL,
      "advertiserId" = ${connection.advertiserId}, "pixelCode" = ${connection.pixelCode}
    WHERE "id" = ${order.id} AND "sendDecision" = 'not_attributed' AND "deferredEvent" IS NOT NULL`;
  const queued = await enqueueEvent(
    claim,
    { shop, orderRecordId: order.id, event, eventTime: order.orderCreatedAt, pixelCode: connection.pixelCode, status },
    now,
  );
  return queued ? status : "unchanged";
}

/** Unattributed orders past the re-decision window no longer need the event they would have sent. */
export async function dropExpiredDeferredEvents(now = new Date()) {
  const cutoff = new Date(now.getTime() - LATE_LINK_WINDOW_MS);
  const { count } = await prisma.orderRecord.updateMany({
    where: { deferredEvent: { not: null }, orderCreatedAt: { lt: cutoff } },
    data: { deferredEvent: null },
  });
  return count;
}
