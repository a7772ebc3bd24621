-- AlterTable
ALTER TABLE "TikTokConnection" ADD COLUMN     "deliveryProblem" TEXT,
ADD COLUMN     "deliveryProblemAt" TIMESTAMP(3);
