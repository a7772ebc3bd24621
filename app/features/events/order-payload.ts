// The subset of Shopify's orders/create webhook (REST Order shape) that we use, parsed from the raw
// body. Tolerant of what real payloads contain: customer null or absent, email "" or null, addresses
// null, no presentment_currency on old payloads, draft and POS orders without browser fields. A
// malformed optional field becomes null instead of losing the order; only a body that is not an
// order, or has no usable id or creation time, is rejected.
// Shape: https://shopify.dev/docs/api/admin-rest/latest/resources/order (the orders/create payload).
import { z } from "zod";
import { parseJsonLossless } from "~/core/lib/json-ids";
import { replaceLoneSurrogates } from "~/core/lib/text";
// The storefront embed's own rules (ADR 0007): the server accepts exactly what the embed writes.
import { AD_FIELDS, AD_ID_RE, CONSENT_DENIED, CONSENT_GRANTED, CONSENT_LIMITED, TTCLID_RE, TTP_RE, VID_RE } from "../../../extensions/tiktok-capture/src/capture";

export const LIMITS = {
  /** Bodies larger than this are refused before parsing (a real order with 1,000 lines is ~2 MB). */
  rawBodyChars: 16 * 1024 * 1024,
  /** Line items kept per order; the rest are counted, not kept. */
  lineItems: 1_000,
  noteAttributes: 250,
  noteKey: 256,
  /** Longer attribute values are dropped, not cut: a cut ttclid would be a wrong one. */
  noteValue: 2_048,
  name: 255,
  title: 255,
  sku: 255,
  email: 320,
  phone: 64,
  url: 4_096,
  userAgent: 2_048,
  sourceName: 128,
} as const;

type PhoneSource = "order" | "customer" | "billing" | "shipping";

export interface PhoneCandidate {
  source: PhoneSource;
  /** As Shopify sent it; transient, never stored or logged. */
  raw: string;
  /** Country to read a national number in: the address's own country, else the order's. */
  countryCode: string | null;
}

export interface ParsedLineItem {
  id: string;
  productId: string | null;
  variantId: string | null;
  sku: string | null;
  title: string;
  /** Unit price in shop currency, as Shopify's decimal string. */
  price: string | null;
  quantity: number | null;
}

export interface ParsedOrder {
  /** Shopify's numeric order id as exact decimal text (may exceed 2^53). */
  orderId: string;
  orderGid: string;
  name: string | null;
  createdAt: Date;
  /** Shop currency (ISO 4217): the currency of totalValue and line item prices. */
  currency: string;
  /** The buyer's currency; null when absent (old payloads). Informational only. */
  presentmentCurrency: string | null;
  /** Order total after discounts (incl. shipping and taxes) in shop currency, as a decimal string. */
  totalValue: string;
  /** Raw email; transient, hash it (hashEmail) and never store or log it. */
  email: string | null;
  /** Phone numbers in priority order (order contact, customer, billing, shipping), deduplicated. */
  phoneCandidates: PhoneCandidate[];
  /** Country for reading national phone numbers: shipping ?? billing ?? customer default address. */
  countryCode: string | null;
  customerId: string | null;
  /** Cart attributes (note_attributes) by name; buyer-controlled, treat as untrusted. */
  noteAttributes: Record<string, string>;
  /** Path + query of the first storefront page (sometimes absolute); null for POS/draft orders. */
  landingSite: string | null;
  browserIp: string | null;
  userAgent: string | null;
  sourceName: string | null;
  /** Order tags (subscription apps tag renewals, e.g. "Subscription Recurring Order"); at most 250, each ≤ 255 chars. */
  tags: string[];
  /**
   * The buyer's name and place, raw and transient like the email: the billing address, else the
   * shipping address, else the customer's default address (each field from the first that has it).
   * Hashed or normalised by the event builder; never stored or logged.
   */
  buyer: { firstName: string | null; lastName: string | null; zip: string | null; city: string | null; state: string | null; country: string | null };
  /** The buyer's storefront language (customer_locale, a BCP 47 tag such as en-US); null when absent. */
  locale: string | null;
  /** Shopify's financial_status, lowercased (pending, authorized, partially_paid, paid, voided, ...); null when absent. */
  financialStatus: string | null;
  /** The payload already carries a cancelled_at (Shopify delivered the order after it was cancelled). */
  cancelled: boolean;
  isTest: boolean;
  lineItems: ParsedLineItem[];
  /** How many line items the payload had; more than lineItems.length when capped. */
  lineItemCount: number;
}

