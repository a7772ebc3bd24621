-- AlterTable
ALTER TABLE "OAuthState" ADD COLUMN "startedAt" DATETIME;

-- CreateTable
CREATE TABLE "ProcessedWebhook" (
    "webhookId" TEXT NOT NULL PRIMARY KEY,
    "eventId" TEXT,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "processedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ProxySignature" (
    "signature" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "TouchpointDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "capReachedAt" DATETIME,

    PRIMARY KEY ("shop", "day")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProcessedWebhook_eventId_key" ON "ProcessedWebhook"("eventId");

-- CreateIndex
CREATE INDEX "ProxySignature_expiresAt_idx" ON "ProxySignature"("expiresAt");

