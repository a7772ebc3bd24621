// refunds/create → one Refund row per (shop, refund id) and one RefundTransaction row per refund
// transaction; the refund's amount is the sum of its transactions that did not fail, and the
// order's refundedValue is recomputed from all of its refunds. A refund counts from its creation,
// pending money included, as Shopify's reports count it; order_transactions/create reporting a
// refund transaction's failure takes it out again (ADR 0024). orders/cancelled of an order whose
// payment was never captured (voided) adds one row for the whole order, so it stops counting as
// revenue; one that came before its order is kept even when it subtracts nothing, as the record
// that the order was cancelled (ingest then never sends it). Nothing goes to TikTok: a sent event keeps its value (product brief). Shopify does not
// order its webhooks: a refund may come before its order (ingest applies it when the order
// arrives, applyRefunds after the order insert), and a transaction's failure before its refund
// (kept, and read when the refund arrives).
import prisma from "~/core/db.server";
import { Prisma } from "@prisma/client";
import { chunks } from "~/core/lib/chunks";
import {
  cancelledValue,
  refundAmount,
  refundValue,
  type ParsedCancellation,
  type ParsedRefund,
  type ParsedTransaction,
  type RefundTransactionValue,
} from "./refund-payload";

type RecordRefundResult = { outcome: "recorded" | "duplicate" } | { outcome: "other_shop" } | { outcome: "nothing_to_subtract" };

export async function recordRefund(shop: string, refund: ParsedRefund): Promise<RecordRefundResult> {
  let transactions: RefundTransactionValue[] = [];
  const row = (orderCurrency: string | null) => {
    const value = refundValue(refund, orderCurrency);
    transactions = value.transactions;
    return { refundId: refund.refundId, processedAt: refund.processedAt, amount: refundAmount(value), currency: value.currency };
  };
  // The transactions after the refund row: the recount then sees a failure stored before the refund came.
  return storeRefund(shop, refund.orderId, row, async () => {
    for (const t of transactions) await upsertTransaction(shop, { ...t, refundId: refund.refundId, orderId: refund.orderId });
    await recountRefund(shop, refund.refundId);
  });
}

/** The one row a cancellation keeps, under an id no Shopify refund has: a repeated delivery changes nothing. */
const CANCELLATION_PREFIX = "cancelled-";
const cancellationRowId = (orderId: string) => `${CANCELLATION_PREFIX}${orderId}`;

/**
 * A cancelled order whose payment was never captured stops counting as revenue (cancelledValue).
 * A cancellation that subtracts nothing (money was captured) is still kept, at zero, when its order
 * has not arrived: it is then the only record that the order was cancelled, and ingest never sends
 * a cancelled order, whatever arrives later (ADR 0023). Kept UNMATCHED_CANCELLATION_DAYS when the
 * order never arrives (purgeUnmatchedCancellations).
 */
export async function recordCancellation(shop: string, cancellation: ParsedCancellation): Promise<RecordRefundResult> {
  return storeRefund(shop, cancellation.orderId, (currency, orderHeld) => {
    const value = cancelledValue(cancellation) ?? (orderHeld ? null : { amount: new Prisma.Decimal(0), currency: cancellation.total?.currency ?? currency });
    return value && { refundId: cancellationRowId(cancellation.orderId), processedAt: cancellation.cancelledAt, ...value };
  });
}

/** Whether orders/cancelled for this order has been received (recordCancellation keeps a row for each one that came before its order). */
export async function cancellationReceived(shop: string, orderId: string): Promise<boolean> {
  const rows = await prisma.$queryRaw<unknown[]>`SELECT 1 FROM "Refund" WHERE "shop" = ${shop} AND "refundId" = ${cancellationRowId(orderId)}`;
  return rows.length > 0;
}

/**
 * A cancellation kept at zero because its order had not arrived only matters until the order's
 * orders/create could still come: Shopify retries a webhook for up to 48 hours, and a day more
 * covers clocks and a delivery in flight. Past that, with still no order, the row would be kept forever.
 */
const UNMATCHED_CANCELLATION_DAYS = 3;

