// Every webhook route goes through receiveWebhook: a size cap and the process's body budget before
// anything is read, Shopify's HMAC over the received bytes, the real authenticate.webhook check, then the checks the HMAC cannot give. Shopify's HMAC covers
// only the body, so a leaked signed body can be sent with any topic and shop header: the route's
// own topic is required, and where the body names a shop it must be the header's shop.
// Refusals write nothing and log why (topic, route, reason; never the body). See docs/decisions/0014.
import { createHmac, timingSafeEqual } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { env } from "./env.server";
import { authenticate } from "./shopify.server";
import { CLOSE_AFTER_REFUSAL, declaredTooLarge, readBody } from "./lib/read-body.server";
import { webhookShedder } from "./load-shed.server";

// Shopify documents no maximum webhook size; an orders/create with hundreds of line items is a
// few hundred KB. 5 MB leaves room for the largest orders while a flood of bodies cannot
// exhaust memory before the HMAC check.
export const WEBHOOK_MAX_BYTES = 5 * 1024 * 1024;

/** The body field that names the shop, per topic (absent from order payloads). */
type ShopField = "shop_domain" | "myshopify_domain" | null;

type ReceivedWebhook = {
  shop: string;
  topic: string;
  webhookId: string;
  eventId: string | null;
  rawBody: string;
  /** The parsed body, or null when it is not JSON (parse rawBody again where ids must stay exact). */
  body: unknown;
  /** With `shed`: call once the webhook is answered (it frees its place among those in flight). */
  release: () => void;
};

let quietSince = 0;
let quieted = 0;

function refuseWebhook(route: string, status: number, reason: string, close = false): never {
  // A flood of unsigned or surplus bodies is the sender's noise, not ours to log line by line: one
  // line a second at most, with the count of those left out.
  if (status !== 401 && status !== 503) console.warn(`webhook ${route} refused (${status}): ${reason}`);
  else if (Date.now() - quietSince >= 1_000) {
    console.warn(`webhook ${route} refused (${status}): ${reason}${quieted ? ` (and ${quieted} more 401/503 refusals in the last second)` : ""}`);
    quietSince = Date.now();
    quieted = 0;
  } else quieted++;
  throw new Response(reason, { status, headers: { "Content-Type": "text/plain", ...(close ? CLOSE_AFTER_REFUSAL : {}) } });
}

const normaliseTopic = (t: string) => t.trim().toLowerCase().replace(/_/g, "/");

/**
 * Reads, authenticates and checks a webhook delivery for `topic`. Throws a Response for every
 * refusal: 503 overloaded (with `shed`, before reading anything), 413 too large, 503 body budget spent,
 * 401 bad HMAC, 400 wrong topic, or a body naming another shop or missing the field that names it.
 */
export async function receiveWebhook(
  request: Request,
  opts: { topic: string; shopField: ShopField; maxBytes?: number; shed?: boolean },
): Promise<ReceivedWebhook> {
  if (!opts.shed) return receiveAdmitted(request, opts, () => {});
  // Before anything is read: a refusal here costs nothing and Shopify delivers again (load-shed.server.ts).
  const admission = webhookShedder.admit();
  if (!admission.admitted) {
    console.warn(`webhook ${opts.topic} refused (503): overloaded, ${admission.reason}`);
    throw new Response("Overloaded; retry later", { status: 503, headers: { "Content-Type": "text/plain", "Retry-After": String(admission.retryAfterS) } });
  }
  try {
    return await receiveAdmitted(request, opts, admission.release);
  } catch (error) {
    admission.release();
    throw error;
  }
}

