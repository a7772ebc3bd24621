-- Email alerts (issue 25, docs/decisions/0025-alerts.md).
-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "contactEmail" TEXT;

-- CreateTable
CREATE TABLE "Incident" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "openKind" TEXT,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME
);

-- CreateTable
CREATE TABLE "AlertEmail" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "incidentId" TEXT NOT NULL,
    "phase" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "lastError" TEXT,
    "recipient" TEXT,
    "smtpResponse" TEXT,
    "sentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AlertSetting" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Incident_shop_startedAt_idx" ON "Incident"("shop", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Incident_shop_openKind_key" ON "Incident"("shop", "openKind");

-- CreateIndex
CREATE INDEX "AlertEmail_status_nextAttemptAt_idx" ON "AlertEmail"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "AlertEmail_shop_createdAt_idx" ON "AlertEmail"("shop", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AlertEmail_incidentId_phase_key" ON "AlertEmail"("incidentId", "phase");
