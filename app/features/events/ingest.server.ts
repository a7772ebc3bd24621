// orders/create → one OrderRecord (+ one outbox event when it is to be sent), written in one
// transaction, idempotent on (shop, order id). No TikTok call happens here.
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import prisma, { isPostgres } from "~/core/db.server";
import { attributeOrder, DEFAULT_WINDOW_DAYS } from "~/core/attribution/attribute.server";
import { ttclidFromLandingSite, ttclidFromNotes, ttpFromNotes, visitorIdFromNotes, type ParsedOrder } from "./order-payload";
import { buildTikTokEvent } from "./build-event";
import { readDecision } from "./send-status.server";
import { applyRefunds } from "./refunds.server";
import { eventQueued } from "./wake.server";
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
  const [connectionRow] = await prisma.$queryRaw<
    { status: string; advertiserId: string | null; pixelCode: string | null; connectedAt: Date | null; attributionWindowDays: number | bigint; sendMode: string; eventName: string }[]
  >`SELECT "status", "advertiserId", "pixelCode", "connectedAt", "attributionWindowDays", "sendMode", "eventName" FROM "TikTokConnection" WHERE "shop" = ${shop}`;
  const connection = connectionRow
    ? { ...connectionRow, attributionWindowDays: Number(connectionRow.attributionWindowDays), connectedAt: connectionRow.connectedAt ? new Date(connectionRow.connectedAt) : null }
    : null;
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
  let sendDecision: EventStatus;
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
  // The order and its event start with the same status (the one other writer is moveEvents).
  const queue = sendDecision === "queued" || sendDecision === "waiting_reconnect";

  const now = new Date();
  const recordId = randomUUID();
  // ON CONFLICT makes a repeated or concurrent delivery of the same order insert nothing; the event
  // is inserted only if this delivery's order row was, atomically with it.
  const orderInsert = Prisma.sql`
      INSERT INTO "OrderRecord" ("id", "shop", "orderId", "orderName", "orderCreatedAt", "currency", "presentmentCurrency",
        "totalValue", "refundedValue", "customerId", "emailHash", "phoneHash", "visitorId", "ttclid", "ttp", "attributionSource",
        "campaignId", "matchKeys", "sendDecision", "reason", "sourceName", "isTest", "receivedAt", "advertiserId", "pixelCode")
      VALUES (${recordId}, ${shop}, ${order.orderId}, ${order.name}, ${order.createdAt}, ${order.currency}, ${order.presentmentCurrency},
        ${decimal(order.totalValue)}, ${decimal("0")}, ${order.customerId}, ${built.emailHash}, ${built.phoneHash}, ${visitorId}, ${attribution.ttclid}, ${ttp},
        ${attribution.source}, ${attribution.campaignId}, ${JSON.stringify(built.matchKeys)}, ${sendDecision}, ${reason}, ${order.sourceName},
        ${order.isTest}, ${now}, ${queue ? connection!.advertiserId : null}, ${queue ? connection!.pixelCode : null})
      ON CONFLICT ("shop", "orderId") DO NOTHING`;
  const eventColumns = Prisma.sql`"id", "shop", "orderRecordId", "eventId", "eventName", "eventTime", "pixelCode", "payload", "status",
        "attempts", "nextAttemptAt", "createdAt", "updatedAt"`;
  const eventValues = queue
    ? Prisma.sql`${randomUUID()}, ${shop}, ${recordId}, ${built.event.event_id}, ${eventName}, ${order.createdAt}, ${connection!.pixelCode!},
        ${JSON.stringify(built.event)}, ${sendDecision}, 0, ${now}, ${now}, ${now}`
    : null;
  let inserted: number;
  if (!eventValues) {
    inserted = await prisma.$executeRaw(orderInsert);
  } else if (isPostgres()) {
    // One statement (data-modifying CTEs run once, atomically): one round trip and one Prisma
    // query instead of BEGIN, two inserts and COMMIT, which were a third of the ack on PostgreSQL
    // (bench/webhooks.ts, BENCH_PROF).
    const [row] = await prisma.$queryRaw<{ inserted: number }[]>`
      WITH o AS (${orderInsert} RETURNING "id"),
        e AS (INSERT INTO "OutboxEvent" (${eventColumns}) SELECT ${eventValues} FROM o RETURNING 1)
      SELECT (SELECT count(*) FROM o)::int AS "inserted"`;
    inserted = Number(row.inserted);
  } else {
    // SQLite has no data-modifying CTEs; a batch transaction costs no round trip there.
    [inserted] = await prisma.$transaction([
      prisma.$executeRaw(orderInsert),
      prisma.$executeRaw`
      INSERT INTO "OutboxEvent" (${eventColumns})
      SELECT ${eventValues}
      WHERE EXISTS (SELECT 1 FROM "OrderRecord" WHERE "id" = ${recordId})`,
    ]);
  }
  if (inserted === 1) {
    // After the commit, not inside it: a refund committed before this point is seen here, and one
    // committed after it finds this order itself (refunds.server.ts).
    await applyRefunds(shop, order.orderId);
    if (sendDecision === "queued") eventQueued();
    return { outcome: "recorded", orderRecordId: recordId, sendDecision };
  }

  // Delivered before, or a concurrent delivery of the same order won the insert: that one is the record.
  const winner = await findExisting(shop, order.orderId);
  if (!winner) throw new Error(`order ${order.orderId} of ${shop} was neither inserted nor found`);
  return { outcome: "duplicate", orderRecordId: winner.id, sendDecision: readDecision(winner.sendDecision) };
}

/** Decimal text for a DECIMAL column: PostgreSQL takes it as numeric, SQLite stores it as a number. */
function decimal(value: string) {
  return new Prisma.Decimal(value);
}

export async function recordRejectedWebhook(input: { shop: string; topic: string; webhookId?: string | null; reason: string }) {
  await prisma.rejectedWebhook.create({
    data: { shop: input.shop, topic: input.topic, webhookId: input.webhookId ?? null, reason: input.reason.slice(0, 500) },
  });
}