async function receiveAdmitted(request: Request, opts: { topic: string; shopField: ShopField; maxBytes?: number }, release: () => void): Promise<ReceivedWebhook> {
  const route = opts.topic;
  const maxBytes = opts.maxBytes ?? WEBHOOK_MAX_BYTES;
  if (request.method !== "POST") refuseWebhook(route, 405, "Use POST");
  if (declaredTooLarge(request, maxBytes)) refuseWebhook(route, 413, `Declared body larger than ${maxBytes} bytes`, true);
  const held = await readBody(request, maxBytes);
  if (held === "too_large") refuseWebhook(route, 413, `Body larger than ${maxBytes} bytes`, true);
  if (held === "busy") refuseWebhook(route, 503, "Too many request bytes in flight; retry later", true);
  // The bytes count against the budget until the sender is known to be Shopify (or refused).
  try {
    // Shopify signs the bytes it sent: checked before anything is decoded or copied, so a body that is
    // not valid UTF-8 keeps its signature, and a stranger's body costs one HMAC and nothing more.
    if (!signedByShopify(held.chunks, request.headers.get("X-Shopify-Hmac-Sha256"))) refuseWebhook(route, 401, "Invalid HMAC");
    const bytes = held.bytes();
    const rawBody = bytes.toString("utf8");
    const headers = webhookHeaders(request, route, isUtf8(bytes) ? await authenticated(request, bytes) : null);

    const headerTopic = request.headers.get("X-Shopify-Topic") ?? "";
    if (normaliseTopic(headerTopic) !== normaliseTopic(opts.topic))
      refuseWebhook(route, 400, `Topic ${headerTopic.slice(0, 64) || "(none)"} is not accepted on the ${opts.topic} route`);

    let body: unknown = null;
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = null;
    }
    checkShopNamedInBody(route, headers.shop, body, opts.shopField);
    return { ...headers, topic: opts.topic, rawBody, body, release };
  } finally {
    held.release();
  }
}

type DeliveryHeaders = { shop: string; webhookId: string; eventId: string | null };

/** HMAC-SHA256 of the received bytes with the app secret, compared in constant time. */
function signedByShopify(chunks: Uint8Array[], header: string | null) {
  if (!header) return false;
  const hmac = createHmac("sha256", env().SHOPIFY_API_SECRET);
  for (const chunk of chunks) hmac.update(chunk);
  const expected = hmac.digest();
  const given = Buffer.from(header, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The real authenticate.webhook on the bytes already held (never the socket). It decodes the body
 * as UTF-8 before its own HMAC check, so it is only asked about bodies that decode losslessly.
 */
async function authenticated(request: Request, bytes: Buffer): Promise<DeliveryHeaders | null> {
  try {
    const ctx = await authenticate.webhook(new Request(request.url, { method: "POST", headers: request.headers, body: new Uint8Array(bytes) }));
    return { shop: ctx.shop, webhookId: ctx.webhookId, eventId: (ctx as { eventId?: string }).eventId ?? null };
  } catch (error) {
    // The library parses JSON only after the HMAC passed: a signed body that is not JSON.
    if (error instanceof SyntaxError) return null;
    throw error;
  }
}

/** What the library returned, or the delivery's headers as Shopify sent them (a signed body it could not parse). */
function webhookHeaders(request: Request, route: string, fromLibrary: DeliveryHeaders | null): DeliveryHeaders {
  if (fromLibrary) return fromLibrary;
  const shop = request.headers.get("X-Shopify-Shop-Domain") ?? "";
  const webhookId = request.headers.get("X-Shopify-Webhook-Id") ?? "";
  if (!shop || !webhookId) refuseWebhook(route, 400, "Missing X-Shopify-Shop-Domain or X-Shopify-Webhook-Id");
  return { shop, webhookId, eventId: request.headers.get("X-Shopify-Event-Id") };
}

function checkShopNamedInBody(route: string, shop: string, body: unknown, required: ShopField) {
  const fields = body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (required && (!fields || typeof fields[required] !== "string"))
    refuseWebhook(route, 400, `Body has no ${required}: not a ${route} payload`);
  if (!fields) return;
  for (const key of ["shop_domain", "myshopify_domain"] as const) {
    if (key in fields && fields[key] !== shop) refuseWebhook(route, 400, `Body's ${key} is not the shop in X-Shopify-Shop-Domain`);
  }
  // `domain` on a Shop payload is the primary domain, often a custom one: only a myshopify
  // value can be compared, and then it must be this shop.
  const domain = fields.domain;
  if (typeof domain === "string" && domain.endsWith(".myshopify.com") && domain !== shop)
    refuseWebhook(route, 400, "Body's domain is another shop's myshopify domain");
}
