import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";
import { claimProxySignature, isKnownShop } from "~/core/attribution/touchpoints.server";
import { MAX_CHECKOUT_BYTES, parseCheckoutBody, recordPixelBeacon, storeOrderLink } from "~/core/attribution/order-links.server";
import { isPixelRequest, PIXEL_CORS, pixelShop, signedShop } from "~/core/attribution/storefront-request.server";
import { createRateLimiter } from "~/core/lib/rate-limit.server";
import { declaredTooLarge, readTextCapped } from "~/core/lib/read-body.server";
import { proxyClientIp } from "~/core/lib/proxy-client.server";
import { attributeLateLink } from "~/features/events/late-link.server";

// The checkout beacon (issue 13, docs/decisions/0019): {order_id, visitor_id, ttclid?, ttclid_at?, ttp?}.
// Storefront → Shopify app proxy (/apps/ttads/checkout) → here, signed; or the web pixel → here
// directly (/proxy/checkout?shop=&t=) with CORS. One checkout is one beacon: a visitor places few
// orders a minute, and a shop's checkouts per minute are bounded too (the pixel's token is public).
const perVisitor = createRateLimiter({ limit: 10, windowMs: 60_000 });
const perShop = createRateLimiter({ limit: 600, windowMs: 60_000 });

const answer = (status: number, message: string, cors: boolean) =>
  new Response(JSON.stringify(status < 300 ? { ok: true } : { error: message }), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...(cors ? PIXEL_CORS : {}) },
  });

export const loader = () => answer(405, "Use POST", false);

export const action = async ({ request }: ActionFunctionArgs) => {
  const url = new URL(request.url);
  const pixel = isPixelRequest(url);
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: PIXEL_CORS });
  if (request.method !== "POST") return answer(405, "Use POST", pixel);
  if (declaredTooLarge(request, MAX_CHECKOUT_BYTES)) return answer(413, `Body larger than ${MAX_CHECKOUT_BYTES} bytes`, pixel);

  let shop: string | null;
  if (pixel) {
    shop = await pixelShop(url);
    if (!shop) return answer(403, "Unknown pixel token for this shop", true);
  } else {
    shop = signedShop(url);
    if (!shop) return answer(400, "Not a request signed by Shopify's app proxy", false);
    await authenticate.public.appProxy(request);
  }
  if (!perShop.hit(shop) || !perVisitor.hit(`${shop}|${proxyClientIp(request)}`)) return answer(429, "Too many checkouts reported; try later", pixel);

  const body = await readTextCapped(request, MAX_CHECKOUT_BYTES);
  if (body === null) return answer(413, `Body larger than ${MAX_CHECKOUT_BYTES} bytes`, pixel);
  const parsed = parseCheckoutBody(body);
  if (!parsed.ok) return answer(parsed.status, parsed.error, pixel);
  if (!(await isKnownShop(shop))) return answer(404, "This shop has not installed the app", pixel);
  if (!pixel) {
    // As for touchpoints: a signature (with its nonce) carries one body; without a nonce it is keyed per order.
    const replayKey = url.searchParams.get("n") ? url.searchParams.get("signature")! : `${url.searchParams.get("signature")}|${parsed.beacon.order_id}`;
    if (!(await claimProxySignature(shop, replayKey, body))) return answer(409, "This signed request was already used with another body", false);
  }
  const stored = await storeOrderLink(shop, parsed.beacon);
  if (stored === "capped") return answer(429, "This shop's daily limit of checkout reports is reached; not recorded", pixel);
  if (pixel) await recordPixelBeacon(shop);
  // The order may already be here, recorded as not attributed: decide it again with the link.
  if (stored === "stored") await attributeLateLink(shop, parsed.beacon.order_id);
  return answer(202, stored, pixel);
};
