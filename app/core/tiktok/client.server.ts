// The typed TikTok Business API client. This module (with errors.ts) is the only place in the
// app that knows TikTok's URLs, parameter encodings and response envelopes, as TikTok's Business
// API documentation gives them; docs/decisions/0006 has the readings we chose where that
// documentation is unconfirmed, and sandbox/ enforces the same contracts.
//
// It never retries: the callers (event outbox, spend sync) persist attempts and own the retry
// policy, and decide from TikTokApiError.kind.
import { z } from "zod";
import { env } from "~/core/env.server";
import { chunks } from "~/core/lib/chunks";
import { parseJsonLossless } from "~/core/lib/json-ids";
import { createQuotaLimiter, type QuotaLimiter } from "~/core/lib/rate-limit.server";
import { TikTokApiError } from "./errors";
import type { TikTokEventItem } from "./event";
import { redact } from "./redact";
import { PURCHASE_METRICS, SPEND_REPORT, spendRows, type SpendLevel, type SpendReportRow } from "./spend-report";


const TIKTOK_API_PREFIX = "/open_api/v1.3";

/** Every Business API path the app calls. The trailing slash is part of the contract (404 without it). */
const TIKTOK_PATHS = {
  accessToken: "/oauth2/access_token/",
  revokeToken: "/oauth2/revoke_token/",
  authorizedAdvertisers: "/oauth2/advertiser/get/",
  advertiserInfo: "/advertiser/info/",
  pixelList: "/pixel/list/",
  eventTrack: "/event/track/",
  integratedReport: "/report/integrated/get/",
} as const;

export type TikTokPath = (typeof TIKTOK_PATHS)[keyof typeof TIKTOK_PATHS];

export const MAX_EVENTS_PER_REQUEST = 1_000;
const PIXEL_PAGE_SIZE = 20;
export const MAX_REPORT_PAGE_SIZE = 1_000;
/** Inclusive day count per report request with a `stat_time_day` dimension. */
export const MAX_REPORT_DAYS = 30;
/** Without a time dimension a request may cover a year. */
const MAX_REPORT_DAYS_NO_TIME_DIMENSION = 365;
/** TikTok's limit is unconfirmed (too many → 40011); 100 matches its other id filters. */
const MAX_IDS_PER_FILTER = 100;
// A guard against a `page_info` that never ends; 500 pages of 1,000 rows is far beyond any shop.
const MAX_PAGES = 500;

export type TikTokLogEntry = {
  method: "GET" | "POST";
  path: TikTokPath;
  httpStatus: number | null;
  code: number | null;
  requestId: string | null;
  durationMs: number;
  /** Set for failed calls. */
  kind?: TikTokApiError["kind"];
  message?: string;
};

/** Receives one entry per HTTP call; entries never contain tokens, secrets, bodies or query strings. */
type TikTokLogger = {
  info?(message: string, entry: TikTokLogEntry): void;
  warn?(message: string, entry: TikTokLogEntry): void;
};

type TikTokClientOptions = {
  baseUrl: string;
  appId: string;
  secret: string;
  /** Per HTTP call, from sending the request to reading the whole body. Default 10 s. */
  timeoutMs?: number;
  /** App-wide Business API quota, keyed by advertiser. Not applied to `/event/track/`. */
  limiter?: QuotaLimiter;
  /** `/event/track/` has its own, much larger quota (1,000 QPS); keyed by pixel code. */
  eventsLimiter?: QuotaLimiter;
  fetch?: typeof fetch;
  logger?: TikTokLogger;
};

export type ReportDataLevel = "AUCTION_CAMPAIGN" | "AUCTION_ADGROUP";

export type ReportFilter = { field_name: string; filter_type: string; filter_value: string };

export type IntegratedReportParams = {
  advertiserId: string;
  dataLevel: ReportDataLevel;
  dimensions: string[];
  metrics: string[];
  /** `YYYY-MM-DD`, inclusive, in the advertiser's time zone. */
  startDate: string;
  endDate: string;
  filtering?: ReportFilter[];
  page?: number;
  pageSize?: number;
};

