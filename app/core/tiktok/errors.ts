// The one place that knows what TikTok's return codes mean for the rest of the app.
// Callers branch on `kind`, never on raw codes:
//   `auth`         → the grant is gone: ask the merchant to reconnect; work waits, then goes.
//   `rate_limited` → back off and retry later.
//   `retryable`    → TikTok (or a gateway in front of it) failed: retry (events until their horizon; core/retry-policy.ts).
//   `invalid`      → the request itself is wrong: fail visibly with TikTok's message.
//   `unknown`      → a code TikTok's table does not have: retry a few times, then fail visibly.
//
// The codes come from TikTok's own table (tiktok/tiktok-business-api-sdk,
// python_sdk/business_api_client/tiktok_business/tiktok_code.py at f809c396); the class of each
// and why are in docs/decisions/0015-tiktok-sources.md.

type TikTokErrorKind = "auth" | "rate_limited" | "retryable" | "invalid" | "unknown";

/** Every code in TikTok's table (tiktok_code.py), so anything else is recognisably `unknown`. */
const KNOWN_CODES = new Set([
  0, 20001, 40000, 40001, 40002, 40003, 40006, 40007, 40008, 40009, 40010, 40011, 40012, 40013, 40014, 40016, 40050, 40051, 40052,
  40053, 40061, 40062, 40063, 40100, 40101, 40102, 40103, 40104, 40105, 40106, 40107, 40108, 40109, 40110, 40112, 40113, 40114,
  40115, 40116, 40117, 40118, 40119, 40120, 40121, 40122, 40124, 40125, 40126, 40127, 40128, 40129, 40130, 40131, 40132, 41001,
  41002, 41013, 40200, 40201, 40202, 40300, 40301, 40302, 40309, 40400, 40502, 40700, 40900, 40901, 40902, 40903, 40904, 40905,
  40906, 40907, 40908, 40909, 40910, 40911, 40912, 40913, 40914, 40915, 40916, 41000, 50000, 50002, 51000, 51001, 51002, 51003,
  51004, 51005, 51006, 51007, 51008, 51009, 51010, 51011, 51012, 51014, 51015, 51016, 51017, 51018, 51019, 51020, 51030, 51031,
  51032, 51033, 51034, 51035, 51036, 51037, 51038, 51039, 51040, 51041, 51042, 51043, 51044, 51045, 51046, 51047, 51048, 51049,
  51050, 51051, 51052, 51053, 51054, 51055, 51056, 51057, 51058, 51059, 51060, 51061, 51062, 51063, 51064, 51065, 51066, 51067,
  51099, 52000, 52001, 52002, 52003, 52100, 52101, 52102, 52103, 52201, 52202, 52203, 52204, 53102, 53103, 60001, 61000, 70001,
]);

// The token, the grant or the advertiser's login is gone; only the merchant approving again fixes it.
// ACCESS_TOKEN_EXPIRE, REFRESH_TOKEN_EXPIRE, EMPTY_ACCESS_TOKEN, INVALID_ACCESS_TOKEN, INVALID_CORE_USER,
// INVALID_REFRESH_TOKEN, ADVERTISER_LOGOUT, TIKTOK_USER_NOT_LOGGED_IN, SCOPE_NOT_AUTHORIZED,
// SCOPE_TT_USER_OAUTH_FAILED, REQUIRE_LOGIN.
const AUTH_CODES = new Set([40102, 40103, 40104, 40105, 40106, 40107, 40114, 40120, 40130, 40131, 40309]);
// BIZ_FC_ERROR (frequency control), REQUEST_TOO_FREQUENT, REQUEST_FREQUENCY_LIMITED, TOO_MANY_REQUESTS_BL.
const RATE_LIMIT_CODES = new Set([40016, 40100, 40132, 61000]);
// Not server families, but transient by name: async task not ready / write conflict, fetch timeouts.
const RETRYABLE_REQUEST_CODES = new Set([40200, 40201, 40202, 40902, 40913]);

/**
 * Decide the class of a failed call from TikTok's envelope `code` (null when there was none)
 * and the HTTP status (null when no response arrived: timeout or network error).
 *
 * 40101 (INVALID_PARTNER: our app_id/secret) and 40110 (AUTH_CODE_ERROR: a stale consent
 * redirect) stay `invalid`: reconnecting the stored connection fixes neither. 70001
 * (INVALID_BIZ_AUTH_TYPE) is a wrong kind of credential for the endpoint, our configuration.
 */
export function classifyTikTokCode(code: number | null, httpStatus: number | null): TikTokErrorKind {
  if (code !== null && code !== 0) {
    if (!KNOWN_CODES.has(code)) return "unknown";
    if (RATE_LIMIT_CODES.has(code)) return "rate_limited";
    if (AUTH_CODES.has(code)) return "auth";
    if (RETRYABLE_REQUEST_CODES.has(code)) return "retryable";
    // 50000, 50002, 51xxx service, 52xxx storage, 53xxx (de)serialisation, 60001 maintenance.
    if (code >= 50000 && code < 70000) return "retryable";
    // 20001 (PARTIAL_OK) reaching here means TikTok did not accept the whole request; the
    // SDK raises on it too (api_client.py:324). Endpoints that can use a partial answer
    // handle it before classifying.
    return "invalid";
  }
  // No envelope (or a "success" envelope on an HTTP error): a gateway, proxy or outage page,
  // not TikTok's verdict on our request. TikTok's specs only ever describe HTTP 200.
  if (httpStatus === 429) return "rate_limited";
  return "retryable";
}

export class TikTokApiError extends Error {
  readonly kind: TikTokErrorKind;
  readonly code: number | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  /** TikTok's own `message` (or ours for timeouts, gateway pages and network errors), safe to show. */
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

  /** Worth trying again later (each caller bounds `retryable` and `unknown` itself). */
  get retryable(): boolean {
    return this.kind === "retryable" || this.kind === "rate_limited" || this.kind === "unknown";
  }
}

/** TikTok's "auth_code is invalid, has been used, or has expired": a stale or forged consent link, not an outage. */
export const isRefusedAuthCode = (error: unknown): error is TikTokApiError => error instanceof TikTokApiError && error.code === 40110;

