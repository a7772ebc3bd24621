-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "embedStatus" TEXT;
ALTER TABLE "Shop" ADD COLUMN "embedCheckedAt" DATETIME;
ALTER TABLE "Shop" ADD COLUMN "embedCheckError" TEXT;
ALTER TABLE "Shop" ADD COLUMN "storefrontPixels" TEXT;
