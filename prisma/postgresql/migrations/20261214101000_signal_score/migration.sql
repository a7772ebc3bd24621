-- The signal-health score per shop and day (issue 25, docs/decisions/0025-alerts.md).
-- CreateTable
CREATE TABLE "SignalScoreDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "score" INTEGER NOT NULL,
    "events" INTEGER NOT NULL,
    "coverage" TEXT NOT NULL,
    "embedSeen" BOOLEAN NOT NULL DEFAULT false,
    "computedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignalScoreDay_pkey" PRIMARY KEY ("shop","day")
);

-- CreateIndex
CREATE INDEX "SignalScoreDay_day_idx" ON "SignalScoreDay"("day");
