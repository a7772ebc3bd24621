-- A TikTok grant waits for the merchant's confirmation inside the admin (ADR 0014, issue 27 M4).
ALTER TABLE "OAuthState" ADD COLUMN "grantEnc" TEXT;
ALTER TABLE "OAuthState" ADD COLUMN "grantedAdvertisers" TEXT;
ALTER TABLE "OAuthState" ADD COLUMN "confirmHash" TEXT;
ALTER TABLE "OAuthState" ADD COLUMN "grantedAt" DATETIME;
ALTER TABLE "OAuthState" ADD COLUMN "settledAt" DATETIME;

-- CreateIndex
CREATE UNIQUE INDEX "OAuthState_confirmHash_key" ON "OAuthState"("confirmHash");
