-- How long an event has been queued, and since when TikTok has failed: for the alert thresholds.
ALTER TABLE "OutboxEvent" ADD COLUMN "queuedAt" DATETIME;
ALTER TABLE "TikTokConnection" ADD COLUMN "retryingSince" DATETIME;
-- Rows already queued: their last change is the nearest known time they were queued (never earlier, so no false alert).
UPDATE "OutboxEvent" SET "queuedAt" = "updatedAt" WHERE "status" = 'queued';
