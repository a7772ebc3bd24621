-- AlterTable
ALTER TABLE "TikTokConnection" ADD COLUMN     "includePosAndDraft" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sendSubscriptionRenewals" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN     "deferredEvent" TEXT;

-- CreateTable
CREATE TABLE "OrderLink" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "ttclid" TEXT,
    "ttclidAt" TIMESTAMP(3),
    "ttp" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OrderLink_pkey" PRIMARY KEY ("shop","orderId")
);

-- CreateTable
CREATE TABLE "WebPixel" (
    "shop" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "webPixelId" TEXT,
    "activatedAt" TIMESTAMP(3),
    "lastError" TEXT,
    "lastBeaconAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebPixel_pkey" PRIMARY KEY ("shop")
);

-- CreateIndex
CREATE INDEX "OrderLink_shop_receivedAt_idx" ON "OrderLink"("shop", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebPixel_token_key" ON "WebPixel"("token");
