-- When Shopify said the order was paid, for purchases sent when paid (ADR 0023).
ALTER TABLE "OrderRecord" ADD COLUMN "paidAt" DATETIME;
