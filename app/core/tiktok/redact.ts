// Logs and error reports may show that a token or hash was present and which one it was,
// never enough of it to replay or to reverse a hashed identifier.

/** `"abcd…(40)"`: a short prefix and the length. Values shorter than 12 characters show no prefix. */
export function redact(value: string | null | undefined): string {
  if (value === null || value === undefined) return String(value);
  if (value.length < 12) return `…(${value.length})`;
  return `${value.slice(0, 4)}…(${value.length})`;
}

const SECRET_KEYS = /^(access_token|secret|app_secret|auth_code|refresh_token|email|phone|external_id|first_name|last_name|zip_code)$/i;

/** A deep copy with secret-bearing fields redacted, for logging request or response bodies. */
export function redactFields<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactFields(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEYS.test(k)) out[k] = Array.isArray(v) ? v.map((x) => redact(String(x))) : redact(v === null || v === undefined ? (v as null | undefined) : String(v));
      else out[k] = redactFields(v);
    }
    return out as T;
  }
  return value;
}