type ReportRow = { dimensions: Record<string, string>; metrics: Record<string, string> };
type PageInfo = { page: number; pageSize: number; totalNumber: number; totalPage: number };

type TrackEventsResult = {
  requestId: string;
  code: number;
  message: string;
};

// ---------------------------------------------------------------------------------------------
// Response schemas: only what we use. v1.3 ids are strings and can exceed 2^53; the body parser
// turns unsafe integers into strings, and a number that still lost precision is refused.

const id = z.union([z.string().min(1), z.number()]).transform((value, ctx) => {
  if (typeof value === "string") return value;
  if (Number.isSafeInteger(value)) return String(value);
  ctx.addIssue({ code: "custom", message: "an id above 2^53 arrived as a JSON number and lost precision" });
  return z.NEVER;
});
const text = z.union([z.string(), z.number(), z.null()]).transform((v) => (v === null ? "" : String(v)));

// TikTok's specs mark all four fields nullable, and `code` as "shown only if it is an error
// request" (yml_files/report_integrated_get.yml:458-490 at f809c396); docs/decisions/0015.
const envelope = z
  .object({
    code: z.number().int().nullish(),
    message: z.string().nullish(),
    request_id: z.string().nullish(),
    data: z.unknown().optional(),
  })
  // A JSON object with none of the envelope's fields (a proxy's `{"error": ...}`) is not TikTok's answer.
  .refine((e) => e.code != null || e.message != null || e.request_id != null || e.data !== undefined);

/**
 * Endpoints whose TikTok spec says a success may carry no `code`; elsewhere (no spec) a 2xx
 * without a code is not taken as success.
 */
const CODE_OPTIONAL_ON_SUCCESS: ReadonlySet<string> = new Set(["/report/integrated/get/", "/pixel/list/", "/advertiser/info/"]);

/** What a response without a TikTok envelope looked like, for the merchant and the logs. */
function describeNonEnvelope(httpStatus: number | null, raw: string): string {
  const body = raw.trim() === "" ? "an empty body" : /^\s*</.test(raw) ? "an HTML page" : `a body that is not TikTok's (${raw.length} bytes)`;
  return `TikTok's gateway answered HTTP ${httpStatus} with ${body}, not a TikTok response`;
}

const pageInfoSchema = z
  .object({
    page: z.coerce.number().int(),
    page_size: z.coerce.number().int(),
    total_number: z.coerce.number().int(),
    total_page: z.coerce.number().int(),
  })
  .transform((p) => ({ page: p.page, pageSize: p.page_size, totalNumber: p.total_number, totalPage: p.total_page }));

const accessTokenData = z.object({
  access_token: z.string().min(1),
  advertiser_ids: z.array(id).default([]),
  scope: z.unknown().optional(),
  // Marketing API tokens are long-lived and carry neither; kept if TikTok ever sends them.
  refresh_token: z.string().optional(),
  expires_in: z.number().optional(),
});

const advertisersData = z.object({
  list: z.array(z.object({ advertiser_id: id, advertiser_name: text })).default([]),
});

const advertiserInfoData = z.object({
  list: z.array(z.object({ advertiser_id: id, name: text, currency: z.string(), timezone: z.string() })).default([]),
});

const pixelListData = z.object({
  pixels: z.array(z.object({ pixel_id: id, pixel_code: z.string(), pixel_name: text })).default([]),
  page_info: pageInfoSchema,
});

const stringRecord = z.record(text);
const reportData = z.object({
  list: z.array(z.object({ dimensions: stringRecord, metrics: stringRecord })).default([]),
  page_info: pageInfoSchema,
});

// ---------------------------------------------------------------------------------------------

type CallSpec = {
  method: "GET" | "POST";
  path: TikTokPath;
  accessToken?: string;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  limiter?: QuotaLimiter;
  limiterKey?: string;
};

