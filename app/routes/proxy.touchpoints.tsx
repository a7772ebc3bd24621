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

// Storefront → Shopify app proxy (/apps/ttads/touchpoints) → here, signed by Shopify. Two bodies: a
// touchpoint (a new TikTok click) or the embed's daily heartbeat (it ran; the TikTok pixel codes it saw).
const limiter = createRateLimiter({ limit: 30, windowMs: 60_000 });

const answer = (status: number, message: string) =>
  new Response(JSON.stringify(status < 300 ? { ok: true } : { error: message }), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });

export const loader = () => answer(405, "Use POST");

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const SIGNED_KEYS = ["shop", "signature", "timestamp"];

/**
 * The signature check reads the last value of a repeated key and URLSearchParams.get the first, so
 * a repeated shop could be signed for one shop and stored under another: Shopify sends each once.
 * A malformed shop would make the library throw (a 500) after the signature check.
 */
function signedShop(url: URL): string | null {
  if (SIGNED_KEYS.some((k) => url.searchParams.getAll(k).length !== 1)) return null;
  const shop = url.searchParams.get("shop")!;
  return SHOP_DOMAIN.test(shop) ? shop : null;
}

export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return answer(405, "Use POST");
  if (declaredTooLarge(request, MAX_TOUCHPOINT_BYTES)) return answer(413, `Body larger than ${MAX_TOUCHPOINT_BYTES} bytes`);
  const url = new URL(request.url);
  const shop = signedShop(url);
  if (!shop) return answer(400, "Not a request signed by Shopify's app proxy");
  await authenticate.public.appProxy(request);

  if (!limiter.hit(`${shop}|${proxyClientIp(request)}`)) return answer(429, "Too many touchpoints from this visitor; try later");

  const body = await readTextCapped(request, MAX_TOUCHPOINT_BYTES);
  if (body === null) return answer(413, `Body larger than ${MAX_TOUCHPOINT_BYTES} bytes`);
  const parsed = parseTouchpointBody(body);
  if (!parsed.ok) return answer(parsed.status, parsed.error);
  if (!(await isKnownShop(shop))) return answer(404, "This shop has not installed the app");
  // The embed signs a fresh nonce (n) into every request, so its signature is single-body. A request
  // without one (an older embed) shares its signature with any visitor in the same second: keyed per visitor.
  const perVisitor = parsed.kind === "touchpoint" ? parsed.touchpoint.visitor_id : "heartbeat";
  const replayKey = url.searchParams.get("n") ? url.searchParams.get("signature")! : `${url.searchParams.get("signature")}|${perVisitor}`;
  if (!(await claimProxySignature(shop, replayKey, body))) {
    console.warn(`proxy touchpoints ${shop}: refused a signature replayed with another body`);
    return answer(409, "This signed request was already used with another body");
  }
  if (parsed.kind === "heartbeat") {
    await recordHeartbeat(shop, parsed.pixels);
    return answer(202, "recorded");
  }
  const stored = await storeTouchpoint(shop, parsed.touchpoint);
  if (stored === "capped") return answer(429, "This shop's daily limit of storefront clicks is reached; not recorded");
  return answer(202, "stored");
};
