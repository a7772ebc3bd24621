-- The spend sync's share of TikTok's app-wide quota, counted per second (ADR 0016).
CREATE TABLE "ReportQuotaSecond" (
    "second" BIGINT NOT NULL,
    "used" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "ReportQuotaSecond_pkey" PRIMARY KEY ("second")
);
