-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "Shop" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "currency" TEXT,
    "ianaTimezone" TEXT,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "lastStorefrontSignalAt" DATETIME
);

-- CreateTable
CREATE TABLE "TikTokConnection" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "accessTokenEnc" TEXT,
    "authorizedAdvertisers" TEXT NOT NULL DEFAULT '[]',
    "advertiserId" TEXT,
    "advertiserName" TEXT,
    "advertiserCurrency" TEXT,
    "advertiserTimezone" TEXT,
    "pixelCode" TEXT,
    "pixelName" TEXT,
    "connectedAt" DATETIME,
    "statusChangedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastAuthError" TEXT,
    "attributionWindowDays" INTEGER NOT NULL DEFAULT 30,
    "sendMode" TEXT NOT NULL DEFAULT 'attributed',
    "eventName" TEXT NOT NULL DEFAULT 'CompletePayment',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "OAuthState" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "stateHash" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Touchpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "ttclid" TEXT NOT NULL,
    "capturedAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "landingPath" TEXT,
    "utmSource" TEXT,
    "utmMedium" TEXT,
    "utmCampaign" TEXT,
    "utmContent" TEXT,
    "utmTerm" TEXT,
    "campaignId" TEXT,
    "adgroupId" TEXT,
    "adId" TEXT
);

-- CreateTable
CREATE TABLE "OrderRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "orderName" TEXT,
    "orderCreatedAt" DATETIME NOT NULL,
    "currency" TEXT NOT NULL,
    "presentmentCurrency" TEXT,
    "totalValue" DECIMAL NOT NULL,
    "refundedValue" DECIMAL NOT NULL DEFAULT 0,
    "customerId" TEXT,
    "emailHash" TEXT,
    "phoneHash" TEXT,
    "visitorId" TEXT,
    "ttclid" TEXT,
    "ttp" TEXT,
    "attributionSource" TEXT,
    "campaignId" TEXT,
    "matchKeys" TEXT NOT NULL DEFAULT '[]',
    "sendDecision" TEXT NOT NULL,
    "reason" TEXT,
    "sourceName" TEXT,
    "isTest" BOOLEAN NOT NULL DEFAULT false,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "OutboxEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "orderRecordId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "eventName" TEXT NOT NULL,
    "eventTime" DATETIME NOT NULL,
    "pixelCode" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "lastErrorClass" TEXT,
    "tiktokRequestId" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "OutboxEvent_orderRecordId_fkey" FOREIGN KEY ("orderRecordId") REFERENCES "OrderRecord" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RejectedWebhook" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "webhookId" TEXT,
    "reason" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SpendRow" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "advertiserId" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "campaignId" TEXT,
    "name" TEXT,
    "date" TEXT NOT NULL,
    "spend" DECIMAL NOT NULL,
    "impressions" INTEGER NOT NULL,
    "clicks" INTEGER NOT NULL,
    "conversions" INTEGER,
    "conversionValue" DECIMAL,
    "currency" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "slot" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "windowsTotal" INTEGER NOT NULL DEFAULT 0,
    "windowsDone" INTEGER NOT NULL DEFAULT 0,
    "requestsMade" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "error" TEXT,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "TikTokConnection_shop_key" ON "TikTokConnection"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthState_stateHash_key" ON "OAuthState"("stateHash");

-- CreateIndex
CREATE INDEX "OAuthState_shop_idx" ON "OAuthState"("shop");

-- CreateIndex
CREATE INDEX "Touchpoint_shop_visitorId_capturedAt_idx" ON "Touchpoint"("shop", "visitorId", "capturedAt");

-- CreateIndex
CREATE INDEX "Touchpoint_shop_capturedAt_idx" ON "Touchpoint"("shop", "capturedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Touchpoint_shop_visitorId_ttclid_key" ON "Touchpoint"("shop", "visitorId", "ttclid");

-- CreateIndex
CREATE INDEX "OrderRecord_shop_orderCreatedAt_idx" ON "OrderRecord"("shop", "orderCreatedAt");

-- CreateIndex
CREATE INDEX "OrderRecord_shop_customerId_idx" ON "OrderRecord"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "OrderRecord_shop_orderId_key" ON "OrderRecord"("shop", "orderId");

-- CreateIndex
CREATE UNIQUE INDEX "OutboxEvent_orderRecordId_key" ON "OutboxEvent"("orderRecordId");

-- CreateIndex
CREATE INDEX "OutboxEvent_status_nextAttemptAt_idx" ON "OutboxEvent"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxEvent_shop_status_idx" ON "OutboxEvent"("shop", "status");

-- CreateIndex
CREATE INDEX "RejectedWebhook_shop_receivedAt_idx" ON "RejectedWebhook"("shop", "receivedAt");

-- CreateIndex
CREATE INDEX "SpendRow_shop_date_idx" ON "SpendRow"("shop", "date");

-- CreateIndex
CREATE UNIQUE INDEX "SpendRow_shop_level_entityId_date_key" ON "SpendRow"("shop", "level", "entityId", "date");

-- CreateIndex
CREATE INDEX "SyncRun_status_nextAttemptAt_idx" ON "SyncRun"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "SyncRun_shop_createdAt_idx" ON "SyncRun"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SyncRun_shop_slot_key" ON "SyncRun"("shop", "slot");
