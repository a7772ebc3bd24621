// The one door for storefront requests, as receiveWebhook (core/webhook.server.ts) is for webhooks.
// Two ways in (docs/decisions/0019):
//   - the app proxy (/apps/ttads/...): Shopify signs the query; the theme embed uses it;
//   - the app's own URL with CORS (/proxy/...?shop=&t=): the web pixel, whose strict sandbox runs in
//     a worker whose origin is not the shop's. `t` is the shop's public pixel token: it says which
//     shop the pixel runs on, nothing more, so what comes this way gets the same schema, limits,
//     caps and idempotency as the proxy, and can only ever add a click or an order link.
// Order of checks: method, declared size, who sent it (signature or token), rate limits, the body
// read with its cap, the schema, the shop installed, and a proxy signature never reused with
// another body. Every refusal is a Response thrown before anything is written.
import { authenticate } from "~/core/shopify.server";
import { claimProxySignature, isKnownShop } from "~/core/attribution/touchpoints.server";
import { recordPixelBeacon, shopForPixelToken } from "~/core/attribution/order-links.server";
import { createRateLimiter } from "~/core/lib/rate-limit.server";
import { bodyRefusalStatus, declaredTooLarge, readTextCapped } from "~/core/lib/read-body.server";
import { clientAddress, senderKey } from "~/core/lib/client-address.server";
import type { AppLoadContext } from "@remix-run/node";

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const SIGNED_KEYS = ["shop", "signature", "timestamp"];

/**
 * The signature check reads the last value of a repeated key and URLSearchParams.get the first, so
 * a repeated shop could be signed for one shop and stored under another: Shopify sends each once.
 * A malformed shop would make the library throw (a 500) after the signature check, and a timestamp
 * that is not an integer would make its signature valid for ever.
 */
function signedShop(url: URL): string | null {
  if (SIGNED_KEYS.some((k) => url.searchParams.getAll(k).length !== 1)) return null;
  // The library's 90 s expiry compares the timestamp as a number: "abc" or "" never expires.
  if (!/^\d{1,12}$/.test(url.searchParams.get("timestamp")!)) return null;
  const shop = url.searchParams.get("shop")!;
  return SHOP_DOMAIN.test(shop) ? shop : null;
}

/** A request from the web pixel: a token and no proxy signature. */
const isPixelRequest = (url: URL) => !url.searchParams.has("signature") && url.searchParams.has("t");

/** The shop of a pixel request, when its token is that shop's current pixel token; else null. */
async function pixelShop(url: URL): Promise<string | null> {
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
const PIXEL_CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type",
  "Access-Control-Max-Age": "86400",
} as const;

type Via = "app_proxy" | "web_pixel";
type Refusal = { ok: false; status: number; error: string };
type Limit = { limit: number; windowMs: number; message: string };

type IntakeSpec<T extends { ok: true }> = {
  maxBytes: number;
  /** The body's schema: what was accepted, or why not (400, 413, 422). */
  parse: (raw: string) => T | Refusal;
  /** Per shop and client address, whichever way the request came. */
  perVisitor: Limit;
  /** Per shop, whatever addresses a sender claims; `via` limits it to one way in. */
  perShop: Limit & { via?: Via };
  /**
   * The embed signs a fresh nonce (n) into every request, so its signature is single-body. A request
   * without one (an older embed) shares its signature with anyone in the same second: it is keyed per
   * this part of the body (a visitor, an order) instead.
   */
  replayScope: (body: T) => string;
};

type StorefrontRequest<T> = {
  shop: string;
  via: Via;
  body: T;
  /** Who sent it, as the limits count senders: the visitor's address on this path, IPv6 by /64. */
  sender: string;
  /** The JSON answer, with CORS for the pixel. */
  reply: (status: number, message: string) => Response;
};

const json = (status: number, message: string, cors: boolean) =>
  new Response(JSON.stringify(status < 300 ? { ok: true } : { error: message }), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...(cors ? PIXEL_CORS : {}) },
  });

type Intake<T extends { ok: true }> = {
  spec: IntakeSpec<T>;
  perVisitor: ReturnType<typeof createRateLimiter>;
  perShop: ReturnType<typeof createRateLimiter>;
  /**
   * The route's loader: Remix hands it OPTIONS (its action gets POST and the other writes), so the web
   * pixel's preflight is answered here with 204 and the pixel's CORS headers; GET and the like get 405.
   */
  loader: (args: { request: Request }) => Response;
};

/** A storefront route's rules, made once per route module so its rate limits live as long as it does. */
export function defineStorefrontIntake<T extends { ok: true }>(spec: IntakeSpec<T>): Intake<T> {
  return {
    spec,
    perVisitor: createRateLimiter({ limit: spec.perVisitor.limit, windowMs: spec.perVisitor.windowMs }),
    perShop: createRateLimiter({ limit: spec.perShop.limit, windowMs: spec.perShop.windowMs }),
    loader: ({ request }) => (request.method === "OPTIONS" ? new Response(null, { status: 204, headers: PIXEL_CORS }) : json(405, "Use POST", false)),
  };
}

/** Reads and checks one storefront request; throws the refusal's Response (a preflight never reaches it: the loader answers OPTIONS). */
export async function receiveStorefrontRequest<T extends { ok: true }>(request: Request, intake: Intake<T>, context?: AppLoadContext): Promise<StorefrontRequest<T>> {
  const { spec, perVisitor, perShop } = intake;
  const tooLarge = `Body larger than ${spec.maxBytes} bytes`;
  const url = new URL(request.url);
  const via: Via = isPixelRequest(url) ? "web_pixel" : "app_proxy";
  const reply = (status: number, message: string) => json(status, message, via === "web_pixel");
  const refuse = (status: number, message: string): never => {
    throw reply(status, message);
  };
  if (request.method !== "POST") refuse(405, "Use POST");
  if (declaredTooLarge(request, spec.maxBytes)) refuse(413, tooLarge);

  let shop: string | null;
  if (via === "web_pixel") {
    shop = await pixelShop(url);
    if (!shop) return refuse(403, "Unknown pixel token for this shop");
  } else {
    shop = signedShop(url);
    if (!shop) return refuse(400, "Not a request signed by Shopify's app proxy");
    await authenticate.public.appProxy(request);
  }
  if ((spec.perShop.via ?? via) === via && !perShop.hit(shop)) refuse(429, spec.perShop.message);
  const sender = senderKey(clientAddress(request, via, context?.peerAddress));
  if (!perVisitor.hit(`${shop}|${sender}`)) refuse(429, spec.perVisitor.message);

  const read = await readTextCapped(request, spec.maxBytes);
  if ("refused" in read) return refuse(bodyRefusalStatus(read.refused), read.refused === "busy" ? "Too many request bytes in flight; retry later" : tooLarge);
  const raw = read.text;
  const parsed = spec.parse(raw);
  if (!parsed.ok) return refuse(parsed.status, parsed.error);
  if (!(await isKnownShop(shop))) refuse(404, "This shop has not installed the app");
  if (via === "app_proxy") {
    const signature = url.searchParams.get("signature")!;
    const replayKey = url.searchParams.get("n") ? signature : `${signature}|${spec.replayScope(parsed)}`;
    if (!(await claimProxySignature(shop, replayKey, raw))) {
      console.warn(`storefront ${url.pathname} ${shop}: refused a signature replayed with another body`);
      refuse(409, "This signed request was already used with another body");
    }
  } else {
    // The pixel ran on this shop's storefront: what Home's web pixel card reports.
    await recordPixelBeacon(shop);
  }
  return { shop, via, body: parsed, sender, reply };
}