type ParseOrderResult = { ok: true; order: ParsedOrder } | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------------
// Field schemas. Optional fields use .catch(null) so one odd value never rejects the whole order.

const MAX_ID_DIGITS = 20; // unsigned 64-bit
const ID_TEXT = new RegExp(`^[1-9]\\d{0,${MAX_ID_DIGITS - 1}}$`);

/** A Shopify id as decimal text: a safe positive JSON integer, or digit text (how parseJsonLossless hands over unsafe ones). */
function toId(v: unknown): string | null {
  if (typeof v === "number") return Number.isSafeInteger(v) && v > 0 ? String(v) : null;
  return typeof v === "string" && ID_TEXT.test(v) ? v : null;
}

// Control characters have no place in names or ids, PostgreSQL refuses U+0000 in text, and a lone
// UTF-16 surrogate cannot be encoded at all: drop the former, replace the latter.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

function clean(value: unknown, max: number, overflow: "truncate" | "drop"): string | null {
  if (typeof value !== "string") return null;
  const trimmed = replaceLoneSurrogates(value.replace(CONTROL, "")).trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length <= max) return trimmed;
  // Cut between characters, never inside a surrogate pair (a half pair cannot be stored or sent).
  return overflow === "truncate" ? trimmed.slice(0, /[\ud800-\udbff]/.test(trimmed[max - 1] ?? "") ? max - 1 : max) : null;
}

const DECIMAL = /^-?\d{1,15}(?:\.\d{1,10})?$/;

/** Shopify money is a decimal string ("59.98"); numbers are tolerated. Never kept as a float. */
function toMoney(v: unknown): string | null {
  if (typeof v === "number") return Number.isFinite(v) && DECIMAL.test(String(v)) ? String(v) : null;
  if (typeof v !== "string") return null;
  const s = v.trim();
  return DECIMAL.test(s) ? s : null;
}

// Zod 3 effects cost about a microsecond each, so per-field schemas stay plain and the cleaning
// runs once per object (this matters for orders with hundreds of line items).
const loose = z.unknown();

const optionalId = loose.transform(toId);

/** A trimmed string, "" and non-strings as null; over `max` characters cut or dropped. */
const text = (max: number, overflow: "truncate" | "drop" = "truncate") =>
  loose.transform((v) => clean(v, max, overflow));

const money = loose.transform(toMoney);

const code = (length: 2 | 3) =>
  loose.transform((v) => {
    const c = typeof v === "string" ? v.trim().toUpperCase() : "";
    return c.length === length && /^[A-Z]+$/.test(c) ? c : null;
  });
const currencyCode = code(3); // ISO 4217
const countryCode = code(2); // ISO 3166-1 alpha-2

const timestamp = loose.transform((v) => {
  if (typeof v !== "string" || v.length > 64) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms) : null;
});

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^(?=.*:.*:)[0-9a-f:.]{2,45}$/i;

const ipAddress = text(64, "drop").transform((v) => (v && (IPV4.test(v) || IPV6.test(v)) ? v : null));

const addressSchema = z
  .object({
    phone: text(LIMITS.phone, "drop"),
    country_code: countryCode,
    first_name: text(LIMITS.name, "drop"),
    last_name: text(LIMITS.name, "drop"),
    zip: text(LIMITS.name, "drop"),
    city: text(LIMITS.name, "drop"),
    province_code: text(LIMITS.name, "drop"),
    province: text(LIMITS.name, "drop"),
  })
  .nullish()
  .catch(null)
  .transform((v) => v ?? null);

