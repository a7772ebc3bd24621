// One TikTok Events API 2.0 `data[]` item per Shopify order. The top-level fields (event_source,
// event_source_id, test_event_code) belong to the request, which the delivery worker builds.
// Contract: POST /open_api/v1.3/event/track/ body `data[]` (Events API 2.0).
import ipaddr from "ipaddr.js";
import { cleanTtclid, cleanTtp, LIMITS, type ParsedOrder } from "./order-payload";
import { hashEmail, hashExternalId, hashNamePart, hashPhone, plainPlacePart } from "./normalise";
import type { TikTokContent, TikTokEventItem, TikTokEventName, TikTokProperties, TikTokUser } from "~/core/tiktok/event";

/** The match keys the Events page reports, in display order. */
export const MATCH_KEYS = [
  "email", "phone", "ttclid", "ttp", "external_id", "first_name", "last_name", "zip_code", "city", "state", "country", "ip", "user_agent", "locale",
] as const;

/** Which id of a line item is the product in the merchant's TikTok catalog (Settings). */
export type ContentIdKind = "variant" | "product" | "sku";
type MatchKey = (typeof MATCH_KEYS)[number];

export interface BuildEventInput {
  order: ParsedOrder;
  eventName: TikTokEventName;
  /** Our storefront visitor id (from `_tt_visitor_id`), sent as SHA-256 in external_id. */
  visitorId?: string | null;
  /** The ttclid attribution chose (touchpoint, note attribute or landing site). */
  ttclid?: string | null;
  /** The `_ttp` cookie value, if captured. */
  ttp?: string | null;
  /** The shop's myshopify domain, used to make a path-only landing site absolute. */
  shopDomain: string;
  /** The line item id sent as content_id; the variant id unless the merchant chose otherwise. */
  contentId?: ContentIdKind;
  /** The buyer opted out of the sale of their data and the merchant sends such buyers with Limited Data Use. */
  limitedDataUse?: boolean;
}

interface BuiltEvent {
  event: TikTokEventItem;
  matchKeys: MatchKey[];
  /** What to store instead of the raw email / phone. */
  emailHash: string | null;
  phoneHash: string | null;
}

export function buildTikTokEvent(input: BuildEventInput): BuiltEvent {
  const { order } = input;

  const emailHash = hashEmail(order.email);
  let phoneHash: string | null = null;
  for (const candidate of order.phoneCandidates) {
    phoneHash = hashPhone(candidate.raw, candidate.countryCode);
    if (phoneHash) break;
  }

  const user: TikTokUser = {};
  if (emailHash) user.email = emailHash;
  if (phoneHash) user.phone = phoneHash;
  const externalId = hashExternalId(input.visitorId);
  if (externalId) user.external_id = externalId;
  const ttclid = cleanTtclid(input.ttclid);
  if (ttclid) user.ttclid = ttclid;
  const ttp = cleanTtp(input.ttp);
  if (ttp) user.ttp = ttp;
  const hashed = { first_name: hashNamePart(order.buyer.firstName), last_name: hashNamePart(order.buyer.lastName), zip_code: hashNamePart(order.buyer.zip) };
  const plain = { city: plainPlacePart(order.buyer.city), state: plainPlacePart(order.buyer.state), country: plainPlacePart(order.buyer.country) };
  for (const [key, value] of Object.entries({ ...hashed, ...plain })) if (value) user[key as keyof typeof hashed | keyof typeof plain] = value;
  if (order.locale) user.locale = order.locale;
  if (isOnlineCheckout(order)) {
    const ip = buyerIp(order.browserIp);
    if (ip) user.ip = ip;
    if (order.userAgent) user.user_agent = order.userAgent;
  }

  const properties: TikTokProperties = {
    // A number for TikTok (strings are rejected as "Invalid Price Field"); storage keeps the decimal text.
    value: Number(order.totalValue),
    currency: order.currency,
    // No order_id: no TikTok source has it; the order id travels as event_id, which TikTok's
    // SDK docs name for this ("OrderID (for CompletePayment event)"). docs/decisions/0015.
    contents: order.lineItems.map((item) => toContent(item, input.contentId ?? "variant")),
  };
  const ids = properties.contents!.map((c) => c.content_id).filter((id): id is string => !!id);
  if (ids.length) properties.content_ids = ids;
  if (properties.contents!.length) properties.content_type = "product";
  const units = order.lineItems.reduce((n, item) => n + (item.quantity ?? 0), 0);
  if (units > 0) properties.num_items = units;

  const event: TikTokEventItem = {
    event: input.eventName,
    event_time: Math.floor(order.createdAt.getTime() / 1000),
    event_id: order.orderId,
    user,
    properties,
  };
  const url = pageUrl(order.landingSite, input.shopDomain, input.ttclid ?? null);
  if (url) event.page = { url };
  if (input.limitedDataUse) event.limited_data_use = true;

  return {
    event,
    matchKeys: MATCH_KEYS.filter((key) => user[key] !== undefined),
    emailHash,
    phoneHash,
  };
}

