-- TikTok's own purchase count and value per day, and their view-through parts (ADR 0008), null = not reported.
ALTER TABLE "SpendRow" ADD COLUMN "purchases" INTEGER;
ALTER TABLE "SpendRow" ADD COLUMN "purchaseValue" DECIMAL(65,30);
ALTER TABLE "SpendRow" ADD COLUMN "viewPurchases" INTEGER;
ALTER TABLE "SpendRow" ADD COLUMN "viewPurchaseValue" DECIMAL(65,30);