const customerSchema = z
  .object({
    id: optionalId,
    email: text(LIMITS.email, "drop"),
    phone: text(LIMITS.phone, "drop"),
    first_name: text(LIMITS.name, "drop"),
    last_name: text(LIMITS.name, "drop"),
    default_address: addressSchema,
  })
  .nullish()
  .catch(null)
  .transform((v) => v ?? null);

const clientDetailsSchema = z
  .object({ browser_ip: ipAddress, user_agent: text(LIMITS.userAgent, "drop") })
  .nullish()
  .catch(null)
  .transform((v) => v ?? null);

/** One line item; an item without a usable id is dropped (by lineItemsSchema), the rest tolerated. */
const lineItemSchema = z
  .object({
    id: loose,
    product_id: loose,
    variant_id: loose,
    sku: loose,
    title: loose,
    name: loose,
    price: loose,
    quantity: loose,
  })
  .transform((li, ctx): ParsedLineItem => {
    const id = toId(li.id);
    if (!id) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "line item has no id", path: ["id"] });
      return z.NEVER;
    }
    const q = li.quantity;
    return {
      id,
      productId: toId(li.product_id),
      variantId: toId(li.variant_id),
      sku: clean(li.sku, LIMITS.sku, "drop"),
      title: clean(li.title, LIMITS.title, "truncate") ?? clean(li.name, LIMITS.title, "truncate") ?? "",
      price: toMoney(li.price),
      quantity: typeof q === "number" && Number.isInteger(q) && q >= 0 && q <= 1_000_000 ? q : null,
    };
  });

const lineItemsSchema = z
  .array(z.unknown())
  .nullish()
  .catch(null)
  .transform((items) => {
    const list = items ?? [];
    const kept: ParsedLineItem[] = [];
    for (const item of list.slice(0, LIMITS.lineItems)) {
      const parsed = lineItemSchema.safeParse(item);
      if (parsed.success) kept.push(parsed.data);
    }
    return { items: kept, count: list.length };
  });

const noteAttributesSchema = z
  .array(z.unknown())
  .nullish()
  .catch(null)
  .transform((list) => {
    const entries: [string, string][] = [];
    for (const entry of (list ?? []).slice(0, LIMITS.noteAttributes)) {
      if (typeof entry !== "object" || entry === null) continue;
      const { name, value } = entry as { name?: unknown; value?: unknown };
      if (typeof name !== "string" || name.length === 0 || name.length > LIMITS.noteKey) continue;
      const v = typeof value === "number" || typeof value === "boolean" ? String(value) : value;
      if (typeof v !== "string" || v.length > LIMITS.noteValue) continue;
      entries.push([name, v]);
    }
    // fromEntries defines own properties, so a "__proto__" attribute cannot touch the prototype.
    return Object.fromEntries(entries) as Record<string, string>;
  });

/** The fields of an orders/create payload we read. Apply to parseJsonLossless output, not JSON.parse. */
const orderWebhookSchema = z.object({
  id: optionalId,
  admin_graphql_api_id: text(200, "drop"),
  name: text(LIMITS.name),
  order_number: z.unknown().optional(),
  created_at: timestamp,
  processed_at: timestamp,
  currency: currencyCode,
  presentment_currency: currencyCode,
  total_price: money,
  current_total_price: money,
  total_price_set: z
    .object({ shop_money: z.object({ amount: money, currency_code: currencyCode }).nullish().catch(null) })
    .nullish()
    .catch(null),
  email: text(LIMITS.email, "drop"),
  contact_email: text(LIMITS.email, "drop"),
  phone: text(LIMITS.phone, "drop"),
  customer: customerSchema,
  billing_address: addressSchema,
  shipping_address: addressSchema,
  note_attributes: noteAttributesSchema,
  landing_site: text(LIMITS.url, "drop"),
  browser_ip: ipAddress,
  client_details: clientDetailsSchema,
  source_name: text(LIMITS.sourceName),
  // REST orders carry tags as one comma-separated string.
  tags: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === "string" ? v.split(",").map((t) => t.trim()).filter((t) => t && t.length <= 255).slice(0, 250) : [])),
  test: loose.transform((v) => v === true),
  line_items: lineItemsSchema,
  customer_locale: text(35, "drop"),
  financial_status: z.string().trim().toLowerCase().max(32).nullish().catch(null),
  cancelled_at: z.string().max(64).nullish().catch(null),
});

