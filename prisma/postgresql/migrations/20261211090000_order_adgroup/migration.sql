-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN "adgroupId" TEXT;
