// Validation of `/event/track/` (Events API 2.0) bodies, faithful to what TikTok publishes:
// it accepts every body TikTok's own server-side template sends (tests/fixtures/tiktok/,
// docs/decisions/0015), refuses with TikTok's specific codes where its return-code table has one
// (40061 batch size, 40062 PII not hashed, 40063 partner name, 40002 parameter error), and
// answers SandboxLimit for anything it does not model instead of inventing a TikTok refusal.
import { isIP } from "node:net";
import { SandboxApiError, SandboxLimit, invalidField } from "./errors";

const MAX_EVENTS = 1_000;

const TOP_LEVEL = new Set(["event_source", "event_source_id", "test_event_code", "partner_name", "data"]);
// limited_data_use: an event-level boolean in TikTok's Segment destination
// (segmentio/action-destinations tiktok-conversions/reportWebEvent/utils.ts:52 @970a17ee).
const EVENT_KEYS = new Set(["event", "event_time", "event_id", "user", "page", "device", "properties", "limited_data_use"]);
// Identifiers TikTok only accepts as SHA-256 of the normalised value (template.js:50-73 hashes the
// first three; the Segment destination hashes names and zip code too, utils.ts:86-91 @970a17ee).
const HASHED_USER = new Set(["email", "phone", "external_id", "first_name", "last_name", "zip_code"]);
// Sent as-is (template.js:301-309; city, state, country and locale as the Segment destination sends
// them, utils.ts:88-96); a hash here is a bug (TikTok cannot match a hashed click id or IP).
const PLAIN_USER = new Set(["ttclid", "ttp", "ip", "user_agent", "city", "state", "country", "locale"]);
const PAGE_KEYS = new Set(["url", "referrer"]);
// template.js:137-153, 173-187.
const CONTENT_KEYS = new Set(["content_type", "content_id", "content_name", "content_category", "price", "quantity", "brand"]);
// Client hints as template.js:311-322 maps them.
const DEVICE_KEYS = new Set(["architecture", "bitness", "browser_version_list", "mobile", "model", "platform", "platform_version"]);

// template.js isHashed: upper- or lower-case hex, passed through unchanged.
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
    if (!allowed.has(key)) throw new SandboxLimit(`${where}${key} is not a field the sandbox models (TikTok's sources do not say whether TikTok accepts it)`);
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
    if (!LOOKS_HASHED.test(v)) throw new SandboxApiError(40062, `PII not hashed: ${at} must be a SHA-256 hash (64 hexadecimal characters) of the normalised value`);
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
      if (LOOKS_HASHED.test(s)) {
        throw invalidField(field, "must be sent unhashed");
      }
      if (key === "ip" && isIP(s) === 0) throw invalidField(field, "must be an IPv4 or IPv6 address");
    } else throw new SandboxLimit(`${field} is not a field the sandbox models`);
  }
}

function validateDevice(device: unknown, at: string) {
  if (!isObject(device)) throw invalidField(at, `must be an object (got ${typeName(device)})`);
  rejectUnknownKeys(device, DEVICE_KEYS, `${at}.`);
  if ("mobile" in device && typeof device.mobile !== "boolean") throw invalidField(`${at}.mobile`, "must be a boolean");
  if ("browser_version_list" in device) {
    const list = device.browser_version_list;
    if (!Array.isArray(list)) throw invalidField(`${at}.browser_version_list`, "must be an array");
    list.forEach((item, i) => {
      if (!isObject(item)) throw invalidField(`${at}.browser_version_list[${i}]`, "must be an object with brand and version");
    });
  }
  for (const key of ["architecture", "bitness", "model", "platform", "platform_version"]) {
    if (key in device && typeof device[key] !== "string") throw invalidField(`${at}.${key}`, "must be a string");
  }
}