type OrderWebhook = z.output<typeof orderWebhookSchema>;

// ---------------------------------------------------------------------------------------------

const ORDER_GID = /^gid:\/\/shopify\/Order\/([1-9]\d{0,19})$/;
const ANY_GID = /^gid:\/\/shopify\/([A-Za-z]+)\//;

/**
 * Parses an orders/create webhook body. Pass the raw request text (read it before
 * authenticate.webhook consumes the body): the order id is taken from `admin_graphql_api_id`
 * ("gid://shopify/Order/<digits>") when present, else from the top-level `id`, never via a rounded
 * JS number.
 */
export function parseOrderWebhook(rawBody: string): ParseOrderResult {
  if (typeof rawBody !== "string" || rawBody.length === 0) return { ok: false, reason: "empty body" };
  if (rawBody.length > LIMITS.rawBodyChars) {
    return { ok: false, reason: `body too large (${rawBody.length} characters)` };
  }
  let json: unknown;
  try {
    json = parseJsonLossless(rawBody);
  } catch {
    return { ok: false, reason: "body is not valid JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, reason: "body is not a JSON object" };
  }

  const parsed = orderWebhookSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `unreadable order: ${parsed.error.issues[0]?.message}` };
  const o = parsed.data;

  const gid = o.admin_graphql_api_id;
  const gidType = gid ? ANY_GID.exec(gid)?.[1] : undefined;
  if (gidType && gidType !== "Order") return { ok: false, reason: `not an order (admin_graphql_api_id is a ${gidType})` };
  const gidId = gid ? ORDER_GID.exec(gid)?.[1] : undefined;
  const looksLikeOrder = gidId !== undefined || "line_items" in json || o.order_number !== undefined;
  if (!looksLikeOrder) return { ok: false, reason: "not an order (no admin_graphql_api_id, order_number or line_items)" };

  const rawId = (json as { id?: unknown }).id;
  if (!gidId && o.id === null) {
    return { ok: false, reason: rawId === undefined || rawId === null ? "order has no id" : "order id is not a positive integer" };
  }
  if (gidId && o.id !== null && o.id !== gidId) {
    return { ok: false, reason: `order id ${o.id} does not match admin_graphql_api_id ${gid}` };
  }
  const orderId = (gidId ?? o.id) as string;

  const createdAt = o.created_at ?? o.processed_at;
  if (!createdAt) return { ok: false, reason: `order ${orderId} has no valid created_at` };

  const currency = o.currency ?? o.total_price_set?.shop_money?.currency_code ?? null;
  if (!currency) return { ok: false, reason: `order ${orderId} has no valid currency` };
  // total_price, not current_total_price: the total the buyer paid at checkout (after discounts,
  // with shipping and taxes). current_* tracks later edits and refunds; at creation the two are
  // normally equal.
  const totalValue = o.total_price ?? o.current_total_price ?? o.total_price_set?.shop_money?.amount ?? null;
  if (totalValue === null) return { ok: false, reason: `order ${orderId} has no valid total_price` };
  if (totalValue.startsWith("-")) return { ok: false, reason: `order ${orderId} has a negative total_price` };

  const customer = o.customer;
  const countryCode =
    o.shipping_address?.country_code ?? o.billing_address?.country_code ?? customer?.default_address?.country_code ?? null;

  return {
    ok: true,
    order: {
      orderId,
      orderGid: `gid://shopify/Order/${orderId}`,
      name: o.name,
      createdAt,
      currency,
      presentmentCurrency: o.presentment_currency,
      totalValue,
      email: o.email ?? o.contact_email ?? customer?.email ?? null,
      phoneCandidates: phoneCandidates(o, countryCode),
      countryCode,
      customerId: customer?.id ?? null,
      noteAttributes: o.note_attributes,
      landingSite: o.landing_site,
      browserIp: o.client_details?.browser_ip ?? o.browser_ip,
      userAgent: o.client_details?.user_agent ?? null,
      sourceName: o.source_name,
      tags: o.tags,
      buyer: buyerOf(o),
      locale: o.customer_locale,
      financialStatus: o.financial_status ?? null,
      cancelled: !!o.cancelled_at?.trim(),
      isTest: o.test,
      lineItems: o.line_items.items,
      lineItemCount: o.line_items.count,
    },
  };
}

