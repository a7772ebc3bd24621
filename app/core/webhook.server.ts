// Every webhook route goes through receiveWebhook: a size cap before anything is read, the real
// authenticate.webhook HMAC check, then the checks the HMAC cannot give. Shopify's HMAC covers
// only the body, so a leaked signed body can be sent with any topic and shop header: the route's
// own topic is required, and where the body names a shop it must be the header's shop.
// Refusals write nothing and log why (topic, route, reason; never the body). See docs/decisions/0014.
import { authenticate } from "./shopify.server";
import { declaredTooLarge, readBytesCapped } from "./lib/read-body.server";
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

function refuseWebhook(route: string, status: number, reason: string): never {
  console.warn(`webhook ${route} refused (${status}): ${reason}`);
  throw new Response(reason, { status, headers: { "Content-Type": "text/plain" } });
}

const normaliseTopic = (t: string) => t.trim().toLowerCase().replace(/_/g, "/");

/**
 * Reads, authenticates and checks a webhook delivery for `topic`. Throws a Response for every
 * refusal: 503 overloaded (with `shed`, before reading anything), 413 too large, 401 bad HMAC (the
 * library), 400 wrong topic, or a body naming another shop or missing the field that names it.
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
  if (declaredTooLarge(request, maxBytes)) refuseWebhook(route, 413, `Declared body larger than ${maxBytes} bytes`);
  const bytes = await readBytesCapped(request, maxBytes);
  if (bytes === null) refuseWebhook(route, 413, `Body larger than ${maxBytes} bytes`);
  const rawBody = bytes.toString("utf8");

  // The library reads the body itself: hand it the bytes we already hold, never the socket.
  const buffered = new Request(request.url, { method: "POST", headers: request.headers, body: rawBody });
  let shop: string;
  let webhookId: string;
  let eventId: string | null;
  try {
    const ctx = await authenticate.webhook(buffered);
    shop = ctx.shop;
    webhookId = ctx.webhookId;
    eventId = (ctx as { eventId?: string }).eventId ?? null;
  } catch (error) {
    // The library parses JSON only after the HMAC passed: a signed body that is not JSON.
    if (!(error instanceof SyntaxError)) throw error;
    shop = request.headers.get("X-Shopify-Shop-Domain") ?? "";
    webhookId = request.headers.get("X-Shopify-Webhook-Id") ?? "";
    eventId = request.headers.get("X-Shopify-Event-Id");
  }

  const headerTopic = request.headers.get("X-Shopify-Topic") ?? "";
  if (normaliseTopic(headerTopic) !== normaliseTopic(opts.topic))
    refuseWebhook(route, 400, `Topic ${headerTopic.slice(0, 64) || "(none)"} is not accepted on the ${opts.topic} route`);

  let body: unknown = null;
  try {
    body = JSON.parse(rawBody);
  } catch {
    body = null;
  }
  checkShopNamedInBody(route, shop, body, opts.shopField);
  return { shop, topic: opts.topic, webhookId, eventId, rawBody, body, release };
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
