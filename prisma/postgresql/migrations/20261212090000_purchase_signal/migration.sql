-- Which line item id is sent as content_id (ADR 0023).
ALTER TABLE "TikTokConnection" ADD COLUMN "contentIdType" TEXT NOT NULL DEFAULT 'variant';