// The order's own phone is the checkout contact (the buyer); the customer record's is the buyer's
// account; billing is the payer; shipping may be a gift recipient, so it comes last.
function phoneCandidates(o: OrderWebhook, countryCode: string | null): PhoneCandidate[] {
  const list: PhoneCandidate[] = [];
  const add = (source: PhoneSource, raw: string | null | undefined, country: string | null | undefined) => {
    if (!raw || list.some((c) => c.raw === raw)) return;
    list.push({ source, raw, countryCode: country ?? countryCode });
  };
  add("order", o.phone, countryCode);
  add("customer", o.customer?.phone, o.customer?.default_address?.country_code ?? countryCode);
  add("billing", o.billing_address?.phone, o.billing_address?.country_code);
  add("shipping", o.shipping_address?.phone, o.shipping_address?.country_code);
  return list;
}

// ---------------------------------------------------------------------------------------------
// Our cart attributes (written by the storefront embed; buyer-controlled, so validated here).

const NOTE_KEYS = {
  visitorId: "_tt_visitor_id",
  ttclid: "_tt_ttclid",
  /** Unix milliseconds, as a string, when the ttclid was captured. */
  ttclidAt: "_tt_ttclid_at",
  ttp: "_tt_ttp",
  /** "granted" | "denied": the visitor's Customer Privacy decision when the embed last wrote the cart. */
  consent: "_tt_consent",
} as const;

/** A value trimmed and checked against one of the embed's patterns; null if blank or not matching. */
function matching(value: string | null | undefined, pattern: RegExp): string | null {
  if (typeof value !== "string") return null;
  const v = value.trim();
  return pattern.test(v) ? v : null;
}

/** A ttclid fit to send (ADR 0007: 1-512 of letters, digits, ".", "_", "-"), trimmed, or null. */
export const cleanTtclid = (value: string | null | undefined) => matching(value, TTCLID_RE);
/** A `_ttp` cookie value fit to send (ADR 0007: 1-128 of letters, digits, ".", "_", "-"), or null. */
export const cleanTtp = (value: string | null | undefined) => matching(value, TTP_RE);
/** Our visitor id ("tta1." + 22 base64url characters, ADR 0007), or null. */
const cleanVisitorId = (value: string | null | undefined) => matching(value, VID_RE);

/** A note attribute's value, trimmed; null when absent or blank. */
export function noteAttribute(order: Pick<ParsedOrder, "noteAttributes">, key: string): string | null {
  if (!Object.prototype.hasOwnProperty.call(order.noteAttributes, key)) return null;
  const v = order.noteAttributes[key]?.trim();
  return v ? v : null;
}

export function visitorIdFromNotes(order: Pick<ParsedOrder, "noteAttributes">): string | null {
  return cleanVisitorId(noteAttribute(order, NOTE_KEYS.visitorId));
}