/** Deletes the zero cancellations whose order never arrived, once UNMATCHED_CANCELLATION_DAYS old. Returns how many. */
export async function purgeUnmatchedCancellations(now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - UNMATCHED_CANCELLATION_DAYS * 24 * 60 * 60 * 1000);
  return prisma.$executeRaw`
    DELETE FROM "Refund" WHERE "refundId" LIKE ${`${CANCELLATION_PREFIX}%`} AND "amount" = 0 AND "receivedAt" < ${cutoff}
      AND NOT EXISTS (SELECT 1 FROM "OrderRecord" o WHERE o."shop" = "Refund"."shop" AND o."orderId" = "Refund"."orderId")`;
}

/** Of these outbox events, those whose order's orders/cancelled has been received (its row above). */
export async function eventsOfCancelledOrders(eventIds: string[]): Promise<Set<string>> {
  const cancelled = new Set<string>();
  for (const chunk of chunks(eventIds)) {
    const rows = await prisma.$queryRaw<{ id: string }[]>`
      SELECT e."id" FROM "OutboxEvent" e
      JOIN "OrderRecord" o ON o."id" = e."orderRecordId"
      JOIN "Refund" r ON r."shop" = o."shop" AND r."refundId" = CAST(${CANCELLATION_PREFIX} AS TEXT) || o."orderId"
      WHERE e."id" IN (${Prisma.join(chunk)})`;
    for (const row of rows) cancelled.add(row.id);
  }
  return cancelled;
}

type RefundRow = { refundId: string; processedAt: Date | null; amount: Prisma.Decimal; currency: string | null };

/** Shopify order ids are unique across shops: an order we hold under another shop is not this shop's. */
async function heldByAnotherShop(shop: string, orderId: string) {
  return !!(await prisma.orderRecord.findFirst({ where: { orderId, shop: { not: shop } }, select: { id: true } }));
}

