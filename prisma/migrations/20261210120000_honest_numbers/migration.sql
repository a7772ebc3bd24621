-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN "advertiserId" TEXT;
ALTER TABLE "OrderRecord" ADD COLUMN "hashesPurgedAt" DATETIME;
ALTER TABLE "OrderRecord" ADD COLUMN "pixelCode" TEXT;

-- AlterTable
ALTER TABLE "OutboxEvent" ADD COLUMN "payloadReducedAt" DATETIME;

-- CreateTable
CREATE TABLE "Refund" (
    "shop" TEXT NOT NULL,
    "refundId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "amount" DECIMAL NOT NULL,
    "currency" TEXT,
    "processedAt" DATETIME,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "refundId")
);

-- CreateTable
CREATE TABLE "DataRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "shopifyRequestId" TEXT,
    "customerId" TEXT,
    "emailHash" TEXT,
    "phoneHash" TEXT,
    "orderIds" TEXT NOT NULL DEFAULT '[]',
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Redaction" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "customerId" TEXT,
    "counts" TEXT NOT NULL,
    "doneAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "Refund_shop_orderId_idx" ON "Refund"("shop", "orderId");

-- CreateIndex
CREATE INDEX "DataRequest_shop_receivedAt_idx" ON "DataRequest"("shop", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "DataRequest_shop_webhookId_key" ON "DataRequest"("shop", "webhookId");

-- CreateIndex
CREATE INDEX "Redaction_shop_doneAt_idx" ON "Redaction"("shop", "doneAt");

-- CreateIndex
CREATE INDEX "OrderRecord_receivedAt_idx" ON "OrderRecord"("receivedAt");

-- CreateIndex
CREATE INDEX "OrderRecord_orderId_idx" ON "OrderRecord"("orderId");


-- Orders given an event before this migration were credited to the shop's current ad account
-- (the dashboard had no other): record that account, and the pixel each event was queued for.
UPDATE "OrderRecord" SET
  "advertiserId" = (SELECT c."advertiserId" FROM "TikTokConnection" c WHERE c."shop" = "OrderRecord"."shop"),
  "pixelCode" = (SELECT e."pixelCode" FROM "OutboxEvent" e WHERE e."orderRecordId" = "OrderRecord"."id")
WHERE EXISTS (SELECT 1 FROM "OutboxEvent" e WHERE e."orderRecordId" = "OrderRecord"."id");
