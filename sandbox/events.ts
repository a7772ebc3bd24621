// Strict validation of `/event/track/` (Events API 2.0) bodies. The aim: any payload this
// accepts is one TikTok would accept, and each mistake in the reference's pitfalls list is
// refused with TikTok's code and a message naming the field.
import { isIP } from "node:net";
import { SandboxApiError, invalidField } from "./errors";

const MAX_EVENTS = 1_000;

/**
 * Standard web event names. `CompletePayment` and `PlaceAnOrder` are kept alongside `Purchase`:
 * TikTok's 2025 tables disagree and both are in use (tiktok-api.md §3).
 */
const STANDARD_EVENTS = new Set([
  "AddPaymentInfo",
  "AddToCart",
  "AddToWishlist",
  "ApplicationApproval",
  "ClickButton",
  "CompletePayment",
  "CompleteRegistration",
  "Contact",
  "CustomizeProduct",
  "Download",
  "FindLocation",
  "InitiateCheckout",
  "Lead",
  "PageView",
  "PlaceAnOrder",
  "Purchase",
  "Schedule",
  "Search",
  "StartTrial",
  "SubmitApplication",
  "SubmitForm",
  "Subscribe",
  "ViewContent",
]);

const TOP_LEVEL = new Set(["event_source", "event_source_id", "test_event_code", "partner_name", "data"]);
const EVENT_KEYS = new Set(["event", "event_time", "event_id", "user", "page", "properties", "limited_data_use", "ad", "app", "lead"]);
// Identifiers TikTok only accepts as SHA-256 of the normalised value.
const HASHED_USER = new Set(["email", "phone", "external_id", "first_name", "last_name", "zip_code"]);
// Sent as-is; a hash here is a bug (TikTok cannot match a hashed click id or IP).
const PLAIN_USER = new Set(["ttclid", "ttp", "ip", "user_agent", "locale", "city", "state", "country"]);
const PAGE_KEYS = new Set(["url", "referrer"]);
const CONTENT_KEYS = new Set(["content_id", "content_name", "content_category", "price", "quantity", "brand"]);

const SHA256_HEX = /^[0-9a-f]{64}$/;
const LOOKS_HASHED = /^[0-9a-fA-F]{64}$/;
const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));

type EventRules = {
  /** TikTok's clock, Unix seconds. */
  nowSeconds: number;
  lookbackDays: number;
  futureSkewSeconds: number;
};

type TrackBody = {
  event_source: "web";
  event_source_id: string;
  test_event_code?: string;
  partner_name?: string;
  data: Record<string, unknown>[];
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

function rejectUnknownKeys(obj: Record<string, unknown>, allowed: Set<string>, where: string) {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) throw new SandboxApiError(40002, `Invalid field: ${where}${key} is not a parameter of this API`);
  }
}

function nonEmptyString(value: unknown, field: string) {
  if (typeof value !== "string") throw invalidField(field, `not a valid string (got ${typeName(value)})`);
  if (value.trim() === "") throw invalidField(field, "must not be empty");
  return value;
}

function hashedIdentifier(value: unknown, field: string) {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) throw invalidField(field, "must not be an empty array");
  values.forEach((v, i) => {
    const at = Array.isArray(value) ? `${field}[${i}]` : field;
    if (typeof v !== "string") throw invalidField(at, `not a valid string (got ${typeName(v)})`);
    if (!SHA256_HEX.test(v)) throw invalidField(at, "must be a SHA-256 hash (64 lowercase hexadecimal characters) of the normalised value");
  });
}

function finiteNumber(value: unknown, field: string, opts: { integer?: boolean; min?: number } = {}) {
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalidField(field, `must be a number (got ${typeName(value)})`);
  if (opts.integer && !Number.isInteger(value)) throw invalidField(field, "must be an integer");
  if (opts.min !== undefined && value < opts.min) throw invalidField(field, `must be >= ${opts.min}`);
  return value;
}

function validateUser(user: unknown, at: string) {
  if (!isObject(user)) throw invalidField(at, `must be an object (got ${typeName(user)})`);
  for (const [key, value] of Object.entries(user)) {
    const field = `${at}.${key}`;
    if (HASHED_USER.has(key)) hashedIdentifier(value, field);
    else if (PLAIN_USER.has(key)) {
      const s = nonEmptyString(value, field);
      if ((key === "ttclid" || key === "ttp" || key === "ip" || key === "user_agent") && LOOKS_HASHED.test(s)) {
        throw invalidField(field, "must be sent unhashed");
      }
      if (key === "ip" && isIP(s) === 0) throw invalidField(field, "must be an IPv4 or IPv6 address");
    } else throw new SandboxApiError(40002, `Invalid field: ${field} is not a parameter of this API`);
  }
}

