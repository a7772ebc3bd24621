import { authenticate } from "~/core/shopify.server";

/**
 * authenticate.webhook plus the raw body. The raw text keeps ids above 2^53 exact (the parsed
 * payload rounds them). A body that passes the HMAC check but is not JSON makes the library
 * throw a SyntaxError *after* verifying the signature: report it as `unparseable` so the route
 * can acknowledge it (Shopify would otherwise retry a body that can never parse).
 */
export async function authenticateWebhookWithRawBody(request: Request) {
  const rawBody = await request.clone().text();
  try {
    const { shop, topic, webhookId } = await authenticate.webhook(request);
    return { shop, topic, webhookId, rawBody, unparseable: false as const };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return {
      shop: request.headers.get("X-Shopify-Shop-Domain") ?? "unknown",
      topic: request.headers.get("X-Shopify-Topic") ?? "unknown",
      webhookId: request.headers.get("X-Shopify-Webhook-Id"),
      rawBody,
      unparseable: true as const,
    };
  }
}
