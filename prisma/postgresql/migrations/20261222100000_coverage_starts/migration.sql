-- When the app was first connected to each ad account: kept through pixel changes and reconnects.
ALTER TABLE "TikTokConnection" ADD COLUMN "coverageStarts" TEXT NOT NULL DEFAULT '{}';
-- An existing connection's account is covered from its connection (epoch ms, as the app writes them).
UPDATE "TikTokConnection"
SET "coverageStarts" = json_build_object("advertiserId", FLOOR(EXTRACT(EPOCH FROM "connectedAt") * 1000)::bigint)::text
WHERE "advertiserId" IS NOT NULL AND "connectedAt" IS NOT NULL;