// The browser details are the buyer's only when the buyer checked out online. A POS sale carries
// the till's details, a draft order those of the staff member who made it (seen in real payloads:
// every draft order of a shop carried one admin IP), and an app-created order the app server's.
// Shopify documents no list of source_name values (docs/decisions/0017): only "web" is trusted.
const ONLINE_SOURCES = new Set(["web"]);

function isOnlineCheckout(order: Pick<ParsedOrder, "sourceName">) {
  return order.sourceName !== null && ONLINE_SOURCES.has(order.sourceName);
}

// RFC 5737 / RFC 3849 documentation ranges: never seen from a real buyer, and the only fictional
// addresses our tests and the demo may use (the team's test-data rule), so they pass like public ones.
const DOCUMENTATION = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"].map((cidr) => ipaddr.parseCIDR(cidr));

/**
 * The address if it can be a buyer's: public unicast (ipaddr.js's classification of the IANA
 * special-purpose registries), never 0.0.0.0, private, loopback, link-local, CGNAT or reserved.
 */
function buyerIp(value: string | null): string | null {
  if (!value || !ipaddr.isValid(value)) return null;
  let address = ipaddr.parse(value);
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
  if (address.range() === "unicast") return value;
  return DOCUMENTATION.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits)) ? value : null;
}

function toContent(item: ParsedOrder["lineItems"][number], kind: ContentIdKind) {
  // Shopify line items are products (variants); product_group is for catalogue groups.
  const content: TikTokContent = { content_type: "product" };
  // The id the merchant's TikTok catalog keys products by. Only that kind: another kind of id
  // would never match the catalog, so an item without one goes without content_id.
  const id = kind === "variant" ? item.variantId : kind === "product" ? item.productId : item.sku;
  if (id) content.content_id = id;
  if (item.title) content.content_name = item.title;
  const price = item.price === null ? NaN : Number(item.price);
  if (Number.isFinite(price)) content.price = price;
  if (item.quantity !== null) content.quantity = item.quantity;
  return content;
}

// Query parameters that identify the campaign, not the person; every other parameter is dropped
// because landing URLs can carry emails, names or tokens (?email=, ?customer_token=, ...). The
// click id is kept only when it is the click attribution used: one the shopper never allowed (no
// consent signal on the cart, docs/decisions/0018) must not reach TikTok inside the URL either.
const KEPT_PARAMS = /^utm_[a-z_]+$/i;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/**
 * The landing site as an absolute https URL for `page.url`: a path is resolved against
 * https://<shopDomain>; only ttclid and utm_* parameters are kept; credentials and the fragment
 * are removed, and `ttclid` unless it is `usedTtclid`. Null when there is no landing site (POS,
 * draft orders) or it is not an http(s) URL.
 */
function decodeSafe(segment: string) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function pageUrl(landingSite: string | null | undefined, shopDomain: string, usedTtclid: string | null = null): string | null {
  if (typeof landingSite !== "string" || landingSite.trim() === "" || landingSite.length > LIMITS.url) return null;
  const site = landingSite.trim();
  const isAbsolute = /^https?:\/\//i.test(site);
  if (!isAbsolute && !HOSTNAME.test(shopDomain)) return null;
  let url: URL;
  try {
    url = isAbsolute ? new URL(site) : new URL(site.startsWith("/") ? site : `/${site}`, `https://${shopDomain}`);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  // A path like "//evil.example/x" would resolve to another host; a landing site is on the shop.
  if (!isAbsolute && url.hostname !== shopDomain.toLowerCase()) return null;
  url.username = "";
  url.password = "";
  url.hash = "";
  for (const [key, value] of [...url.searchParams.entries()]) {
    const kept = key.toLowerCase() === "ttclid" ? usedTtclid !== null && value === usedTtclid : KEPT_PARAMS.test(key);
    if (!kept || value.includes("@")) url.searchParams.delete(key);
  }
  // Paths can carry PII too (/account/…, a segment that is an email): keep only what is safe to send.
  if (/^\/(account|orders|checkouts)(\/|$)/.test(url.pathname)) url.pathname = `/${url.pathname.split("/")[1]}`;
  url.pathname = url.pathname
    .split("/")
    .map((segment) => (decodeSafe(segment).includes("@") ? "-" : segment))
    .join("/");
  const href = url.toString();
  return href.length <= LIMITS.url ? href : null;
}
