// refunds/create → one Refund row per (shop, refund id), then the order's refundedValue is
// recomputed from all of its refunds. orders/cancelled of an order whose payment was never
// captured (voided) adds one row for the whole order, so it stops counting as revenue. Nothing
// goes to TikTok: a sent event keeps its value (product brief). Shopify does not order its
// webhooks, so a refund may come before its order; it is kept, and ingest applies it when the
// order arrives (applyRefunds after the order insert).
import prisma from "~/core/db.server";
import type { Prisma } from "@prisma/client";
import { cancelledValue, refundValue, type ParsedCancellation, type ParsedRefund } from "./refund-payload";

type RecordRefundResult = { outcome: "recorded" | "duplicate" } | { outcome: "other_shop" } | { outcome: "nothing_to_subtract" };

export async function recordRefund(shop: string, refund: ParsedRefund): Promise<RecordRefundResult> {
  return storeRefund(shop, refund.orderId, (orderCurrency) => ({
    refundId: refund.refundId,
    processedAt: refund.processedAt,
    ...refundValue(refund, orderCurrency),
  }));
}

/** A cancelled order whose payment was never captured stops counting as revenue (cancelledValue). */
export async function recordCancellation(shop: string, cancellation: ParsedCancellation): Promise<RecordRefundResult> {
  return storeRefund(shop, cancellation.orderId, () => {
    const value = cancelledValue(cancellation);
    // One row per order, under an id no Shopify refund has: a repeated delivery changes nothing.
    return value && { refundId: `cancelled-${cancellation.orderId}`, processedAt: cancellation.cancelledAt, ...value };
  });
}

type RefundRow = { refundId: string; processedAt: Date | null; amount: Prisma.Decimal; currency: string | null };

async function storeRefund(shop: string, orderId: string, row: (shopCurrency: string | null) => RefundRow | null): Promise<RecordRefundResult> {
  // Shopify order ids are unique across shops. The HMAC covers the body only, so a body replayed
  // under another shop's header names an order we hold for its real shop: write nothing.
  const [elsewhere, order, shopRow] = await Promise.all([
    prisma.orderRecord.findFirst({ where: { orderId, shop: { not: shop } }, select: { id: true } }),
    prisma.orderRecord.findUnique({ where: { shop_orderId: { shop, orderId } }, select: { currency: true } }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
  ]);
  if (elsewhere) return { outcome: "other_shop" };
  const value = row(order?.currency ?? shopRow?.currency ?? null);
  if (!value) return { outcome: "nothing_to_subtract" };
  const inserted = await prisma.$executeRaw`
    INSERT INTO "Refund" ("shop", "refundId", "orderId", "amount", "currency", "processedAt", "receivedAt")
    VALUES (${shop}, ${value.refundId}, ${orderId}, ${value.amount}, ${value.currency}, ${value.processedAt}, ${new Date()})
    ON CONFLICT ("shop", "refundId") DO NOTHING`;
  // Applied even for a duplicate: recomputing is idempotent and repairs a crash between the two writes.
  await applyRefunds(shop, orderId);
  return { outcome: inserted === 1 ? "recorded" : "duplicate" };
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
