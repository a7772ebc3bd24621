// Builders for real signed Shopify requests, sent straight to route modules (loader/action)
// so they pass through the real authenticate.* code.
import { randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-app-remix/server";
import {
  embeddedQuery,
  sessionToken,
  signAppProxyQuery,
  webhookHeaders,
} from "~/features/demo/shopify-double.server";

export const APP_URL = "https://app.example.com";
const keys = () => ({ apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET! });

export async function seedOfflineSession(shop: string) {
  const { sessionStorage } = await import("~/core/shopify.server");
  const { recordInstall } = await import("~/core/models/shop.server");
  await sessionStorage.storeSession(
    new Session({
      id: `offline_${shop}`,
      shop,
      state: "installed",
      isOnline: false,
      scope: "read_orders,read_themes,write_app_proxy,write_pixels,read_customer_events,read_pixels",
      accessToken: "shpat_test_offline_token",
    }),
  );
  await recordInstall(shop);
}

export function webhookRequest(opts: {
  topic: string;
  shop: string;
  payload: unknown;
  rawBody?: string;
  secret?: string;
  path?: string;
  webhookId?: string;
  eventId?: string;
}) {
  const rawBody = opts.rawBody ?? JSON.stringify(opts.payload);
  const headers = webhookHeaders({
    topic: opts.topic,
    shop: opts.shop,
    rawBody,
    secret: opts.secret ?? process.env.SHOPIFY_API_SECRET!,
    webhookId: opts.webhookId,
    eventId: opts.eventId,
  });
  return new Request(`${APP_URL}${opts.path ?? `/webhooks/${opts.topic}`}`, { method: "POST", headers, body: rawBody });
}

/** A data request from the embedded app: App Bridge adds the session token as a bearer header. */
export function adminRequest(path: string, opts: { shop: string; method?: string; form?: Record<string, string>; token?: string }) {
  const headers = new Headers({
    Authorization: `Bearer ${opts.token ?? sessionToken({ ...keys(), shop: opts.shop })}`,
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36",
  });
  const init: RequestInit = { method: opts.method ?? "GET", headers };
  if (opts.form) {
    headers.set("Content-Type", "application/x-www-form-urlencoded");
    init.body = new URLSearchParams(opts.form).toString();
    init.method = opts.method ?? "POST";
  }
  return new Request(`${APP_URL}${path}`, init);
}

/** The first page load inside Shopify admin: token and shop in the query string. */
export function adminDocumentRequest(path: string, opts: { shop: string }) {
  const sep = path.includes("?") ? "&" : "?";
  return new Request(`${APP_URL}${path}${sep}${embeddedQuery({ ...keys(), shop: opts.shop })}`, {
    headers: { "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36" },
  });
}

export function appProxyRequest(opts: {
  shop: string;
  path?: string;
  query?: Record<string, string>;
  body?: string;
  secret?: string;
  ip?: string;
  /** X-Forwarded-For as it arrives: what the client sent, then Shopify's hop. */
  forwardedFor?: string;
}) {
  // The storefront embed signs a fresh nonce into every request (extensions/tiktok-capture).
  const qs = signAppProxyQuery(opts.query ?? { n: randomBytes(16).toString("base64url").slice(0, 22) }, { shop: opts.shop, secret: opts.secret ?? process.env.SHOPIFY_API_SECRET! });
  return new Request(`${APP_URL}${opts.path ?? "/proxy/touchpoints"}?${qs}`, {
    method: opts.body === undefined ? "GET" : "POST",
    headers: { "Content-Type": "text/plain", "X-Forwarded-For": opts.forwardedFor ?? opts.ip ?? "198.51.100.7" },
    body: opts.body,
  });
}

/** Runs a loader/action and returns the Response, whether it was returned or thrown. */
export async function call(fn: (args: any) => unknown, request: Request, params: Record<string, string> = {}) {
  try {
    const result = await fn({ request, params, context: {} });
    if (result instanceof Response) return result;
    return new Response(JSON.stringify(result), { status: 200, headers: { "Content-Type": "application/json" } });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
