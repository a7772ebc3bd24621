// The one place that knows what TikTok's return codes mean for the rest of the app.
// Callers branch on `kind`, never on raw codes: `auth` → ask the merchant to reconnect,
// `rate_limited` → back off and retry later, `retryable` → retry with the same payload,
// `invalid` → the request itself is wrong, retrying cannot help.

type TikTokErrorKind = "auth" | "rate_limited" | "retryable" | "invalid";

// The stored token no longer works; only a new authorization fixes it.
const AUTH_CODES = new Set([40102, 40104, 40105, 40106, 40107]);
// 40100/40016 app-level, 40133 advertiser-level, 40132 per value (pixel) QPS.
const RATE_LIMIT_CODES = new Set([40100, 40016, 40133, 40132]);
// Server error, internal error, maintenance.
const RETRYABLE_CODES = new Set([50000, 50002, 60001]);

/**
 * Decide the class of a failed call from TikTok's envelope `code` (null when there was no
 * envelope) and the HTTP status (null when no response arrived: timeout or network error).
 *
 * 40101 (bad app_id/secret or auth_code) and 40110 (auth_code invalid, used or expired) are
 * `invalid`, not `auth`: the first is our configuration, the second a stale consent redirect;
 * reconnecting the stored connection fixes neither (docs/decisions/0006).
 */
export function classifyTikTokCode(code: number | null, httpStatus: number | null): TikTokErrorKind {
  if (code !== null && code !== 0) {
    if (RATE_LIMIT_CODES.has(code)) return "rate_limited";
    if (AUTH_CODES.has(code)) return "auth";
    if (RETRYABLE_CODES.has(code)) return "retryable";
    // TikTok's 5xxxx/6xxxx families are server-side; a request error (4xxxx) stays a
    // request error even when a gateway wraps it in a 5xx.
    if (code >= 50000) return "retryable";
    if (code >= 40000) return "invalid";
  }
  if (httpStatus === null) return "retryable";
  if (httpStatus === 429) return "rate_limited";
  if (httpStatus >= 500 || httpStatus === 408) return "retryable";
  if (httpStatus === 401) return "auth";
  return "invalid";
}

export class TikTokApiError extends Error {
  readonly kind: TikTokErrorKind;
  readonly code: number | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  /** TikTok's own `message` (or ours for timeouts and network errors), safe to show. */
  readonly tiktokMessage: string;
  /** The API path, e.g. `/event/track/`; never the full URL (query strings may carry the app secret). */
  readonly endpoint: string | null;

  constructor(opts: {
    kind?: TikTokErrorKind;
    code: number | null;
    httpStatus: number | null;
    requestId?: string | null;
    message: string;
    endpoint?: string | null;
    cause?: unknown;
  }) {
    const kind = opts.kind ?? classifyTikTokCode(opts.code, opts.httpStatus);
    const where = opts.endpoint ? ` ${opts.endpoint}` : "";
    const what = opts.code !== null ? `code ${opts.code}` : opts.httpStatus !== null ? `HTTP ${opts.httpStatus}` : "no response";
    super(`TikTok${where} ${kind} (${what}): ${opts.message}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "TikTokApiError";
    this.kind = kind;
    this.code = opts.code;
    this.httpStatus = opts.httpStatus;
    this.requestId = opts.requestId ?? null;
    this.tiktokMessage = opts.message;
    this.endpoint = opts.endpoint ?? null;
  }

  get retryable(): boolean {
    return this.kind === "retryable" || this.kind === "rate_limited";
  }
}

/** TikTok's "auth_code is invalid, has been used, or has expired": a stale or forged consent link, not an outage. */
export const isRefusedAuthCode = (error: unknown): error is TikTokApiError => error instanceof TikTokApiError && error.code === 40110;

