// orders/create → one OrderRecord (+ one outbox event when it is to be sent), written in one
// transaction, idempotent on (shop, order id). No TikTok call happens here.
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import { attributeOrder, DEFAULT_WINDOW_DAYS } from "~/core/attribution/attribute.server";
import { decideByOrderLinks, hasOrderLinks } from "~/core/attribution/order-links.server";
import { leftOutReason } from "./order-sources";
import { attributeLateLink } from "./late-link.server";
import {
  adIdsFromNotes,
  consentFromNotes,
  ttclidFromLandingSite,
  ttclidFromNotes,
  ttpFromNotes,
  visitorIdFromNotes,
  type ParsedOrder,
} from "./order-payload";
import { buildTikTokEvent } from "./build-event";
import { readDecision } from "./send-status.server";
import { applyRefunds, cancellationReceived } from "./refunds.server";
import { enqueueEvent } from "./outbox.server";
import { CANCELLED_REASON, cancelUnsentEvent } from "./cancellation.server";
import type { EventStatus } from "./statuses";

type IngestResult = { outcome: "recorded" | "duplicate"; orderRecordId: string; sendDecision: EventStatus };

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
  // Raw SQL on this path: each ORM query cost ~0.2-0.6 ms of CPU against ~0.05 ms raw, which was
  // most of the ack's cost (bench/webhooks.ts). Every column is written explicitly, in the formats
  // Prisma itself uses, so the ORM reads these rows like its own.
  const [[connectionRow], cancelledBefore] = await Promise.all([prisma.$queryRaw<
    {
      status: string;
      advertiserId: string | null;
      pixelCode: string | null;
      connectedAt: Date | null;
      attributionWindowDays: number | bigint;
      sendMode: string;
      eventName: string;
      includePosAndDraft: boolean | number;
      sendSubscriptionRenewals: boolean | number;
      contentIdType: string;
      sendWhen: string;
      limitedDataUse: boolean | number;
    }[]
  >`SELECT "status", "advertiserId", "pixelCode", "connectedAt", "attributionWindowDays", "sendMode", "eventName", "includePosAndDraft", "sendSubscriptionRenewals", "contentIdType", "sendWhen", "limitedDataUse"
    FROM "TikTokConnection" WHERE "shop" = ${shop}`,
    // orders/cancelled may come first (Shopify does not order its webhooks), and the payload itself
    // may already be cancelled: either way the purchase never goes (ADR 0023). Voided is Shopify's
    // status for an order cancelled before its payment was captured.
    order.cancelled || order.financialStatus === "voided" ? Promise.resolve(true) : cancellationReceived(shop, order.orderId),
  ]);
  const connection = connectionRow
    ? { ...connectionRow, attributionWindowDays: Number(connectionRow.attributionWindowDays), connectedAt: connectionRow.connectedAt ? new Date(connectionRow.connectedAt) : null }
    : null;
  const windowDays = connection?.attributionWindowDays ?? DEFAULT_WINDOW_DAYS;
  // Consent (docs/decisions/0018): a cart that says "denied" is never sent, by any path; a click only in
  // the landing URL, with no consent signal from the storefront at all, is not used.
  // A buyer who opted out of the sale of their data only ("limited") is sent with TikTok's limited_data_use
  // when the merchant turned it on (ADR 0023), and otherwise treated as declined.
  const consent = consentFromNotes(order);
  const limitedDataUse = consent === "limited" && !!connection?.limitedDataUse;
  const optedOutOfSale = consent === "limited" && !limitedDataUse;
  const declined = consent === "denied" || optedOutOfSale;
  const noteVisitorId = declined ? null : visitorIdFromNotes(order);
  const noteClick = declined ? null : ttclidFromNotes(order);
  const landingTtclid = ttclidFromLandingSite(order.landingSite);
  const noteAds = adIdsFromNotes(order);
  let attribution = declined
    ? { ttclid: null, source: null, campaignId: null, adgroupId: null, capturedAt: null }
    : await attributeOrder(prisma, {
        shop,
        orderCreatedAt: order.createdAt,
        windowDays,
        visitorId: noteVisitorId,
        noteTtclid: noteClick?.ttclid ?? null,
        noteTtclidAt: noteClick?.capturedAt ?? null,
        noteCampaignId: noteAds.campaignId,
        noteAdgroupId: noteAds.adgroupId,
        landingTtclid: consent === "granted" || limitedDataUse ? landingTtclid : null,
      });
  // What the web pixel saw at checkout, if its beacon came first (docs/decisions/0019); Shopify loads
  // the pixel only for visitors who allowed its purposes. Read only when the cart left something to
  // fill (no click, or no visitor id): a cart-attributed order costs no extra query. The cart is the
  // first path; a report attributes what the cart could not (Buy it now, express checkout, no embed),
  // and only through a click the storefront recorded for its visitor before the order.
  const byLinks =
    declined || (attribution.ttclid && noteVisitorId)
      ? ({ kind: "none" } as const)
      : await decideByOrderLinks(prisma, { shop, orderId: order.orderId, orderCreatedAt: order.createdAt, windowDays });
  const link = byLinks.kind === "attributed" ? byLinks.link : null;
  if (!attribution.ttclid && byLinks.kind === "attributed") attribution = { ...byLinks.attribution, source: "pixel" };
  const visitorId = noteVisitorId ?? link?.visitorId ?? null;
  const ttp = declined ? null : (ttpFromNotes(order) ?? link?.ttp ?? null);
  const eventName = connection?.eventName === "Purchase" ? "Purchase" : "CompletePayment";
  const contentId = connection?.contentIdType === "product" || connection?.contentIdType === "sku" ? connection.contentIdType : "variant";
  const built = buildTikTokEvent({ order, eventName, visitorId, ttclid: attribution.ttclid, ttp, shopDomain: shop, contentId, limitedDataUse });

  const live = !!connection?.pixelCode && (connection.status === "connected" || connection.status === "needs_reconnect");
  // Shopify delivers late (retries for up to 48 h): what counts is when the order was placed.
  const placedBeforeConnecting = live && (!connection.connectedAt || order.createdAt < connection.connectedAt);
  let sendDecision: EventStatus;
  let reason: string | null = null;
  const leftOut = leftOutReason(order, {
    includePosAndDraft: !!connection?.includePosAndDraft,
    sendSubscriptionRenewals: !!connection?.sendSubscriptionRenewals,
  });
  if (order.isTest) {
    sendDecision = "test_order";
    reason = "Shopify test order: not sent, so it cannot count as a real conversion in TikTok.";
  } else if (optedOutOfSale) {
    sendDecision = "no_consent";
    reason =
      "The shopper opted out of the sale of their data on the storefront (cart: _tt_consent = limited) and Limited Data Use is off in Settings; never sent.";
  } else if (declined) {
    sendDecision = "no_consent";
    reason = "The shopper declined marketing or the sale of their data on the storefront (cart: _tt_consent = denied); never sent.";
  } else if (!live) {
    sendDecision = "not_connected";
    reason = "TikTok was not connected when this order arrived; only orders placed while connected are sent.";
  } else if (leftOut) {
    sendDecision = "left_out";
    reason = leftOut;
  } else if (placedBeforeConnecting) {
    sendDecision = "not_connected";
    reason = "Placed before TikTok was connected (Shopify delivered it late); only orders placed while connected are sent.";
  } else if (cancelledBefore) {
    sendDecision = "cancelled";
    reason =
      !order.cancelled && order.financialStatus === "voided"
        ? "Shopify reported the order's payment voided (the order was cancelled before its payment was captured), so its purchase is never sent."
        : CANCELLED_REASON;
  } else if (!attribution.ttclid && connection!.sendMode !== "all") {
    sendDecision = "not_attributed";
    reason =
      byLinks.kind === "conflict"
        ? `The web pixel reported this checkout for ${byLinks.visitors} visitors whose TikTok clicks differ; none was used, since a report cannot prove which visitor paid.`
        : visitorId
      ? "No TikTok ad click for this visitor within the attribution window."
      : landingTtclid
        ? "The landing URL has a TikTok click id, but the cart has no consent signal from the storefront embed (off, or the shopper did not allow it), so the click is not used."
        : "No TikTok click id on the order: the storefront embed saw no TikTok ad click for this buyer.";
  } else {
    sendDecision = connection!.status === "needs_reconnect" ? "waiting_reconnect" : "queued";
    if (!attribution.ttclid) reason = "Not attributed to a TikTok click; sent because the shop sends all orders.";
    // Sent when paid (Settings): an order Shopify does not call paid yet waits for orders/paid.
    if (connection!.sendWhen === "paid" && !isPaid(order.financialStatus)) {
      sendDecision = "awaiting_payment";
      reason = "Waiting for payment: sent to TikTok when Shopify reports the order paid (Settings: send purchases when paid).";
    }
  }
  // The order and its event start with the same status (the one other writer is moveEvents).
  const queue = sendDecision === "queued" || sendDecision === "waiting_reconnect" || sendDecision === "awaiting_payment";
  // An unattributed order keeps the event it would send for an hour: a pixel link that arrives
  // after this webhook can still queue it, with the same event_id (late-link.server.ts).
  const deferredEvent = sendDecision === "not_attributed" ? JSON.stringify(built.event) : null;

  const now = new Date();
  const recordId = randomUUID();
  // ON CONFLICT makes a repeated or concurrent delivery of the same order insert nothing; the event
  // is inserted only if this delivery's order row was, atomically with it.
  const orderInsert = Prisma.sql`
      INSERT INTO "OrderRecord" ("id", "shop", "orderId", "orderName", "orderCreatedAt", "currency", "presentmentCurrency",
        "totalValue", "refundedValue", "customerId", "emailHash", "phoneHash", "visitorId", "ttclid", "ttp", "attributionSource",
        "campaignId", "adgroupId", "matchKeys", "sendDecision", "reason", "sourceName", "isTest", "receivedAt", "advertiserId", "pixelCode", "deferredEvent", "paidAt")
      VALUES (${recordId}, ${shop}, ${order.orderId}, ${order.name}, ${order.createdAt}, ${order.currency}, ${order.presentmentCurrency},
        ${decimal(order.totalValue)}, ${decimal("0")}, ${order.customerId}, ${built.emailHash}, ${built.phoneHash}, ${visitorId}, ${attribution.ttclid}, ${ttp},
        ${attribution.source}, ${attribution.campaignId}, ${attribution.adgroupId}, ${JSON.stringify(built.matchKeys)}, ${sendDecision}, ${reason}, ${order.sourceName},
        ${order.isTest}, ${now}, ${queue ? connection!.advertiserId : null}, ${queue ? connection!.pixelCode : null}, ${deferredEvent}, ${isPaid(order.financialStatus) ? now : null})
      ON CONFLICT ("shop", "orderId") DO NOTHING`;
  const inserted = queue
    ? await enqueueEvent(
        orderInsert,
        { shop, orderRecordId: recordId, event: built.event, eventTime: order.createdAt, pixelCode: connection!.pixelCode!, status: sendDecision as "queued" | "waiting_reconnect" | "awaiting_payment" },
        now,
      )
    : (await prisma.$executeRaw(orderInsert)) === 1;
  if (inserted) {
    // After the commit, not inside it: a refund committed before this point is seen here, and one
    // committed after it finds this order itself (refunds.server.ts).
    await applyRefunds(shop, order.orderId);
    // A cancellation stored between the first read and this insert found no event to stop; its row
    // is visible now (the cancellation writes it before it looks for the event).
    if ((queue || deferredEvent) && (await cancellationReceived(shop, order.orderId))) {
      await cancelUnsentEvent(shop, order.orderId);
      return { outcome: "recorded", orderRecordId: recordId, sendDecision: "cancelled" };
    }
    // The beacon may have been stored while this order was being decided: it then found no order,
    // so look again now that the order is written (one of the two always sees the other).
    if (sendDecision === "not_attributed" && byLinks.kind === "none" && (await hasOrderLinks(shop, order.orderId))) {
      if ((await attributeLateLink(shop, order.orderId)) === "queued") {
        return { outcome: "recorded", orderRecordId: recordId, sendDecision: "queued" };
      }
    }
    return { outcome: "recorded", orderRecordId: recordId, sendDecision };
  }

  // Delivered before, or a concurrent delivery of the same order won the insert: that one is the record.
  const winner = await findExisting(shop, order.orderId);
  if (!winner) throw new Error(`order ${order.orderId} of ${shop} was neither inserted nor found`);
  return { outcome: "duplicate", orderRecordId: winner.id, sendDecision: readDecision(winner.sendDecision) };
}

/** Shopify has captured the money: paid, or paid and then refunded (a refund is not sent retroactively). */
const isPaid = (financialStatus: string | null) => financialStatus === "paid" || financialStatus === "partially_refunded" || financialStatus === "refunded";

/** Decimal text for a DECIMAL column: PostgreSQL takes it as numeric, SQLite stores it as a number. */
function decimal(value: string) {
  return new Prisma.Decimal(value);
}

export async function recordRejectedWebhook(input: { shop: string; topic: string; webhookId?: string | null; reason: string }) {
  await prisma.rejectedWebhook.create({
    data: { shop: input.shop, topic: input.topic, webhookId: input.webhookId ?? null, reason: input.reason.slice(0, 500) },
  });
}
