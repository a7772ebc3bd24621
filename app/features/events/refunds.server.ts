// refunds/create → one Refund row per (shop, refund id), then the order's refundedValue is
// recomputed from all of its refunds. Nothing goes to TikTok: a sent event keeps its value
// (product brief). Shopify does not order its webhooks, so a refund may come before its order;
// it is kept, and ingest applies it when the order arrives (applyRefunds after the order insert).
import prisma from "~/core/db.server";
import { refundValue, type ParsedRefund } from "./refund-payload";

type RecordRefundResult = { outcome: "recorded" | "duplicate" } | { outcome: "other_shop" };

export async function recordRefund(shop: string, refund: ParsedRefund): Promise<RecordRefundResult> {
  // Shopify order ids are unique across shops. The HMAC covers the body only, so a refund body
  // replayed under another shop's header names an order we hold for its real shop: write nothing.
  const [elsewhere, order, shopRow] = await Promise.all([
    prisma.orderRecord.findFirst({ where: { orderId: refund.orderId, shop: { not: shop } }, select: { id: true } }),
    prisma.orderRecord.findUnique({ where: { shop_orderId: { shop, orderId: refund.orderId } }, select: { currency: true } }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
  ]);
  if (elsewhere) return { outcome: "other_shop" };

  const value = refundValue(refund, order?.currency ?? shopRow?.currency ?? null);
  const inserted = await prisma.$executeRaw`
    INSERT INTO "Refund" ("shop", "refundId", "orderId", "amount", "currency", "processedAt", "receivedAt")
    VALUES (${shop}, ${refund.refundId}, ${refund.orderId}, ${value.amount}, ${value.currency}, ${refund.processedAt}, ${new Date()})
    ON CONFLICT ("shop", "refundId") DO NOTHING`;
  // Applied even for a duplicate: recomputing is idempotent and repairs a crash between the two writes.
  await applyRefunds(shop, refund.orderId);
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
