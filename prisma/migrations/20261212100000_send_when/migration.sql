-- When a purchase is sent: at checkout, or once Shopify says the order is paid (ADR 0023).
ALTER TABLE "TikTokConnection" ADD COLUMN "sendWhen" TEXT NOT NULL DEFAULT 'checkout';
