// Lossless JSON: Shopify order and customer ids are 64-bit integers, TikTok's ids can exceed 2^53
// too, and JSON.parse rounds anything above Number.MAX_SAFE_INTEGER.

// A JSON string token (unrolled, linear) or a JSON number token. Outside strings, digits in valid
// JSON only occur in number tokens, so matching strings first keeps us out of string contents.
const STRING_OR_NUMBER = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * JSON.parse, except that integers beyond Number.MAX_SAFE_INTEGER come back as their exact decimal
 * text (a string) instead of a rounded number. Throws like JSON.parse on invalid JSON.
 */
export function parseJsonLossless(raw: string): unknown {
  const value: unknown = JSON.parse(raw); // validates the text; the rewrite below assumes valid JSON
  if (!/\d{16}/.test(raw)) return value; // no integer with 16+ digits anywhere: nothing was rounded
  const rewritten = raw.replace(STRING_OR_NUMBER, (token) =>
    token.charCodeAt(0) !== 34 /* " */ && /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))
      ? `"${token}"`
      : token,
  );
  return JSON.parse(rewritten);
}
