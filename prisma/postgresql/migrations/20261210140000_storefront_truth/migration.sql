-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "embedStatus" TEXT,
ADD COLUMN     "embedCheckedAt" TIMESTAMP(3),
ADD COLUMN     "embedCheckError" TEXT,
ADD COLUMN     "storefrontPixels" TEXT;
