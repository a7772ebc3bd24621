// orders/create → one OrderRecord (+ one outbox event when it is to be sent), written in one
// transaction, idempotent on (shop, order id). No TikTok call happens here.
import { Prisma } from "@prisma/client";
import prisma from "~/db.server";
import { attributeOrder, DEFAULT_WINDOW_DAYS } from "~/attribution/attribute.server";
import { ttclidFromLandingSite, ttclidFromNotes, ttpFromNotes, visitorIdFromNotes, type ParsedOrder } from "./order-payload";
import { buildTikTokEvent } from "./build-event";

export type IngestResult = { outcome: "recorded" | "duplicate"; orderRecordId: string; sendDecision: string };

async function findExisting(shop: string, orderId: string) {
  return prisma.orderRecord.findUnique({
    where: { shop_orderId: { shop, orderId } },
    select: { id: true, sendDecision: true },
  });
}

export async function ingestOrder(shop: string, order: ParsedOrder): Promise<IngestResult> {
  // Reads first, then one atomic write. The order and its event are inserted together (a nested
  // create is one transaction), and the (shop, orderId) unique key makes a repeated or concurrent
  // delivery fail that insert instead of adding a second record. No interactive transaction: on
  // SQLite it would serialise every webhook for the whole ingest, and its round trips cost more
  // than the rest of the ack (bench/webhooks.ts); it would not make the reads more consistent
  // (READ COMMITTED on PostgreSQL) either.
  const connection = await prisma.tikTokConnection.findUnique({
    where: { shop },
    select: { status: true, pixelCode: true, connectedAt: true, attributionWindowDays: true, sendMode: true, eventName: true },
  });
  const windowDays = connection?.attributionWindowDays ?? DEFAULT_WINDOW_DAYS;
  const visitorId = visitorIdFromNotes(order);
  const ttp = ttpFromNotes(order);
  const noteClick = ttclidFromNotes(order);
  const attribution = await attributeOrder(prisma, {
    shop,
    orderCreatedAt: order.createdAt,
    windowDays,
    visitorId,
    noteTtclid: noteClick?.ttclid ?? null,
    noteTtclidAt: noteClick?.capturedAt ?? null,
    landingTtclid: ttclidFromLandingSite(order.landingSite),
  });
  const eventName = connection?.eventName === "Purchase" ? "Purchase" : "CompletePayment";
  const built = buildTikTokEvent({ order, eventName, visitorId, ttclid: attribution.ttclid, ttp, shopDomain: shop });

  const live = !!connection?.pixelCode && (connection.status === "connected" || connection.status === "needs_reconnect");
  // Shopify delivers late (retries for up to 48 h): what counts is when the order was placed.
  const placedBeforeConnecting = live && (!connection.connectedAt || order.createdAt < connection.connectedAt);
  let sendDecision: string;
  let reason: string | null = null;
  if (order.isTest) {
    sendDecision = "test_order";
    reason = "Shopify test order: not sent, so it cannot count as a real conversion in TikTok.";
  } else if (!live) {
    sendDecision = "not_connected";
    reason = "TikTok was not connected when this order arrived; only orders placed while connected are sent.";
  } else if (placedBeforeConnecting) {
    sendDecision = "not_connected";
    reason = "Placed before TikTok was connected (Shopify delivered it late); only orders placed while connected are sent.";
  } else if (!attribution.ttclid && connection!.sendMode !== "all") {
    sendDecision = "not_attributed";
    reason = visitorId
      ? "No TikTok ad click for this visitor within the attribution window."
      : "No TikTok click id on the order: the storefront embed saw no TikTok ad click for this buyer.";
  } else {
    sendDecision = connection!.status === "needs_reconnect" ? "waiting_reconnect" : "queued";
    if (!attribution.ttclid) reason = "Not attributed to a TikTok click; sent because the shop sends all orders.";
  }
  const queue = sendDecision === "queued" || sendDecision === "waiting_reconnect";

  try {
    const record = await prisma.orderRecord.create({
      data: {
        shop,
        orderId: order.orderId,
        orderName: order.name,
        orderCreatedAt: order.createdAt,
        currency: order.currency,
        presentmentCurrency: order.presentmentCurrency,
        totalValue: new Prisma.Decimal(order.totalValue),
        customerId: order.customerId,
        emailHash: built.emailHash,
        phoneHash: built.phoneHash,
        visitorId,
        ttclid: attribution.ttclid,
        ttp,
        attributionSource: attribution.source,
        campaignId: attribution.campaignId,
        matchKeys: JSON.stringify(built.matchKeys),
        sendDecision,
        reason,
        sourceName: order.sourceName,
        isTest: order.isTest,
        event: queue
          ? {
              create: {
                shop,
                eventId: built.event.event_id,
                eventName,
                eventTime: order.createdAt,
                pixelCode: connection!.pixelCode!,
                payload: JSON.stringify(built.event),
                status: sendDecision,
              },
            }
          : undefined,
      },
      select: { id: true },
    });
    return { outcome: "recorded", orderRecordId: record.id, sendDecision };
  } catch (error) {
    // Delivered before, or a concurrent delivery of the same order won the insert: that one is the record.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      const winner = await findExisting(shop, order.orderId);
      if (winner) return { outcome: "duplicate", orderRecordId: winner.id, sendDecision: winner.sendDecision };
    }
    throw error;
  }
}

export async function recordRejectedWebhook(input: { shop: string; topic: string; webhookId?: string | null; reason: string }) {
  await prisma.rejectedWebhook.create({
    data: { shop: input.shop, topic: input.topic, webhookId: input.webhookId ?? null, reason: input.reason.slice(0, 500) },
  });
}
