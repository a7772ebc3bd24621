-- A checkout report per visitor: the key gains visitorId (SQLite rebuilds the table to change it).
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OrderLink" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "ttclid" TEXT,
    "ttclidAt" DATETIME,
    "ttp" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "orderId", "visitorId")
);
INSERT INTO "new_OrderLink" ("shop", "orderId", "visitorId", "ttclid", "ttclidAt", "ttp", "receivedAt")
SELECT "shop", "orderId", "visitorId", "ttclid", "ttclidAt", "ttp", "receivedAt" FROM "OrderLink";
DROP TABLE "OrderLink";
ALTER TABLE "new_OrderLink" RENAME TO "OrderLink";
CREATE INDEX "OrderLink_shop_receivedAt_idx" ON "OrderLink"("shop", "receivedAt");
PRAGMA foreign_keys=ON;
