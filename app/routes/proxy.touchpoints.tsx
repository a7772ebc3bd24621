import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";
import {
  claimProxySignature,
  isKnownShop,
  MAX_TOUCHPOINT_BYTES,
  parseTouchpointBody,
  recordHeartbeat,
  storeTouchpoint,
} from "~/core/attribution/touchpoints.server";
import { createRateLimiter } from "~/core/lib/rate-limit.server";
import { declaredTooLarge, readTextCapped } from "~/core/lib/read-body.server";
import { proxyClientIp } from "~/core/lib/proxy-client.server";
import { isPixelRequest, PIXEL_CORS, pixelShop, signedShop } from "~/core/attribution/storefront-request.server";
import { recordPixelBeacon } from "~/core/attribution/order-links.server";

// Storefront → Shopify app proxy (/apps/ttads/touchpoints) → here, signed by Shopify; or the web
// pixel → here directly (/proxy/touchpoints?shop=&t=) with CORS (docs/decisions/0019). Two bodies: a
// touchpoint (a new TikTok click) or the embed's daily heartbeat (it ran; the TikTok pixel codes it saw).
const limiter = createRateLimiter({ limit: 30, windowMs: 60_000 });
// The pixel's token is public: a shop-wide bound as well, whatever addresses a sender claims.
const pixelPerShop = createRateLimiter({ limit: 1_200, windowMs: 60_000 });

const reply = (status: number, message: string, cors = false) =>
  new Response(JSON.stringify(status < 300 ? { ok: true } : { error: message }), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...(cors ? PIXEL_CORS : {}) },
  });

export const loader = () => reply(405, "Use POST");

export const action = async ({ request }: ActionFunctionArgs) => {
  const url = new URL(request.url);
  const pixel = isPixelRequest(url);
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: PIXEL_CORS });
  const answer = (status: number, message: string) => reply(status, message, pixel);
  if (request.method !== "POST") return answer(405, "Use POST");
  if (declaredTooLarge(request, MAX_TOUCHPOINT_BYTES)) return answer(413, `Body larger than ${MAX_TOUCHPOINT_BYTES} bytes`);
  let shop: string | null;
  if (pixel) {
    shop = await pixelShop(url);
    if (!shop) return answer(403, "Unknown pixel token for this shop");
    if (!pixelPerShop.hit(shop)) return answer(429, "Too many touchpoints for this shop; try later");
  } else {
    shop = signedShop(url);
    if (!shop) return answer(400, "Not a request signed by Shopify's app proxy");
    await authenticate.public.appProxy(request);
  }

  if (!limiter.hit(`${shop}|${proxyClientIp(request)}`)) return answer(429, "Too many touchpoints from this visitor; try later");

  const body = await readTextCapped(request, MAX_TOUCHPOINT_BYTES);
  if (body === null) return answer(413, `Body larger than ${MAX_TOUCHPOINT_BYTES} bytes`);
  const parsed = parseTouchpointBody(body);
  if (!parsed.ok) return answer(parsed.status, parsed.error);
  if (!(await isKnownShop(shop))) return answer(404, "This shop has not installed the app");
  if (!pixel) {
    // The embed signs a fresh nonce (n) into every request, so its signature is single-body. A request
    // without one (an older embed) shares its signature with any visitor in the same second: keyed per visitor.
    const perVisitor = parsed.kind === "touchpoint" ? parsed.touchpoint.visitor_id : "heartbeat";
    const replayKey = url.searchParams.get("n") ? url.searchParams.get("signature")! : `${url.searchParams.get("signature")}|${perVisitor}`;
    if (!(await claimProxySignature(shop, replayKey, body))) {
      console.warn(`proxy touchpoints ${shop}: refused a signature replayed with another body`);
      return answer(409, "This signed request was already used with another body");
    }
  } else await recordPixelBeacon(shop);
  if (parsed.kind === "heartbeat") {
    // Only the theme embed sends heartbeats: it is what "seen on the storefront" means on Home.
    if (pixel) return answer(400, "The web pixel does not send heartbeats");
    await recordHeartbeat(shop, parsed.pixels);
    return answer(202, "recorded");
  }
  const stored = await storeTouchpoint(shop, parsed.touchpoint, new Date(), { fromEmbed: !pixel });
  if (stored === "capped") return answer(429, "This shop's daily limit of storefront clicks is reached; not recorded");
  return answer(202, "stored");
};
