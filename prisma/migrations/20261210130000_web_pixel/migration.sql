-- AlterTable
ALTER TABLE "TikTokConnection" ADD COLUMN "includePosAndDraft" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "TikTokConnection" ADD COLUMN "sendSubscriptionRenewals" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN "deferredEvent" TEXT;

-- CreateTable
CREATE TABLE "OrderLink" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "ttclid" TEXT,
    "ttclidAt" DATETIME,
    "ttp" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "orderId")
);

-- CreateTable
CREATE TABLE "WebPixel" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "token" TEXT NOT NULL,
    "webPixelId" TEXT,
    "activatedAt" DATETIME,
    "lastError" TEXT,
    "lastBeaconAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "OrderLink_shop_receivedAt_idx" ON "OrderLink"("shop", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebPixel_token_key" ON "WebPixel"("token");
