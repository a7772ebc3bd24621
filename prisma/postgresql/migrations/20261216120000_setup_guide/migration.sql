-- When the merchant dismissed Home's setup guide (issue 26).
ALTER TABLE "Shop" ADD COLUMN "setupGuideDismissedAt" TIMESTAMP(3);