type CallResult = { code: number; message: string; requestId: string; data: unknown };

/** Query values: strings as-is, arrays and objects JSON-encoded (TikTok's convention). */
function encodeQuery(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.set(key, typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : "";
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function dayNumber(date: string, field: string): number {
  const ms = DATE.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw invalidRequest(TIKTOK_PATHS.integratedReport, `${field} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  return ms / 86_400_000;
}

/** `fetch failed: connect ECONNREFUSED 127.0.0.1:4010` rather than just `fetch failed`. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? cause.cause.message : undefined;
  return inner && inner !== cause.message ? `${cause.message}: ${inner}` : cause.message;
}

/** Removes the query string and any credential from text that may end up in logs or the UI. */
function scrub(text: string, url: string, secrets: unknown[]): string {
  let out = text.split(url).join(url.split("?")[0]);
  for (const value of secrets) if (typeof value === "string" && value) out = out.split(value).join(redact(value));
  return out;
}

function invalidRequest(path: TikTokPath, message: string) {
  return new TikTokApiError({ kind: "invalid", code: null, httpStatus: null, endpoint: path, message });
}

export function createTikTokClient(options: TikTokClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Resolved per call, so a fetch wrapped after the client was built (tests, tracing) is honoured.
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const { appId, secret, logger } = options;

  function log(entry: TikTokLogEntry) {
    if (entry.kind) logger?.warn?.(`tiktok ${entry.method} ${entry.path} failed`, entry);
    else logger?.info?.(`tiktok ${entry.method} ${entry.path}`, entry);
  }

  async function call(spec: CallSpec): Promise<CallResult> {
    // Waiting for quota is not part of the HTTP timeout.
    await spec.limiter?.acquire(spec.limiterKey);

    const url = `${baseUrl}${TIKTOK_API_PREFIX}${spec.path}${encodeQuery(spec.query ?? {})}`;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (spec.accessToken !== undefined) headers["Access-Token"] = spec.accessToken;
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";

    const started = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let httpStatus: number | null = null;
    const fail = (error: TikTokApiError): never => {
      log({
        method: spec.method,
        path: spec.path,
        httpStatus: error.httpStatus,
        code: error.code,
        requestId: error.requestId,
        durationMs: Date.now() - started,
        kind: error.kind,
        message: error.tiktokMessage,
      });
      throw error;
    };

    let raw: string;
    try {
      const response = await doFetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
        redirect: "manual",
      });
      httpStatus = response.status;
      raw = await response.text();
    } catch (cause) {
      const timedOut = controller.signal.aborted;
      return fail(
        new TikTokApiError({
          kind: "retryable",
          code: null,
          httpStatus,
          endpoint: spec.path,
          // The raw cause is not attached: fetch errors can quote the URL, and ours may carry the app secret.
          message: timedOut ? `no response within ${timeoutMs} ms` : `network error: ${scrub(describeCause(cause), url, [secret, spec.accessToken, spec.body?.auth_code, spec.body?.access_token])}`,
        }),
      );
    } finally {
      clearTimeout(timer);
    }

    let parsed: z.infer<typeof envelope> | null = null;
    try {
      // v1.3 ids can exceed 2^53; should TikTok ever send one as a bare number, keep it exact.
      const result = envelope.safeParse(parseJsonLossless(raw));
      if (result.success) parsed = result.data;
    } catch {
      // Not JSON: a gateway error page, an empty body. Classified by HTTP status below.
    }

    const ok = httpStatus !== null && httpStatus >= 200 && httpStatus < 300;
    if (!parsed) {
      return fail(new TikTokApiError({ code: null, httpStatus, endpoint: spec.path, message: describeNonEnvelope(httpStatus, raw) }));
    }

    const requestId = parsed.request_id ?? null;
    const code = parsed.code ?? null;
    const message = parsed.message ?? "";
    if (code !== null && code !== 0) {
      // TikTok's code decides, whatever the HTTP status (a 40002 inside an HTTP 400 is still 40002).
      return fail(new TikTokApiError({ code, httpStatus, requestId, endpoint: spec.path, message: message || `code ${code}` }));
    }
    if (!ok) {
      // An HTTP error with a "success" or code-less envelope: the HTTP status decides.
      return fail(new TikTokApiError({ code: null, httpStatus, requestId, endpoint: spec.path, message: message || `HTTP ${httpStatus}` }));
    }
    if (code === null && !CODE_OPTIONAL_ON_SUCCESS.has(spec.path)) {
      return fail(
        new TikTokApiError({
          kind: "unknown",
          code: null,
          httpStatus,
          requestId,
          endpoint: spec.path,
          message: `TikTok answered HTTP ${httpStatus} without a result code${message ? `: ${message}` : ""}`,
        }),
      );
    }

    log({ method: spec.method, path: spec.path, httpStatus, code, requestId, durationMs: Date.now() - started });
    return { code: code ?? 0, message, requestId: requestId ?? "", data: parsed.data };
  }

  function parseData<S extends z.ZodTypeAny>(path: TikTokPath, schema: S, result: CallResult): z.output<S> {
    const parsed = schema.safeParse(result.data ?? {});
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new TikTokApiError({
      kind: "invalid",
      code: result.code,
      httpStatus: 200,
      requestId: result.requestId || null,
      endpoint: path,
      message: `response data does not match the documented shape at ${issue.path.join(".") || "data"}: ${issue.message}`,
    });
  }

  async function get<S extends z.ZodTypeAny>(
    path: TikTokPath,
    schema: S,
    accessToken: string,
    query: Record<string, unknown>,
    limiterKey?: string,
  ): Promise<z.output<S>> {
    const result = await call({ method: "GET", path, accessToken, query, limiter: options.limiter, limiterKey });
    return parseData(path, schema, result);
  }

  /** Walks `page` until `page_info.total_page`, one request per page. */
  async function allPages<T>(fetchPage: (page: number) => Promise<{ items: T[]; pageInfo: PageInfo }>): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const result = await fetchPage(page);
      items.push(...result.items);
      if (page >= result.pageInfo.totalPage || result.items.length === 0) return items;
    }
    throw new TikTokApiError({ kind: "invalid", code: null, httpStatus: null, message: `more than ${MAX_PAGES} pages; refusing to continue` });
  }

  return {
    /** Where to send the merchant to grant access; TikTok redirects back with `auth_code` and the same `state`. */
    authorizationUrl({ state, redirectUri }: { state: string; redirectUri: string }): string {
      const params = new URLSearchParams({ app_id: appId, state, redirect_uri: redirectUri });
      return `${baseUrl}/portal/auth?${params}`;
    },

    /** Exchanges a single-use `auth_code` for a long-lived advertiser token. 40110/40101 surface as `invalid`. */
    async exchangeAuthCode(authCode: string) {
      const path = TIKTOK_PATHS.accessToken;
      const result = await call({
        method: "POST",
        path,
        body: { app_id: appId, secret, auth_code: authCode },
        limiter: options.limiter,
      });
      const data = parseData(path, accessTokenData, result);
      return {
        accessToken: data.access_token,
        advertiserIds: data.advertiser_ids,
        scope: data.scope as unknown,
        refreshToken: data.refresh_token,
        expiresIn: data.expires_in,
      };
    },

    /**
     * Revokes a token (on uninstall or disconnect). A token TikTok already considers dead
     * (`auth` errors) counts as revoked, so the call is idempotent.
     */
    async revokeToken(accessToken: string): Promise<void> {
      try {
        await call({
          method: "POST",
          path: TIKTOK_PATHS.revokeToken,
          body: { app_id: appId, secret, access_token: accessToken },
          limiter: options.limiter,
        });
      } catch (error) {
        if (error instanceof TikTokApiError && error.kind === "auth") return;
        throw error;
      }
    },

    /** Advertisers the merchant granted this token. */
    async listAdvertisers(accessToken: string) {
      const data = await get(TIKTOK_PATHS.authorizedAdvertisers, advertisersData, accessToken, { app_id: appId, secret });
      return data.list.map((a) => ({ advertiserId: a.advertiser_id, advertiserName: a.advertiser_name }));
    },

    /** Name, account currency and account time zone (spend and report dates are in these). */
    async advertiserInfo(accessToken: string, advertiserIds: string[]) {
      const out: { advertiserId: string; name: string; currency: string; timezone: string }[] = [];
      for (const chunk of chunks([...new Set(advertiserIds)], MAX_IDS_PER_FILTER)) {
        const data = await get(TIKTOK_PATHS.advertiserInfo, advertiserInfoData, accessToken, {
          advertiser_ids: chunk,
          fields: ["advertiser_id", "name", "currency", "timezone"],
        });
        for (const a of data.list) out.push({ advertiserId: a.advertiser_id, name: a.name, currency: a.currency, timezone: a.timezone });
      }
      return out;
    },

    /** Every pixel of the advertiser (TikTok pages them by at most 20). */
    async listPixels(accessToken: string, advertiserId: string) {
      return allPages(async (page) => {
        const data = await get(
          TIKTOK_PATHS.pixelList,
          pixelListData,
          accessToken,
          { advertiser_id: advertiserId, page, page_size: PIXEL_PAGE_SIZE },
          advertiserId,
        );
        return {
          items: data.pixels.map((p) => ({ pixelCode: p.pixel_code, pixelName: p.pixel_name, pixelId: p.pixel_id })),
          pageInfo: data.page_info,
        };
      });
    },

    /**
     * Sends up to 1,000 Events API 2.0 events for one pixel. Resolves only when TikTok accepted
     * the request (code 0); anything else throws a TikTokApiError. A 20001 partial success is an
     * error, as in TikTok's SDK (api_client.py:324): which events TikTok kept is not documented.
     */
    async trackEvents(
      accessToken: string,
      input: { pixelCode: string; events: readonly TikTokEventItem[]; testEventCode?: string; partnerName?: string },
    ): Promise<TrackEventsResult> {
      const path = TIKTOK_PATHS.eventTrack;
      if (input.events.length === 0) throw invalidRequest(path, "no events to send");
      if (input.events.length > MAX_EVENTS_PER_REQUEST) {
        throw invalidRequest(path, `${input.events.length} events in one request; TikTok accepts at most ${MAX_EVENTS_PER_REQUEST}`);
      }
      const body: Record<string, unknown> = { event_source: "web", event_source_id: input.pixelCode };
      if (input.testEventCode) body.test_event_code = input.testEventCode;
      if (input.partnerName) body.partner_name = input.partnerName;
      body.data = input.events;
      const result = await call({
        method: "POST",
        path,
        accessToken,
        body,
        limiter: options.eventsLimiter,
        limiterKey: input.pixelCode,
      });
      return { requestId: result.requestId, code: result.code, message: result.message };
    },

    /**
     * One page of daily spend at one level, as typed rows (dates in the ad account's time zone).
     * Deleted campaigns and ad groups are included: their money was spent.
     */
    async spendReport(
      accessToken: string,
      params: { advertiserId: string; level: SpendLevel; startDate: string; endDate: string; page: number; pageSize?: number },
    ): Promise<{ rows: SpendReportRow[]; pageInfo: PageInfo }> {
      const { level, ...range } = params;
      const request = SPEND_REPORT[level];
      let page;
      try {
        page = await this.integratedReport(accessToken, { ...range, ...request });
      } catch (error) {
        // TikTok refused one of its purchase metrics (an account or level that has none): the spend
        // still counts, so the page is asked again without them and its purchase figures stay
        // "not reported" (null), never 0. Costs one more request for such a page. ADR 0008.
        const refusedPurchaseMetric =
          error instanceof TikTokApiError && error.kind === "invalid" && error.code !== null && PURCHASE_METRICS.some((m) => error.tiktokMessage.includes(m));
        if (!refusedPurchaseMetric) throw error;
        const metrics = request.metrics.filter((m) => !(PURCHASE_METRICS as readonly string[]).includes(m));
        page = await this.integratedReport(accessToken, { ...range, ...request, metrics });
      }
      return { rows: spendRows(level, page.list), pageInfo: page.pageInfo };
    },

    /** One page of `/report/integrated/get/` (BASIC report). */
    async integratedReport(accessToken: string, params: IntegratedReportParams): Promise<{ list: ReportRow[]; pageInfo: PageInfo }> {
      const path = TIKTOK_PATHS.integratedReport;
      const start = dayNumber(params.startDate, "startDate");
      const end = dayNumber(params.endDate, "endDate");
      const days = end - start + 1;
      if (days < 1) throw invalidRequest(path, `startDate ${params.startDate} is after endDate ${params.endDate}`);
      const hasTime = params.dimensions.some((d) => d.startsWith("stat_time_"));
      const maxDays = hasTime ? MAX_REPORT_DAYS : MAX_REPORT_DAYS_NO_TIME_DIMENSION;
      if (days > maxDays) throw invalidRequest(path, `${days} days requested; TikTok allows at most ${maxDays} per request here`);
      const page = params.page ?? 1;
      const pageSize = params.pageSize ?? MAX_REPORT_PAGE_SIZE;
      if (!Number.isInteger(page) || page < 1) throw invalidRequest(path, `page must be an integer >= 1, got ${page}`);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_REPORT_PAGE_SIZE) {
        throw invalidRequest(path, `pageSize must be an integer between 1 and ${MAX_REPORT_PAGE_SIZE}, got ${pageSize}`);
      }
      const data = await get(
        path,
        reportData,
        accessToken,
        {
          advertiser_id: params.advertiserId,
          service_type: "AUCTION",
          report_type: "BASIC",
          data_level: params.dataLevel,
          dimensions: params.dimensions,
          metrics: params.metrics,
          start_date: params.startDate,
          end_date: params.endDate,
          filtering: params.filtering?.length ? params.filtering : undefined,
          page,
          page_size: pageSize,
        },
        params.advertiserId,
      );
      return { list: data.list, pageInfo: data.page_info };
    },
  };
}

export type TikTokClient = ReturnType<typeof createTikTokClient>;

let cached: TikTokClient | undefined;

/**
 * This process's share of an app-wide quota when INSTANCE_COUNT processes call TikTok with the
 * same app: an equal split, rounded down, never below 1 (docs/decisions/0016).
 */
const instanceShare = (limit: number, instances: number) => Math.max(1, Math.floor(limit / instances));

/** The process-wide client, configured from the validated environment. One limiter per process. */
export function tiktokClientFromEnv(): TikTokClient {
  if (cached) return cached;
  const e = env();
  const share = (limit: number) => instanceShare(limit, e.INSTANCE_COUNT);
  cached = createTikTokClient({
    baseUrl: e.TIKTOK_API_BASE_URL,
    appId: e.TIKTOK_APP_ID,
    secret: e.TIKTOK_APP_SECRET,
    timeoutMs: e.TIKTOK_TIMEOUT_MS,
    // 100 ms of guard: requests from several processes must not bunch up at TikTok's end when
    // one took longer on the wire than the next.
    limiter: createQuotaLimiter({ qps: share(e.TIKTOK_RATE_QPS), qpm: share(e.TIKTOK_RATE_QPM), guardMs: 100 }),
    // TikTok's /event/track/ bucket is the same at every tier; one pixel gets no share rule.
    eventsLimiter: createQuotaLimiter({ qps: share(1_000), qpm: share(600_000), perKey: false }),
    logger: {
      warn: (message, entry) => console.warn(message, entry),
    },
  });
  return cached;
}

