// Normalisation and hashing of the identifiers we send to TikTok's Events API 2.0.
// TikTok matches on SHA-256 of: email trimmed + lowercased; phone in E.164 with a leading "+";
// external_id as the pixel's identify() sends it. A value that cannot be normalised is left out:
// a wrong hash is worse than none (it can never match and hides the real problem).
import { createHash } from "node:crypto";
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

const SHA256_HEX = /^[a-f0-9]{64}$/i;

// RFC 5321 caps a path at 256 octets, so 254 characters for the address itself.
const MAX_EMAIL_LENGTH = 254;
// Long enough for "+44 (0)20 7946 0018 ext. 1234" and the like; anything longer is not a phone.
const MAX_PHONE_INPUT_LENGTH = 64;
const MAX_EXTERNAL_ID_LENGTH = 256;

// Deliberately loose: one "@", something on both sides, a dot in the domain, no whitespace.
// TikTok hashes whatever the pixel saw; we only reject values that are plainly not an address.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * SHA-256 of an already-normalised identifier, unless it already is a SHA-256 hex digest: then it is
 * passed through lowercased, so a value is never hashed twice (TikTok would not match a double hash).
 */
export function hashIdentifier(value: string): string {
  const trimmed = value.trim();
  if (isSha256Hex(trimmed)) return trimmed.toLowerCase();
  return sha256Hex(value);
}

/**
 * The buyer's name and place as TikTok's own Events API destination for Segment normalises them
 * (segmentio/action-destinations, tiktok-conversions/reportWebEvent/formatter.ts:56-64 @970a17ee):
 * names and the zip code lose every whitespace and are lowercased, then hashed; city, state and
 * country keep only ASCII letters and digits, lowercased, and are sent as they are. docs/decisions/0023.
 */
export function hashNamePart(raw: string | null | undefined): string | null {
  if (typeof raw !== "string") return null;
  const value = raw.replace(/\s/g, "").toLowerCase();
  return value ? hashIdentifier(value) : null;
}

export function plainPlacePart(raw: string | null | undefined): string | null {
  if (typeof raw !== "string") return null;
  const value = raw.replace(/[^A-Za-z0-9]/g, "").toLowerCase();
  return value || null;
}

/** Trimmed, lowercased email, or null when the value is empty or plainly not an address. */
export function normaliseEmail(raw: string | null | undefined): string | null {
  if (typeof raw !== "string") return null;
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH) return null;
  return EMAIL_SHAPE.test(email) ? email : null;
}

/** An ISO 3166-1 alpha-2 code libphonenumber knows, uppercased; anything else is undefined. */
export function phoneCountry(code: string | null | undefined): CountryCode | undefined {
  if (typeof code !== "string") return undefined;
  const upper = code.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(upper) && isSupportedCountry(upper) ? upper : undefined;
}

/**
 * E.164 ("+" and digits) using libphonenumber-js, or null. A national number is read in
 * `countryCode` (the order's shipping/billing country); without a country only international forms
 * ("+44…", "0044…") can be read. Numbers libphonenumber does not consider valid for their country
 * (wrong length, unassigned range, a US number read as British) are rejected rather than guessed.
 * Extensions are dropped: TikTok matches on the subscriber number.
 */
export function normalisePhone(raw: string | null | undefined, countryCode?: string | null): string | null {
  if (typeof raw !== "string") return null;
  let input = raw.trim();
  if (input.length === 0 || input.length > MAX_PHONE_INPUT_LENGTH) return null;
  const country = phoneCountry(countryCode);
  // "00" is the international prefix in most of the world; with a country libphonenumber applies
  // that country's own prefix (011 in the US, 0011 in AU), without one we can only assume "00".
  if (!country && /^00[1-9]/.test(input)) input = `+${input.slice(2)}`;
  let parsed;
  try {
    parsed = parsePhoneNumberFromString(input, country);
  } catch {
    return null;
  }
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/**
 * The canonical form of our visitor id before hashing into `external_id`: trimmed, case kept (the id
 * is case-sensitive base64url, ADR 0007). A browser-side `ttq.identify({ external_id })`, if one is
 * ever added, must hash the same text for pixel and server events to match.
 */
export function normaliseExternalId(raw: string | null | undefined): string | null {
  if (typeof raw !== "string") return null;
  const id = raw.trim();
  if (id.length === 0 || id.length > MAX_EXTERNAL_ID_LENGTH) return null;
  // Control characters mean the value is garbage, not an id.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return null;
  return id;
}

/** SHA-256 of the normalised email; an email that already is a SHA-256 digest passes through. */
export function hashEmail(raw: string | null | undefined): string | null {
  if (typeof raw !== "string") return null;
  if (isSha256Hex(raw.trim())) return raw.trim().toLowerCase();
  const email = normaliseEmail(raw);
  return email ? sha256Hex(email) : null;
}

/** SHA-256 of the E.164 phone; a phone that already is a SHA-256 digest passes through. */
export function hashPhone(raw: string | null | undefined, countryCode?: string | null): string | null {
  if (typeof raw !== "string") return null;
  if (isSha256Hex(raw.trim())) return raw.trim().toLowerCase();
  const phone = normalisePhone(raw, countryCode);
  return phone ? sha256Hex(phone) : null;
}

/** SHA-256 of the normalised visitor id; a visitor id that already is a SHA-256 digest passes through. */
export function hashExternalId(raw: string | null | undefined): string | null {
  const id = normaliseExternalId(raw);
  return id ? hashIdentifier(id) : null;
}
