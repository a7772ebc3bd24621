// Signs requests the way Shopify signs them (webhook HMAC, admin session tokens, app proxy
// signatures). Used by the tests, the demo script and the demo panel to play Shopify's part;
// the app verifies every one of them through the real authenticate.* code.
import { createHmac, randomUUID } from "node:crypto";

type ShopifyKeys = { apiKey: string; apiSecret: string };

function webhookHmac(rawBody: string, secret: string) {
  return createHmac("sha256", secret).update(rawBody, "utf8").digest("base64");
}

export function webhookHeaders(opts: {
  topic: string;
  shop: string;
  rawBody: string;
  secret: string;
  apiVersion?: string;
  webhookId?: string;
  eventId?: string;
}): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": opts.topic,
    "X-Shopify-Shop-Domain": opts.shop,
    "X-Shopify-API-Version": opts.apiVersion ?? "2026-10",
    "X-Shopify-Webhook-Id": opts.webhookId ?? randomUUID(),
    "X-Shopify-Event-Id": opts.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
    "X-Shopify-Hmac-Sha256": webhookHmac(opts.rawBody, opts.secret),
  };
}

const b64url = (input: Buffer | string) => Buffer.from(input).toString("base64url");

/** An HS256 session token as Shopify admin issues it to an embedded app. */
export function sessionToken(opts: ShopifyKeys & { shop: string; ttlSeconds?: number; userId?: string }) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      iss: `https://${opts.shop}/admin`,
      dest: `https://${opts.shop}`,
      aud: opts.apiKey,
      sub: opts.userId ?? "42",
      exp: now + (opts.ttlSeconds ?? 60),
      nbf: now - 5,
      iat: now - 5,
      jti: randomUUID(),
      sid: randomUUID(),
    }),
  );
  const signature = createHmac("sha256", opts.apiSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** The `host` parameter Shopify admin adds: base64 of the admin path for the store. */
function adminHost(shop: string) {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
}

/** Query string of a document request as Shopify admin makes it when it loads an embedded page. */
export function embeddedQuery(opts: ShopifyKeys & { shop: string; ttlSeconds?: number }) {
  return new URLSearchParams({
    embedded: "1",
    shop: opts.shop,
    host: adminHost(opts.shop),
    id_token: sessionToken(opts),
  }).toString();
}

/** Adds shop, timestamp, path_prefix and signature as Shopify's app proxy does. */
export function signAppProxyQuery(
  params: Record<string, string>,
  opts: { shop: string; secret: string; pathPrefix?: string; timestamp?: number },
) {
  const all: Record<string, string> = {
    ...params,
    shop: opts.shop,
    logged_in_customer_id: "",
    path_prefix: opts.pathPrefix ?? "/apps/ttads",
    timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
  };
  const message = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join("");
  const signature = createHmac("sha256", opts.secret).update(message).digest("hex");
  return new URLSearchParams({ ...all, signature }).toString();
}
