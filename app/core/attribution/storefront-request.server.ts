// Who sent a storefront request, for the two storefront routes (proxy.touchpoints, proxy.checkout).
// Two ways in (docs/decisions/0019):
//   - the app proxy (/apps/ttads/...): Shopify signs the query; the theme embed uses it;
//   - the app's own URL with CORS (/proxy/...?shop=&t=): the web pixel, whose strict sandbox runs in
//     a worker whose origin is not the shop's. `t` is the shop's public pixel token: it says which
//     shop the pixel runs on, nothing more, so what comes this way gets the same schema, limits,
//     caps and idempotency as the proxy, and can only ever add a click or an order link.
import { shopForPixelToken } from "./order-links.server";

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const SIGNED_KEYS = ["shop", "signature", "timestamp"];

/**
 * The signature check reads the last value of a repeated key and URLSearchParams.get the first, so
 * a repeated shop could be signed for one shop and stored under another: Shopify sends each once.
 * A malformed shop would make the library throw (a 500) after the signature check.
 */
export function signedShop(url: URL): string | null {
  if (SIGNED_KEYS.some((k) => url.searchParams.getAll(k).length !== 1)) return null;
  const shop = url.searchParams.get("shop")!;
  return SHOP_DOMAIN.test(shop) ? shop : null;
}

/** A request from the web pixel: a token and no proxy signature. */
export const isPixelRequest = (url: URL) => !url.searchParams.has("signature") && url.searchParams.has("t");

/** The shop of a pixel request, when its token is that shop's current pixel token; else null. */
export async function pixelShop(url: URL): Promise<string | null> {
  if (["shop", "t"].some((k) => url.searchParams.getAll(k).length !== 1)) return null;
  const shop = url.searchParams.get("shop")!;
  if (!SHOP_DOMAIN.test(shop)) return null;
  return (await shopForPixelToken(url.searchParams.get("t")!)) === shop ? shop : null;
}

/**
 * CORS for the pixel: any origin (the sandbox's origin is Shopify's, not fixed), no credentials.
 * The pixel posts text/plain, a "simple" request, so browsers send no preflight; OPTIONS is answered
 * anyway for clients that do.
 */
export const PIXEL_CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "86400",
} as const;
