-- AlterTable
ALTER TABLE "TikTokConnection" ADD COLUMN "deliveryProblem" TEXT;
ALTER TABLE "TikTokConnection" ADD COLUMN "deliveryProblemAt" DATETIME;
