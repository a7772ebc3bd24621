-- Limited Data Use: send a buyer who opted out of the sale of data with limited_data_use (ADR 0023), off by default.
ALTER TABLE "TikTokConnection" ADD COLUMN "limitedDataUse" BOOLEAN NOT NULL DEFAULT false;
-- A browser pixel the embed cannot see reports purchases to the selected pixel: the dedup horizon applies (ADR 0023).
ALTER TABLE "TikTokConnection" ADD COLUMN "browserPixelReportsPurchases" BOOLEAN NOT NULL DEFAULT false;