export function ttpFromNotes(order: Pick<ParsedOrder, "noteAttributes">): string | null {
  return cleanTtp(noteAttribute(order, NOTE_KEYS.ttp));
}

/** The ttclid the storefront stored on the cart and when it was captured (null if unknown/invalid). */
export function ttclidFromNotes(
  order: Pick<ParsedOrder, "noteAttributes">,
): { ttclid: string; capturedAt: Date | null } | null {
  const ttclid = cleanTtclid(noteAttribute(order, NOTE_KEYS.ttclid));
  if (!ttclid) return null;
  const at = noteAttribute(order, NOTE_KEYS.ttclidAt);
  const ms = at && /^\d{1,15}$/.test(at) ? Number(at) : NaN;
  return { ttclid, capturedAt: Number.isFinite(ms) && ms > 0 && ms <= 8.64e15 ? new Date(ms) : null };
}

/**
 * What the cart says about the visitor's consent (docs/decisions/0018-storefront-truth.md):
 * - "denied": `_tt_consent` = "denied" (the embed writes it when consent is refused after it stored something);
 * - "limited": `_tt_consent` = "limited": marketing allowed, the sale of data opted out (docs/decisions/0023);
 * - "granted": `_tt_consent` = "granted", or our visitor id / click on the cart without a flag (embeds
 *   before the flag existed wrote them only with consent);
 * - "none": none of our attributes: the embed is off, or the visitor never allowed it to run.
 */
export function consentFromNotes(order: Pick<ParsedOrder, "noteAttributes">): "granted" | "limited" | "denied" | "none" {
  const flag = noteAttribute(order, NOTE_KEYS.consent);
  if (flag === CONSENT_DENIED) return "denied";
  if (flag === CONSENT_LIMITED) return "limited";
  if (flag === CONSENT_GRANTED || visitorIdFromNotes(order) || cleanTtclid(noteAttribute(order, NOTE_KEYS.ttclid))) return "granted";
  return "none";
}

/** The campaign / ad group / ad ids the embed put on the cart with the click (`_tt_campaign_id`, …), valid ones only. */
export function adIdsFromNotes(order: Pick<ParsedOrder, "noteAttributes">): { campaignId: string | null; adgroupId: string | null; adId: string | null } {
  const [campaignId, adgroupId, adId] = AD_FIELDS.map((f) => matching(noteAttribute(order, `_tt_${f}`), AD_ID_RE));
  return { campaignId, adgroupId, adId };
}

/** The first `ttclid` query parameter of a landing site (path+query or absolute URL), or null. */
export function ttclidFromLandingSite(landingSite: string | null | undefined): string | null {
  if (typeof landingSite !== "string" || landingSite.length === 0 || landingSite.length > LIMITS.url) return null;
  let url: URL;
  try {
    url = new URL(landingSite, "https://landing.invalid");
  } catch {
    return null;
  }
  return cleanTtclid(url.searchParams.get("ttclid"));
}

/** Each of the buyer's fields from the first place that has it: billing, shipping, the customer's default address. */
function buyerOf(o: z.infer<typeof orderWebhookSchema>): ParsedOrder["buyer"] {
  const places = [o.billing_address, o.shipping_address, o.customer?.default_address].filter((a) => a !== null && a !== undefined);
  const first = <K extends keyof NonNullable<(typeof places)[number]>>(key: K) => places.map((p) => p![key]).find((v) => typeof v === "string" && v.trim() !== "") ?? null;
  return {
    firstName: (first("first_name") as string | null) ?? o.customer?.first_name ?? null,
    lastName: (first("last_name") as string | null) ?? o.customer?.last_name ?? null,
    zip: first("zip") as string | null,
    city: first("city") as string | null,
    state: (first("province_code") as string | null) ?? (first("province") as string | null),
    country: first("country_code") as string | null,
  };
}