function validateProperties(props: unknown, at: string) {
  if (!isObject(props)) throw invalidField(at, `must be an object (got ${typeName(props)})`);
  if ("value" in props) finiteNumber(props.value, `${at}.value`, { min: 0 });
  if ("currency" in props) {
    const c = props.currency;
    if (typeof c !== "string" || !/^[A-Z]{3}$/.test(c) || !CURRENCIES.has(c)) {
      throw invalidField(`${at}.currency`, "must be an ISO 4217 currency code such as USD");
    }
  }
  if ("value" in props && !("currency" in props)) throw invalidField(`${at}.currency`, "is required when value is set");
  if ("content_type" in props && props.content_type !== "product" && props.content_type !== "product_group") {
    throw invalidField(`${at}.content_type`, "must be product or product_group");
  }
  for (const key of ["order_id", "description", "query", "shop_id"]) {
    if (key in props) nonEmptyString(props[key], `${at}.${key}`);
  }
  if ("num_items" in props) finiteNumber(props.num_items, `${at}.num_items`, { integer: true, min: 0 });
  if ("content_ids" in props) {
    const ids = props.content_ids;
    if (!Array.isArray(ids)) throw invalidField(`${at}.content_ids`, "must be an array of strings");
    ids.forEach((v, i) => nonEmptyString(v, `${at}.content_ids[${i}]`));
  }
  if ("contents" in props) {
    const contents = props.contents;
    if (!Array.isArray(contents)) throw invalidField(`${at}.contents`, "must be an array");
    contents.forEach((item, i) => {
      const where = `${at}.contents[${i}]`;
      if (!isObject(item)) throw invalidField(where, "must be an object");
      rejectUnknownKeys(item, CONTENT_KEYS, `${where}.`);
      for (const key of ["content_id", "content_name", "content_category", "brand"]) {
        if (key in item) nonEmptyString(item[key], `${where}.${key}`);
      }
      if ("price" in item) finiteNumber(item.price, `${where}.price`, { min: 0 });
      if ("quantity" in item) finiteNumber(item.quantity, `${where}.quantity`, { integer: true, min: 1 });
    });
  }
}

function validateEvent(item: unknown, i: number, rules: EventRules) {
  const at = `data[${i}]`;
  if (!isObject(item)) throw invalidField(at, `must be an object (got ${typeName(item)})`);
  // Checked before the generic unknown-key rule so the message explains the common mistake.
  for (const key of ["event_source", "event_source_id", "test_event_code"]) {
    if (key in item) throw invalidField(`${at}.${key}`, `${key} belongs at the top level of the request, not inside data`);
  }
  // The v1 (/pixel/track/) shape posted to the v2 endpoint.
  for (const key of ["timestamp", "context", "pixel_code"]) {
    if (key in item) throw new SandboxApiError(40002, `Invalid field: ${at}.${key} is an Events API 1.0 field; /event/track/ expects the 2.0 format`);
  }
  rejectUnknownKeys(item, EVENT_KEYS, `${at}.`);

  const name = nonEmptyString(item.event, `${at}.event`);
  if (!STANDARD_EVENTS.has(name)) throw invalidField(`${at}.event`, `${name} is not a supported standard event`);

  const time = item.event_time;
  if (typeof time === "string") {
    throw invalidField(`${at}.event_time`, "must be an integer Unix timestamp in seconds, not a string");
  }
  finiteNumber(time, `${at}.event_time`, { integer: true });
  const seconds = time as number;
  if (seconds > 1e11) throw invalidField(`${at}.event_time`, "must be in seconds, not milliseconds");
  if (seconds > rules.nowSeconds + rules.futureSkewSeconds) throw invalidField(`${at}.event_time`, "must not be in the future");
  if (seconds < rules.nowSeconds - rules.lookbackDays * 86_400) {
    throw invalidField(`${at}.event_time`, `must be within the last ${rules.lookbackDays} days`);
  }

  if ("event_id" in item) nonEmptyString(item.event_id, `${at}.event_id`);
  if ("user" in item) validateUser(item.user, `${at}.user`);
  if ("page" in item) {
    if (!isObject(item.page)) throw invalidField(`${at}.page`, "must be an object");
    rejectUnknownKeys(item.page, PAGE_KEYS, `${at}.page.`);
    for (const [key, value] of Object.entries(item.page)) {
      const url = nonEmptyString(value, `${at}.page.${key}`);
      if (!URL.canParse(url)) throw invalidField(`${at}.page.${key}`, "must be an absolute URL");
    }
  }
  if ("properties" in item) validateProperties(item.properties, `${at}.properties`);
  if ("limited_data_use" in item && typeof item.limited_data_use !== "boolean") {
    throw invalidField(`${at}.limited_data_use`, "must be a boolean");
  }
}

/** Validates the request body; throws SandboxApiError (40002) naming the first bad field. */
export function validateTrackBody(body: unknown, rules: EventRules): TrackBody {
  if (!isObject(body)) throw new SandboxApiError(40002, "Invalid request body: expected a JSON object");
  if (body.event_source === undefined) throw invalidField("event_source", "must be web, app or offline.");
  if (!["web", "app", "offline", "crm"].includes(body.event_source as string)) {
    throw invalidField("event_source", "must be web, app or offline.");
  }
  if (body.event_source !== "web") {
    throw new SandboxApiError(40002, `Invalid value for event_source: the sandbox only models web events (got ${String(body.event_source)})`);
  }
  rejectUnknownKeys(body, TOP_LEVEL, "");
  nonEmptyString(body.event_source_id, "event_source_id");
  if ("test_event_code" in body) nonEmptyString(body.test_event_code, "test_event_code");
  if ("partner_name" in body) nonEmptyString(body.partner_name, "partner_name");
  const data = body.data;
  if (!Array.isArray(data)) throw invalidField("data", `must be an array of events (got ${typeName(data)})`);
  if (data.length === 0 || data.length > MAX_EVENTS) {
    throw invalidField("data", `must contain between 1 and ${MAX_EVENTS} events (got ${data.length})`);
  }
  data.forEach((item, i) => validateEvent(item, i, rules));
  return body as TrackBody;
}
