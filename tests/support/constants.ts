// Fictional test identities. Secrets are random per run so nothing depends on a known value.
import { randomBytes } from "node:crypto";

export const TEST_SHOP = "alpha-test.myshopify.com";
export const OTHER_SHOP = "beta-test.myshopify.com";

export function testSecrets() {
  return {
    SHOPIFY_API_KEY: "test-api-key",
    SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET ?? randomBytes(16).toString("hex"),
    TIKTOK_APP_ID: "7000000000000000001",
    TIKTOK_APP_SECRET: process.env.TIKTOK_APP_SECRET ?? randomBytes(16).toString("hex"),
    TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY ?? randomBytes(32).toString("base64"),
    CRON_SECRET: process.env.CRON_SECRET ?? randomBytes(16).toString("hex"),
  };
}
