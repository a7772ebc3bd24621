// Demo build only (imported by app/demo-routes/outside-admin.tsx): the app's Admin API requests,
// which Shopify's library sends to https://<shop>.myshopify.com/admin/api/..., go to the admin
// stand-in (SHOPIFY_ADMIN_URL) instead, unchanged: same path, body and access token header. The
// stand-in answers the calls the app makes (admin-double.server.ts).
import "@shopify/shopify-app-remix/adapters/node";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { env } from "~/core/env.server";

const SHOP_ADMIN_API = /^https:\/\/[a-z0-9][a-z0-9-]*\.myshopify\.com\/admin\/api\//;

if (env().DEMO_MODE) {
  const realFetch = globalThis.fetch;
  // The node adapter (imported above, so it has run) set the library's fetch; this wraps it.
  setAbstractFetchFunc((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!SHOP_ADMIN_API.test(url)) return realFetch(input, init);
    const { pathname, search, hostname } = new URL(url);
    const headers = new Headers(init?.headers);
    headers.set("X-Demo-Shop-Domain", hostname);
    return realFetch(`${env().SHOPIFY_ADMIN_URL}${pathname}${search}`, { ...init, headers });
  });
}
