-- AlterTable
ALTER TABLE "OAuthState" ADD COLUMN     "startedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ProcessedWebhook" (
    "webhookId" TEXT NOT NULL,
    "eventId" TEXT,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "processedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedWebhook_pkey" PRIMARY KEY ("webhookId")
);

-- CreateTable
CREATE TABLE "ProxySignature" (
    "signature" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProxySignature_pkey" PRIMARY KEY ("signature")
);

-- CreateTable
CREATE TABLE "TouchpointDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "capReachedAt" TIMESTAMP(3),

    CONSTRAINT "TouchpointDay_pkey" PRIMARY KEY ("shop","day")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProcessedWebhook_eventId_key" ON "ProcessedWebhook"("eventId");

-- CreateIndex
CREATE INDEX "ProxySignature_expiresAt_idx" ON "ProxySignature"("expiresAt");

