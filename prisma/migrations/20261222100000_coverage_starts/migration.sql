-- When the app was first connected to each ad account: kept through pixel changes and reconnects.
ALTER TABLE "TikTokConnection" ADD COLUMN "coverageStarts" TEXT NOT NULL DEFAULT '{}';
-- An existing connection's account is covered from its connection (Prisma keeps SQLite dates as epoch ms, older rows as text).
UPDATE "TikTokConnection"
SET "coverageStarts" = json_object(
  "advertiserId",
  CASE WHEN typeof("connectedAt") IN ('integer', 'real') THEN CAST("connectedAt" AS INTEGER)
       ELSE CAST(ROUND((julianday("connectedAt") - 2440587.5) * 86400000) AS INTEGER) END
)
WHERE "advertiserId" IS NOT NULL AND "connectedAt" IS NOT NULL;