async function storeRefund(
  shop: string,
  orderId: string,
  row: (shopCurrency: string | null, orderHeld: boolean) => RefundRow | null,
  afterInsert?: () => Promise<void>,
): Promise<RecordRefundResult> {
  // The HMAC covers the body only, so a body replayed under another shop's header names an order
  // we hold for its real shop: write nothing.
  const [elsewhere, order, shopRow] = await Promise.all([
    heldByAnotherShop(shop, orderId),
    prisma.orderRecord.findUnique({ where: { shop_orderId: { shop, orderId } }, select: { currency: true } }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
  ]);
  if (elsewhere) return { outcome: "other_shop" };
  const value = row(order?.currency ?? shopRow?.currency ?? null, !!order);
  if (!value) return { outcome: "nothing_to_subtract" };
  const inserted = await prisma.$executeRaw`
    INSERT INTO "Refund" ("shop", "refundId", "orderId", "amount", "currency", "processedAt", "receivedAt")
    VALUES (${shop}, ${value.refundId}, ${orderId}, ${value.amount}, ${value.currency}, ${value.processedAt}, ${new Date()})
    ON CONFLICT ("shop", "refundId") DO NOTHING`;
  await afterInsert?.();
  // Applied even for a duplicate: recomputing is idempotent and repairs a crash between the writes.
  await applyRefunds(shop, orderId);
  return { outcome: inserted === 1 ? "recorded" : "duplicate" };
}

/** A status only moves forward: pending, then success, then failure or error (a failure is final). */
const RANK = (column: Prisma.Sql) => Prisma.sql`CASE ${column} WHEN 'failure' THEN 2 WHEN 'error' THEN 2 WHEN 'success' THEN 1 ELSE 0 END`;
const MOST_FINAL = Prisma.sql`CASE WHEN ${RANK(Prisma.sql`excluded."status"`)} > ${RANK(Prisma.sql`"RefundTransaction"."status"`)} THEN excluded."status" ELSE "RefundTransaction"."status" END`;

/**
 * One refund transaction, in one statement so refunds/create and order_transactions/create for the
 * same transaction cannot lose each other's part: the refund's delivery brings the refund id and
 * the converted amount, the transaction's delivery its later status; the most final status wins.
 */
async function upsertTransaction(shop: string, t: RefundTransactionValue & { refundId: string | null; orderId: string }) {
  if (t.refundId === null) {
    await prisma.$executeRaw`
      INSERT INTO "RefundTransaction" ("shop", "transactionId", "refundId", "orderId", "status", "amount", "currency", "receivedAt")
      VALUES (${shop}, ${t.transactionId}, NULL, ${t.orderId}, ${t.status}, ${t.amount}, ${t.currency}, ${new Date()})
      ON CONFLICT ("shop", "transactionId") DO UPDATE SET "status" = ${MOST_FINAL}`;
    return;
  }
  await prisma.$executeRaw`
    INSERT INTO "RefundTransaction" ("shop", "transactionId", "refundId", "orderId", "status", "amount", "currency", "receivedAt")
    VALUES (${shop}, ${t.transactionId}, ${t.refundId}, ${t.orderId}, ${t.status}, ${t.amount}, ${t.currency}, ${new Date()})
    ON CONFLICT ("shop", "transactionId") DO UPDATE SET
      "refundId" = excluded."refundId", "amount" = excluded."amount", "currency" = excluded."currency", "status" = ${MOST_FINAL}`;
}

/**
 * The refund's amount: its transactions in its currency that did not fail. One statement over
 * what is stored, so whichever of refunds/create and order_transactions/create commits second
 * sees the other. ROUND: on SQLite the sum of DECIMAL columns is a float; 6 places is finer than any currency.
 */
async function recountRefund(shop: string, refundId: string) {
  await prisma.$executeRaw`
    UPDATE "Refund" SET "amount" = (
      SELECT ROUND(COALESCE(SUM(t."amount"), 0), 6) FROM "RefundTransaction" t
      WHERE t."shop" = "Refund"."shop" AND t."refundId" = "Refund"."refundId"
        AND t."status" NOT IN ('failure', 'error') AND COALESCE(t."currency", '') = COALESCE("Refund"."currency", ''))
    WHERE "shop" = ${shop} AND "refundId" = ${refundId}`;
}

type RecordTransactionResult = { outcome: "recorded" | "not_a_refund" | "other_shop" };

/**
 * order_transactions/create: Shopify sends it when a transaction is created and when its status
 * changes to success, failure or error. Only refund transactions matter here: their status is
 * stored, and a failure takes the transaction's money out of its refund (or out of the refund
 * still to arrive).
 */
export async function recordTransactionStatus(shop: string, t: ParsedTransaction): Promise<RecordTransactionResult> {
  if (t.kind !== "refund") return { outcome: "not_a_refund" };
  // As for refunds: a body replayed under another shop's header names an order we hold for its real shop.
  if (await heldByAnotherShop(shop, t.orderId)) return { outcome: "other_shop" };
  await upsertTransaction(shop, { transactionId: t.transactionId, status: t.status, amount: t.amount, currency: t.currency, refundId: null, orderId: t.orderId });
  const stored = await prisma.refundTransaction.findUnique({ where: { shop_transactionId: { shop, transactionId: t.transactionId } }, select: { refundId: true, orderId: true } });
  if (stored?.refundId) {
    await recountRefund(shop, stored.refundId);
    await applyRefunds(shop, stored.orderId);
  }
  return { outcome: "recorded" };
}

/**
 * Sets the order's refundedValue to the sum of its refunds in the order's (shop) currency, never
 * more than the order total. One statement, so concurrent refunds of one order cannot lose each
 * other's amounts; a no-op when the order has not arrived yet.
 */
export async function applyRefunds(shop: string, orderId: string) {
  // ROUND: on SQLite the sum of DECIMAL columns is a float; 6 places is finer than any currency.
  // EXISTS: an order without refunds (nearly every order at ingest) is not written at all.
  await prisma.$executeRaw`
    UPDATE "OrderRecord" SET "refundedValue" = (
      SELECT CASE WHEN ROUND(COALESCE(SUM(r."amount"), 0), 6) > "OrderRecord"."totalValue" THEN "OrderRecord"."totalValue"
        ELSE ROUND(COALESCE(SUM(r."amount"), 0), 6) END
      FROM "Refund" r
      WHERE r."shop" = "OrderRecord"."shop" AND r."orderId" = "OrderRecord"."orderId" AND r."currency" = "OrderRecord"."currency")
    WHERE "shop" = ${shop} AND "orderId" = ${orderId}
      AND EXISTS (SELECT 1 FROM "Refund" x WHERE x."shop" = ${shop} AND x."orderId" = ${orderId})`;
}