function validateProperties(props: unknown, at: string) {
  if (!isObject(props)) throw invalidField(at, `must be an object (got ${typeName(props)})`);
  // Other keys are accepted as they are: TikTok's template copies any custom property into
  // `properties` (template.js:337-344), so TikTok takes keys it does not define.
  if ("value" in props) finiteNumber(props.value, `${at}.value`, { min: 0 });
  if ("currency" in props) {
    const c = props.currency;
    if (typeof c !== "string" || !/^[A-Z]{3}$/.test(c) || !CURRENCIES.has(c)) {
      throw invalidField(`${at}.currency`, "must be an ISO 4217 currency code such as USD");
    }
  }
  if ("contents" in props) {
    const contents = props.contents;
    if (!Array.isArray(contents)) throw invalidField(`${at}.contents`, "must be an array");
    contents.forEach((item, i) => {
      const where = `${at}.contents[${i}]`;
      if (!isObject(item)) throw invalidField(where, "must be an object");
      rejectUnknownKeys(item, CONTENT_KEYS, `${where}.`);
      // PixelContent.md:9: "must be set to either product, or product_group".
      if ("content_type" in item && item.content_type !== "product" && item.content_type !== "product_group") {
        throw invalidField(`${where}.content_type`, "must be product or product_group");
      }
      for (const key of ["content_id", "content_name", "content_category", "brand"]) {
        if (key in item) nonEmptyString(item[key], `${where}.${key}`);
      }
      if ("price" in item) finiteNumber(item.price, `${where}.price`, { min: 0 });
      if ("quantity" in item) finiteNumber(item.quantity, `${where}.quantity`, { integer: true, min: 1 });
    });
  }
  // The Segment destination's properties (utils.ts:119-141): content ids as strings, an item count.
  if ("content_ids" in props) {
    const ids = props.content_ids;
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== "string" || id.trim() === "")) throw invalidField(`${at}.content_ids`, "must be an array of non-empty strings");
  }
  if ("num_items" in props) finiteNumber(props.num_items, `${at}.num_items`, { integer: true, min: 0 });
  if ("content_type" in props && props.content_type !== "product" && props.content_type !== "product_group") {
    throw invalidField(`${at}.content_type`, "must be product or product_group");
  }
}

function validateEvent(item: unknown, i: number, rules: EventRules) {
  const at = `data[${i}]`;
  if (!isObject(item)) throw invalidField(at, `must be an object (got ${typeName(item)})`);
  // Checked before the generic unknown-key rule so the message explains the common mistake.
  for (const key of ["event_source", "event_source_id", "test_event_code"]) {
    if (key in item) throw new SandboxLimit(`${at}.${key} belongs at the top level of the request (template.js:283-294), not inside data`);
  }
  // The v1 (/pixel/track/) shape posted to the v2 endpoint.
  for (const key of ["timestamp", "context", "pixel_code"]) {
    if (key in item) throw new SandboxLimit(`${at}.${key} is an Events API 1.0 (/pixel/track/) field; /event/track/ takes the 2.0 format`);
  }
  rejectUnknownKeys(item, EVENT_KEYS, `${at}.`);

  // Any name: TikTok's template passes names it does not map through unchanged (template.js:292),
  // and one of its test bodies has none at all (TestPIIMissing).
  if ("event" in item) nonEmptyString(item.event, `${at}.event`);

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
  if ("limited_data_use" in item && typeof item.limited_data_use !== "boolean") throw invalidField(`${at}.limited_data_use`, "must be a boolean");
  if ("user" in item) validateUser(item.user, `${at}.user`);
  if ("device" in item) validateDevice(item.device, `${at}.device`);
  if ("page" in item) {
    if (!isObject(item.page)) throw invalidField(`${at}.page`, "must be an object");
    rejectUnknownKeys(item.page, PAGE_KEYS, `${at}.page.`);
    for (const [key, value] of Object.entries(item.page)) {
      const url = nonEmptyString(value, `${at}.page.${key}`);
      if (!URL.canParse(url)) throw invalidField(`${at}.page.${key}`, "must be an absolute URL");
    }
  }
  if ("properties" in item) validateProperties(item.properties, `${at}.properties`);
}

/** Validates the request body; throws SandboxApiError (TikTok's code) or SandboxLimit naming the first bad field. */
export function validateTrackBody(body: unknown, rules: EventRules): TrackBody {
  if (!isObject(body)) throw new SandboxApiError(40002, "Invalid request body: expected a JSON object");
  if (body.event_source === undefined) throw invalidField("event_source", "must be web, app or offline.");
  if (!["web", "app", "offline", "crm"].includes(body.event_source as string)) {
    throw invalidField("event_source", "must be web, app or offline.");
  }
  if (body.event_source !== "web") throw new SandboxLimit(`event_source ${String(body.event_source)}: only web events are modelled`);
  rejectUnknownKeys(body, TOP_LEVEL, "");
  nonEmptyString(body.event_source_id, "event_source_id");
  if ("test_event_code" in body) nonEmptyString(body.test_event_code, "test_event_code");
  // TikTok does not publish its partner list, so any non-empty name is accepted.
  if ("partner_name" in body && (typeof body.partner_name !== "string" || body.partner_name.trim() === "")) {
    throw new SandboxApiError(40063, "Invalid partner_name: must be a partner name TikTok knows");
  }
  const data = body.data;
  if (!Array.isArray(data)) throw invalidField("data", `must be an array of events (got ${typeName(data)})`);
  if (data.length === 0 || data.length > MAX_EVENTS) {
    throw new SandboxApiError(40061, `Invalid batch size: data must contain between 1 and ${MAX_EVENTS} events (got ${data.length})`);
  }
  data.forEach((item, i) => validateEvent(item, i, rules));
  return body as TrackBody;
}
