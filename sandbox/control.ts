// A typed client for the sandbox's /__sandbox/ inspection and control endpoints, for tests,
// benchmarks and scripts that run against a sandbox in-process or as a child process.

type SandboxFaultKind = "code" | "gateway" | "http_5xx" | "server_error" | "rate_limit" | "timeout" | "revoke" | "partial";

type SandboxFault = {
  /** `/event/track/`, `/open_api/v1.3/event/track/` or `*` for every Business API endpoint. */
  path: string;
  kind: SandboxFaultKind;
  /** The next N matching calls. With neither count nor duration_ms: the next call only. */
  count?: number;
  /** Every matching call for this long. */
  duration_ms?: number;
  /** The same in seconds. */
  duration_s?: number;
  /** code: the HTTP status of the envelope (default 200, as TikTok's specs show); gateway: 400–599 (default 502); http_5xx: 5xx (default 503). */
  status?: number;
  /** code only: the TikTok code to answer, e.g. 40114. */
  code?: number;
  /** code only: the envelope's message (default "sandbox fault: code N"). */
  message?: string;
  /** gateway only: an HTML page (default) or an empty body. */
  body?: "html" | "empty";
  /** partial only: the event_ids TikTok refuses; without it, the last event of each batch. */
  event_ids?: string[];
  /** timeout only: how long to hold the request before a 504; default 120 s. */
  hang_ms?: number;
};

type SandboxWorld = {
  advertisers: {
    advertiser_id: string;
    name: string;
    currency: string;
    timezone: string;
    pixels: { pixel_code: string; pixel_name: string }[];
    campaigns: { campaign_id: string; campaign_name: string; deleted: boolean }[];
    adgroups: { adgroup_id: string; adgroup_name: string; campaign_id: string; deleted: boolean }[];
  }[];
};

type SandboxReceivedEvent = { received_at: string; pixel_code: string; test_event_code: string | null; event: Record<string, unknown> };

type SandboxRequestLog = {
  counts: Record<string, number>;
  total: number;
  /** Requests refused with 40100 for going over the sandbox's `rateLimit`. */
  rate_limited: number;
  requests: { method: string; path: string; at: string; http_status: number; code: number | null; fault: SandboxFaultKind | null }[];
};

export function sandboxControl(baseUrl: string) {
  const base = baseUrl.replace(/\/+$/, "");
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${base}/__sandbox/${path}`, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = await response.json();
    if (!response.ok) throw new Error(`sandbox ${method} /__sandbox/${path}: HTTP ${response.status} ${JSON.stringify(payload)}`);
    return payload as T;
  }
  return {
    world: () => call<SandboxWorld>("GET", "world"),
    token: async (advertiserIds: string[]) =>
      (await call<{ access_token: string }>("POST", "tokens", { advertiser_ids: advertiserIds })).access_token,
    revoke: (accessToken: string) => call<{ revoked: true }>("POST", "revoke", { access_token: accessToken }),
    events: async () => (await call<{ events: SandboxReceivedEvent[] }>("GET", "events")).events,
    /** The storefront's TikTok pixel reports a purchase from the browser, at `at` (default now). */
    browserEvent: (e: { pixel_code: string; event: string; event_id: string; at?: string }) => call<{ outcome: "counted" | "merged" | "dropped" }>("POST", "browser-events", e),
    /** What TikTok would count of the purchases received (its deduplication rules, sandbox/dedup.ts). */
    /** TikTok served this click from this ad group: its purchases then count in the reports (sandbox/purchases.ts). */
    click: (ttclid: string, adgroupId: string, at?: Date) =>
      call<{ ttclid: string; adgroup_id: string; at: string }>("POST", "clicks", { ttclid, adgroup_id: adgroupId, ...(at ? { at: at.toISOString() } : {}) }),
    counted: () => call<{ counted: number; merged: number; dropped: number; events: { pixel_code: string; event: string; event_id: string; counted: number }[] }>("GET", "counted"),
    requests: () => call<SandboxRequestLog>("GET", "requests"),
    /** Calls made to one endpoint, e.g. `/report/integrated/get/`. */
    requestCount: async (path: string) => {
      const log = await call<SandboxRequestLog>("GET", "requests");
      return log.counts[path.startsWith("/open_api/") ? path : `/open_api/v1.3${path}`] ?? 0;
    },
    reset: () => call<{ ok: true }>("POST", "reset"),
    fault: (fault: SandboxFault) => call<{ fault: unknown }>("POST", "faults", fault),
    clearFaults: () => call<{ faults: [] }>("DELETE", "faults"),
    restate: (opts: { advertiser_id?: string; days?: number; dates?: string[]; factor?: number } = {}) =>
      call<{ restated: { advertiser_id: string; date: string; factor: number }[] }>("POST", "restate", opts),
  };
}

export type SandboxControl = ReturnType<typeof sandboxControl>;
