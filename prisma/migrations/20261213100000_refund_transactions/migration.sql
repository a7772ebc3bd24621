-- Refund transactions, so a refund counts when created and stops when its money fails to go back (ADR 0024).
CREATE TABLE "RefundTransaction" (
    "shop" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    "refundId" TEXT,
    "orderId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "amount" DECIMAL NOT NULL,
    "currency" TEXT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "transactionId")
);

CREATE INDEX "RefundTransaction_shop_refundId_idx" ON "RefundTransaction"("shop", "refundId");

CREATE INDEX "RefundTransaction_shop_orderId_idx" ON "RefundTransaction"("shop", "orderId");
