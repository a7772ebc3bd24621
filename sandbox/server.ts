// A local double of the TikTok Business API for development and tests. It is NOT TikTok: it
// implements the contracts in TikTok's Business API documentation strictly, over a small
// deterministic world, plus inspection and fault-injection endpoints under /__sandbox/.
// Plain node:http so it starts in-process in tests and as `npm run sandbox`.
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { SandboxApiError, SandboxLimit } from "./errors";
import { validateTrackBody } from "./events";
import { createDedupLedger } from "./dedup";
import { PURCHASE_EVENTS, createPurchaseBook } from "./purchases";
import { QueryParams } from "./params";
import { REPORT_PARAMS, integratedReport, type DeliveryModel } from "./reports";
import { addDays, buildWorld, localDate, type Advertiser, type World, type WorldOptions } from "./world";

export type { WorldOptions } from "./world";

export type SandboxOptions = {
  /** 0 picks a free port. Default 4010. */
  port?: number;
  host?: string;
  appId?: string;
  appSecret?: string;
  /** Skip the consent page: /portal/auth redirects back at once with a code for every advertiser. */
  autoApprove?: boolean;
  world?: WorldOptions;
  /** If set, /portal/auth only accepts these redirect URIs, like TikTok's registered list. */
  redirectUris?: string[];
  /** TikTok's clock. */
  now?: () => Date;
  /** Oldest accepted `event_time`, in days. Default 7 (docs/decisions/0006). */
  eventLookbackDays?: number;
  /** Accepted `event_time` ahead of the sandbox clock, in seconds. Default 60. */
  eventFutureSkewSeconds?: number;
  /** Auth code lifetime. Default 10 minutes, the shorter published reading. */
  authCodeTtlMs?: number;
  /** Enforce an app-wide quota on every endpoint but /event/track/, answering 40100 beyond it (on `now`'s clock). */
  rateLimit?: { qps: number; qpm: number };
  /** One line per API request. */
  log?: (line: string) => void;
};

export type Sandbox = { url: string; close(): Promise<void>; world: World };

const PREFIX = "/open_api/v1.3";
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_LOGGED_REQUESTS = 10_000;
const MAX_STORED_EVENTS = 200_000;

type Token = { advertiserIds: string[]; revoked: boolean };
type AuthCode = { advertiserIds: string[]; expiresAt: number; used: boolean };
type FaultKind = "code" | "gateway" | "http_5xx" | "server_error" | "rate_limit" | "timeout" | "revoke" | "partial";
type Fault = {
  id: number;
  path: string;
  kind: FaultKind;
  remaining: number | null;
  until: number | null;
  status: number;
  hang_ms: number;
  /** `code`: the TikTok code to answer, and its message. */
  code: number | null;
  message: string | null;
  /** `gateway`: what the page looks like. */
  body: "html" | "empty";
  /** `partial`: the event_ids TikTok refuses (a batch without any of them is not affected). */
  event_ids: string[] | null;
};
type ReceivedEvent = { received_at: string; pixel_code: string; test_event_code: string | null; event: unknown };
type LoggedRequest = { method: string; path: string; at: string; http_status: number; code: number | null; fault: FaultKind | null };

type ApiContext = {
  url: URL;
  path: string;
  body: unknown;
  /** The token record for the `Access-Token` header: 40104 when missing, 40105 when unknown or revoked. */
  token(): Token;
  tokenValue: string | undefined;
  /** The advertiser if the token may operate it, else 40001. */
  authorize(advertiserId: string): Advertiser;
  query(allowed: readonly string[]): QueryParams;
};

type Endpoint = { method: "GET" | "POST"; handle(ctx: ApiContext): unknown };

const FAULT_KINDS: FaultKind[] = ["code", "gateway", "http_5xx", "server_error", "rate_limit", "timeout", "revoke", "partial"];

function requestId() {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  return `${stamp}${randomBytes(10).toString("hex").toUpperCase()}`;
}

function escapeHtml(s: string) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Thrown by /event/track/ under a `partial` fault: answered as code 20001. */
class PartialSuccess {}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const appId = options.appId ?? "demo-tiktok-app";
  const appSecret = options.appSecret ?? "demo-tiktok-secret";
  const now = options.now ?? (() => new Date());
  const lookbackDays = options.eventLookbackDays ?? 7;
  const futureSkewSeconds = options.eventFutureSkewSeconds ?? 60;
  const authCodeTtlMs = options.authCodeTtlMs ?? 10 * 60_000;
  const world = buildWorld(options.world);

  const tokens = new Map<string, Token>();
  const authCodes = new Map<string, AuthCode>();
  let events: ReceivedEvent[] = [];
  /** What TikTok would count of the purchases it received, browser and server copies together. */
  const counted = createDedupLedger();
  let faults: Fault[] = [];
  let faultSeq = 0;
  let requests: LoggedRequest[] = [];
  let counts: Record<string, number> = {};
  const restatements = new Map<string, number>();
  const rateWindow: number[] = [];
  /** Requests refused with 40100 because the app went over `rateLimit` (faults not counted). */
  let rateLimited = 0;
  const hanging = new Set<{ timer: ReturnType<typeof setTimeout>; res: ServerResponse }>();

  const purchases = createPurchaseBook(world);
  const model: DeliveryModel = {
    world,
    now,
    factor: (advertiserId, date) => restatements.get(`${advertiserId}|${date}`) ?? 1,
    reportCache: new Map(),
    purchases,
  };

  const issueToken = (advertiserIds: string[]) => {
    const value = randomBytes(20).toString("hex");
    tokens.set(value, { advertiserIds: [...advertiserIds], revoked: false });
    return value;
  };

  const checkApp = (id: unknown, secret: unknown) => {
    if (id !== appId || secret !== appSecret) throw new SandboxApiError(40101, "The app_id or secret is invalid.");
  };

  // ---------------------------------------------------------------------------------------------
  // Business API endpoints

  const endpoints: Record<string, Endpoint> = {
    "/oauth2/access_token/": {
      method: "POST",
      handle(ctx) {
        const body = (ctx.body ?? {}) as Record<string, unknown>;
        checkApp(body.app_id, body.secret);
        const code = typeof body.auth_code === "string" ? authCodes.get(body.auth_code) : undefined;
        if (!code || code.used || code.expiresAt < now().getTime()) {
          throw new SandboxApiError(40110, "The auth_code is invalid, has been used, or has expired.");
        }
        code.used = true;
        return { access_token: issueToken(code.advertiserIds), advertiser_ids: code.advertiserIds, scope: [4, 44, 80, 100, 200, 210] };
      },
    },
    "/oauth2/revoke_token/": {
      method: "POST",
      handle(ctx) {
        const body = (ctx.body ?? {}) as Record<string, unknown>;
        checkApp(body.app_id, body.secret);
        const token = typeof body.access_token === "string" ? tokens.get(body.access_token) : undefined;
        if (!token || token.revoked) throw new SandboxApiError(40105, "Access token is incorrect or has been revoked.");
        token.revoked = true;
        return {};
      },
    },
    "/oauth2/advertiser/get/": {
      method: "GET",
      handle(ctx) {
        const token = ctx.token();
        const q = ctx.query(["app_id", "secret"]);
        checkApp(q.requiredString("app_id"), q.requiredString("secret"));
        return {
          list: token.advertiserIds.map((id) => ({ advertiser_id: id, advertiser_name: world.advertiser(id)?.name ?? "" })),
        };
      },
    },
    "/advertiser/info/": {
      method: "GET",
      handle(ctx) {
        ctx.token();
        const q = ctx.query(["advertiser_ids", "fields"]);
        const ids = q.stringArray("advertiser_ids", { max: 100 });
        if (!ids || ids.length === 0) throw new SandboxApiError(40002, "Missing required param: advertiser_ids");
        const known = ["advertiser_id", "name", "currency", "timezone", "display_timezone", "status", "balance", "country", "company", "industry", "create_time", "role"];
        const fields = q.stringArray("fields") ?? ["advertiser_id", "name", "currency", "timezone", "status", "country", "company"];
        for (const f of fields) if (!known.includes(f)) throw new SandboxApiError(40002, `Invalid value for fields: unknown field ${f}`);
        return {
          list: ids.map((id) => {
            const a = ctx.authorize(id);
            const row: Record<string, unknown> = {
              advertiser_id: a.advertiserId,
              name: a.name,
              currency: a.currency,
              timezone: a.timezone,
              display_timezone: a.timezone,
              status: "STATUS_ENABLE",
              balance: 1000,
              country: a.country,
              company: a.company,
              industry: "Retail",
              create_time: 1704067200,
              role: "ROLE_ADVERTISER",
            };
            return Object.fromEntries(fields.map((f) => [f, row[f]]));
          }),
        };
      },
    },
    "/pixel/list/": {
      method: "GET",
      handle(ctx) {
        ctx.token();
        const q = ctx.query(["advertiser_id", "pixel_id", "code", "name", "order_by", "filtering", "page", "page_size"]);
        const advertiser = ctx.authorize(q.requiredString("advertiser_id"));
        const page = q.int("page", { min: 1, fallback: 1 });
        const pageSize = q.int("page_size", { min: 1, max: 20, fallback: 20 });
        const orderBy = q.string("order_by") ?? "EARLIEST_CREATE";
        if (orderBy !== "EARLIEST_CREATE" && orderBy !== "LATEST_CREATE") {
          throw new SandboxApiError(40002, "Invalid value for order_by: must be EARLIEST_CREATE or LATEST_CREATE");
        }
        q.object("filtering");
        const code = q.string("code");
        const pixelId = q.string("pixel_id");
        const name = q.string("name");
        let pixels = advertiser.pixels.filter(
          (p) => (!code || p.pixelCode === code) && (!pixelId || p.pixelId === pixelId) && (!name || p.pixelName.includes(name)),
        );
        if (orderBy === "LATEST_CREATE") pixels = [...pixels].reverse();
        const total = pixels.length;
        return {
          pixels: pixels.slice((page - 1) * pageSize, page * pageSize).map((p) => ({
            pixel_id: p.pixelId,
            pixel_code: p.pixelCode,
            pixel_name: p.pixelName,
            pixel_category: "STANDARD",
            pixel_setup_mode: "DEVELOPER",
            create_time: p.createTime,
            events: [],
          })),
          page_info: { page, page_size: pageSize, total_number: total, total_page: Math.ceil(total / pageSize) },
        };
      },
    },
    "/event/track/": {
      method: "POST",
      handle(ctx) {
        const token = ctx.token();
        const body = validateTrackBody(ctx.body, {
          nowSeconds: Math.floor(now().getTime() / 1000),
          lookbackDays,
          futureSkewSeconds,
        });
        const owner = world.pixelOwner(body.event_source_id);
        if (!owner || !token.advertiserIds.includes(owner.advertiserId)) {
          throw new SandboxApiError(40001, `No permission to operate pixel ${body.event_source_id}.`);
        }
        const refused = takePartial(ctx.path, body.data);
        const receivedAt = now().toISOString();
        body.data.forEach((event, i) => {
          if (refused.has(i)) return;
          events.push({ received_at: receivedAt, pixel_code: body.event_source_id, test_event_code: body.test_event_code ?? null, event });
          if (body.test_event_code) return;
          const outcome = counted.record({ pixelCode: body.event_source_id, event: String(event.event), eventId: String(event.event_id ?? ""), source: "server", at: new Date(receivedAt) });
          // A purchase TikTok counts (not merged into or dropped after a browser copy) is in its reports.
          if (outcome === "counted" && PURCHASE_EVENTS.has(String(event.event)) && purchases.record(body.event_source_id, event as Record<string, unknown>)) model.reportCache?.clear();
        });
        if (events.length > MAX_STORED_EVENTS) events = events.slice(-MAX_STORED_EVENTS);
        // What TikTok's 20001 carries about each event is not in its sources; the sandbox says nothing.
        if (refused.size) throw new PartialSuccess();
        return {};
      },
    },
    "/report/integrated/get/": {
      method: "GET",
      handle(ctx) {
        ctx.token();
        return integratedReport(model, ctx.query(REPORT_PARAMS), ctx.authorize);
      },
    },
  };

  /** Indexes of the events a `partial` fault refuses in this batch (none: no 20001). */
  function takePartial(path: string, data: Record<string, unknown>[]): Set<number> {
    const at = Date.now();
    faults = faults.filter((f) => (f.remaining === null || f.remaining > 0) && (f.until === null || f.until > at));
    for (const fault of faults) {
      if (fault.kind !== "partial" || (fault.path !== "*" && fault.path !== path)) continue;
      const refused = new Set<number>();
      data.forEach((e, i) => {
        if (fault.event_ids ? fault.event_ids.includes(String(e.event_id)) : i === data.length - 1) refused.add(i);
      });
      if (refused.size === 0) continue;
      if (fault.remaining !== null) fault.remaining--;
      return refused;
    }
    return new Set();
  }

  function takeFault(path: string, kinds: FaultKind[]): Fault | null {
    const at = Date.now();
    faults = faults.filter((f) => (f.remaining === null || f.remaining > 0) && (f.until === null || f.until > at));
    const fault = faults.find((f) => kinds.includes(f.kind) && (f.path === "*" || f.path === path));
    if (!fault) return null;
    if (fault.remaining !== null) fault.remaining--;
    return fault;
  }

  function overRateLimit(): boolean {
    if (!options.rateLimit) return false;
    // The sandbox's clock: a simulation on a compressed or pinned clock is held to the quota in its own time.
    const at = now().getTime();
    while (rateWindow.length && rateWindow[0] <= at - 60_000) rateWindow.shift();
    const lastSecond = rateWindow.filter((t) => t > at - 1_000).length;
    if (lastSecond >= options.rateLimit.qps || rateWindow.length >= options.rateLimit.qpm) return true;
    rateWindow.push(at);
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // HTTP plumbing

  const sendJson = (res: ServerResponse, status: number, payload: unknown) => {
    const text = JSON.stringify(payload);
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  };

  const sendText = (res: ServerResponse, status: number, text: string, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  };

  function record(method: string, path: string, httpStatus: number, code: number | null, fault: FaultKind | null) {
    counts[path] = (counts[path] ?? 0) + 1;
    requests.push({ method, path, at: new Date().toISOString(), http_status: httpStatus, code, fault });
    if (requests.length > MAX_LOGGED_REQUESTS) requests = requests.slice(-MAX_LOGGED_REQUESTS);
    options.log?.(`${method} ${path} → ${httpStatus}${code === null ? "" : ` code ${code}`}${fault ? ` (fault ${fault})` : ""}`);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL) {
    const path = url.pathname.slice(PREFIX.length);
    const method = req.method ?? "GET";
    const endpoint = endpoints[path];
    // TikTok's gateway answers unknown paths, including a path without its trailing slash, with
    // a plain 404 and no envelope.
    if (!endpoint) {
      record(method, url.pathname, 404, null, null);
      return sendText(res, 404, "404 page not found");
    }
    if (method !== endpoint.method) {
      record(method, url.pathname, 405, null, null);
      return sendText(res, 405, "405 method not allowed");
    }
    const id = requestId();
    const envelope = (status: number, code: number | null, message: string, data: unknown, fault: FaultKind | null = null) => {
      record(method, url.pathname, status, code, fault);
      sendJson(res, status, { code, message, request_id: id, data });
    };

    // The path first: overRateLimit() records the request, and /event/track/ has its own bucket.
    if (path !== "/event/track/" && overRateLimit()) {
      rateLimited++;
      return envelope(200, 40100, "Too many requests. Please retry in some time.", {});
    }

    const tokenValue = req.headers["access-token"] as string | undefined;
    const fault = takeFault(path, ["code", "gateway", "http_5xx", "server_error", "rate_limit", "timeout", "revoke"]);
    if (fault) {
      switch (fault.kind) {
        case "code":
          return envelope(fault.status, fault.code!, fault.message ?? `sandbox fault: code ${fault.code}`, {}, fault.kind);
        case "gateway":
          record(method, url.pathname, fault.status, null, fault.kind);
          if (fault.body === "empty") {
            res.writeHead(fault.status, { "Content-Length": 0 });
            return res.end();
          }
          return sendText(res, fault.status, `<html><head><title>${fault.status}</title></head><body><h1>${fault.status}</h1><p>gateway</p></body></html>`, "text/html");
        case "http_5xx":
          record(method, url.pathname, fault.status, null, fault.kind);
          return sendText(res, fault.status, "<html><body><h1>Service Unavailable</h1></body></html>", "text/html");
        case "server_error":
          return envelope(200, 50000, "Internal service error. Please try again later.", {}, fault.kind);
        case "rate_limit":
          return envelope(200, 40100, "Too many requests. Please retry in some time.", {}, fault.kind);
        case "revoke": {
          const token = tokenValue ? tokens.get(tokenValue) : undefined;
          if (token) token.revoked = true;
          return envelope(200, 40105, "Access token is incorrect or has been revoked.", {}, fault.kind);
        }
        case "timeout": {
          record(method, url.pathname, 0, null, fault.kind);
          // Hold the request open; the client's timeout fires first. Closing the sandbox (or the
          // client hanging up) ends it.
          const entry = {
            res,
            timer: setTimeout(() => {
              hanging.delete(entry);
              if (!res.writableEnded) sendText(res, 504, "504 gateway timeout");
            }, fault.hang_ms),
          };
          hanging.add(entry);
          res.on("close", () => {
            clearTimeout(entry.timer);
            hanging.delete(entry);
          });
          return;
        }
      }
    }

    let body: unknown;
    if (method === "POST") {
      const raw = await readBody(req);
      const type = req.headers["content-type"] ?? "";
      if (!/^application\/json\b/i.test(type)) {
        return envelope(200, 40002, "Invalid Content-Type: requests must be sent as application/json.", {});
      }
      try {
        body = raw === "" ? undefined : JSON.parse(raw);
      } catch {
        return envelope(200, 40002, "Invalid request body: not valid JSON.", {});
      }
    }

    const ctx: ApiContext = {
      url,
      path,
      body,
      tokenValue,
      token() {
        if (!tokenValue) throw new SandboxApiError(40104, "Access token is null, you should set it in http header with key Access-Token.");
        const token = tokens.get(tokenValue);
        if (!token || token.revoked) throw new SandboxApiError(40105, "Access token is incorrect or has been revoked.");
        return token;
      },
      authorize(advertiserId) {
        const advertiser = world.advertiser(advertiserId);
        if (!advertiser || !ctx.token().advertiserIds.includes(advertiserId)) {
          throw new SandboxApiError(40001, `No permission to operate advertiser ${advertiserId}.`);
        }
        return advertiser;
      },
      query: (allowed) => new QueryParams(url.searchParams, allowed),
    };

    try {
      const data = await endpoint.handle(ctx);
      envelope(200, 0, "OK", data);
    } catch (error) {
      if (error instanceof PartialSuccess) return envelope(200, 20001, "Partial success.", {});
      if (error instanceof SandboxLimit) return envelope(501, null, error.message, null);
      if (!(error instanceof SandboxApiError)) throw error;
      envelope(error.httpStatus, error.code, error.message, {});
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The consent page

  function portalPage(res: ServerResponse, params: { state: string; redirectUri: string; error?: string }) {
    const rows = world.advertisers
      .map(
        (a) => `<label><input type="checkbox" name="advertiser_ids" value="${escapeHtml(a.advertiserId)}" checked>
          ${escapeHtml(a.name)} <small>(${escapeHtml(a.advertiserId)}, ${escapeHtml(a.currency)}, ${escapeHtml(a.timezone)})</small></label>`,
      )
      .join("<br>\n");
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TikTok sandbox – authorize ${escapeHtml(appId)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;line-height:1.6}.note{background:#fff4e5;padding:.5rem 1rem;border-radius:6px}.error{color:#b00020}</style>
</head><body>
<p class="note">Development sandbox: a local double of TikTok for Business. This is not TikTok.</p>
<h1>Authorize app <code>${escapeHtml(appId)}</code></h1>
<p>The app asks to read your ad accounts, reports, campaigns and pixels, and to send conversion events.</p>
${params.error ? `<p class="error" role="alert">${escapeHtml(params.error)}</p>` : ""}
<form method="post" action="/portal/auth">
<input type="hidden" name="app_id" value="${escapeHtml(appId)}">
<input type="hidden" name="state" value="${escapeHtml(params.state)}">
<input type="hidden" name="redirect_uri" value="${escapeHtml(params.redirectUri)}">
<fieldset><legend>Ad accounts to grant</legend>
${rows}
</fieldset>
<p><button type="submit">Approve</button></p>
</form>
</body></html>`;
    sendText(res, params.error ? 400 : 200, html, "text/html; charset=utf-8");
  }

  function approve(res: ServerResponse, redirectUri: string, state: string, advertiserIds: string[]) {
    const code = randomBytes(16).toString("hex");
    authCodes.set(code, { advertiserIds, expiresAt: now().getTime() + authCodeTtlMs, used: false });
    const target = new URL(redirectUri);
    target.searchParams.set("auth_code", code);
    target.searchParams.set("state", state);
    res.writeHead(302, { Location: target.toString() });
    res.end();
  }

  async function handlePortal(req: IncomingMessage, res: ServerResponse, url: URL) {
    let params: URLSearchParams = url.searchParams;
    if (req.method === "POST") params = new URLSearchParams(await readBody(req));
    else if (req.method !== "GET") throw new HttpError(405, "method not allowed");
    if (params.get("app_id") !== appId) throw new HttpError(400, `Unknown app_id ${params.get("app_id") ?? "(missing)"}.`);
    const redirectUri = params.get("redirect_uri") ?? "";
    if (!/^https?:\/\//.test(redirectUri) || !URL.canParse(redirectUri)) throw new HttpError(400, "redirect_uri must be an absolute http(s) URL.");
    if (options.redirectUris && !options.redirectUris.includes(redirectUri)) {
      throw new HttpError(400, "redirect_uri is not one of the app's registered redirect URLs.");
    }
    const state = params.get("state") ?? "";
    if (req.method === "GET") {
      if (options.autoApprove) return approve(res, redirectUri, state, world.advertisers.map((a) => a.advertiserId));
      return portalPage(res, { state, redirectUri });
    }
    const chosen = params.getAll("advertiser_ids").filter((id) => world.advertiser(id));
    if (chosen.length === 0) return portalPage(res, { state, redirectUri, error: "Select at least one ad account." });
    approve(res, redirectUri, state, chosen);
  }

  // ---------------------------------------------------------------------------------------------
  // Inspection and control (/__sandbox/...)

  async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const raw = await readBody(req);
    if (raw.trim() === "") return {};
    try {
      const value = JSON.parse(raw);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
    } catch {
      // fall through
    }
    throw new HttpError(400, "body must be a JSON object");
  }

  function normalisePath(value: unknown): string {
    if (value === "*") return "*";
    if (typeof value !== "string") throw new HttpError(400, "path must be an endpoint path such as /event/track/ or *");
    const path = value.startsWith(PREFIX) ? value.slice(PREFIX.length) : value;
    if (!endpoints[path]) throw new HttpError(400, `unknown endpoint ${value}; known: ${Object.keys(endpoints).join(", ")}`);
    return path;
  }

  const positive = (value: unknown, name: string) => {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw new HttpError(400, `${name} must be a positive integer`);
    return value;
  };

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL) {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /__sandbox/world":
        return sendJson(res, 200, {
          advertisers: world.advertisers.map((a) => ({
            advertiser_id: a.advertiserId,
            name: a.name,
            currency: a.currency,
            timezone: a.timezone,
            pixels: a.pixels.map((p) => ({ pixel_code: p.pixelCode, pixel_name: p.pixelName })),
            campaigns: a.campaigns.map((c) => ({ campaign_id: c.campaignId, campaign_name: c.campaignName, deleted: c.deleted })),
            adgroups: a.adgroups.map((g) => ({ adgroup_id: g.adgroupId, adgroup_name: g.adgroupName, campaign_id: g.campaignId, deleted: g.deleted })),
          })),
        });
      case "POST /__sandbox/tokens": {
        const body = await jsonBody(req);
        const ids = body.advertiser_ids;
        if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== "string" || !world.advertiser(id))) {
          throw new HttpError(400, "advertiser_ids must be a non-empty array of advertiser ids from GET /__sandbox/world");
        }
        return sendJson(res, 200, { access_token: issueToken(ids as string[]) });
      }
      case "POST /__sandbox/revoke": {
        const body = await jsonBody(req);
        const token = typeof body.access_token === "string" ? tokens.get(body.access_token) : undefined;
        if (!token) throw new HttpError(404, "unknown access_token");
        token.revoked = true;
        return sendJson(res, 200, { revoked: true });
      }
      case "GET /__sandbox/events":
        return sendJson(res, 200, { events });
      case "POST /__sandbox/browser-events": {
        // What the storefront's TikTok pixel would report from the browser, at `at` (default now).
        const body = await jsonBody(req);
        const at = body.at === undefined ? now() : new Date(String(body.at));
        if (typeof body.pixel_code !== "string" || !world.pixelOwner(body.pixel_code)) throw new HttpError(400, "pixel_code must be a pixel from GET /__sandbox/world");
        if (typeof body.event !== "string" || typeof body.event_id !== "string" || Number.isNaN(at.getTime())) {
          throw new HttpError(400, "body must be {pixel_code, event, event_id, at?: ISO time}");
        }
        return sendJson(res, 200, { outcome: counted.record({ pixelCode: body.pixel_code, event: body.event, eventId: body.event_id, source: "browser", at }) });
      }
      case "POST /__sandbox/clicks": {
        // An ad click TikTok served: which ad group a ttclid came from, so its purchases show in reports.
        const body = await jsonBody(req);
        const at = body.at === undefined ? now() : new Date(String(body.at));
        if (typeof body.ttclid !== "string" || body.ttclid === "" || typeof body.adgroup_id !== "string" || Number.isNaN(at.getTime())) {
          throw new HttpError(400, "body must be {ttclid, adgroup_id, at?: ISO time}");
        }
        if (!purchases.registerClick(body.ttclid, body.adgroup_id, at)) throw new HttpError(400, "adgroup_id must be an ad group from GET /__sandbox/world");
        return sendJson(res, 201, { ttclid: body.ttclid, adgroup_id: body.adgroup_id, at: at.toISOString() });
      }
      case "GET /__sandbox/counted":
        return sendJson(res, 200, counted.summary());
      case "GET /__sandbox/requests":
        return sendJson(res, 200, { counts, total: requests.length, rate_limited: rateLimited, requests });
      case "POST /__sandbox/reset":
        events = [];
        counted.clear();
        purchases.clear();
        tokens.clear();
        authCodes.clear();
        faults = [];
        requests = [];
        counts = {};
        restatements.clear();
        model.reportCache?.clear();
        rateWindow.length = 0;
        rateLimited = 0;
        return sendJson(res, 200, { ok: true });
      case "GET /__sandbox/faults":
        return sendJson(res, 200, { faults });
      case "DELETE /__sandbox/faults":
        faults = [];
        return sendJson(res, 200, { faults });
      case "POST /__sandbox/faults": {
        const body = await jsonBody(req);
        const kind = body.kind as FaultKind;
        if (!FAULT_KINDS.includes(kind)) throw new HttpError(400, `kind must be one of ${FAULT_KINDS.join(", ")}`);
        const path = normalisePath(body.path);
        if (kind === "partial" && path !== "/event/track/" && path !== "*") throw new HttpError(400, "partial applies to /event/track/ only");
        const count = positive(body.count, "count");
        const durationMs = body.duration_s !== undefined ? positive(body.duration_s, "duration_s")! * 1000 : positive(body.duration_ms, "duration_ms");
        const status = body.status === undefined ? (kind === "code" ? 200 : kind === "gateway" ? 502 : 503) : body.status;
        const [low, high] = kind === "code" ? [200, 599] : kind === "gateway" ? [400, 599] : [500, 599];
        if (typeof status !== "number" || !Number.isInteger(status) || status < low || status > high) {
          throw new HttpError(400, `status must be an HTTP status from ${low} to ${high} for ${kind}`);
        }
        const code = body.code === undefined ? null : body.code;
        if (kind === "code" && (typeof code !== "number" || !Number.isInteger(code) || code === 0)) {
          throw new HttpError(400, "code must be a non-zero integer: the TikTok code to answer");
        }
        const gatewayBody = body.body === undefined ? "html" : body.body;
        if (gatewayBody !== "html" && gatewayBody !== "empty") throw new HttpError(400, "body must be html or empty");
        const eventIds = body.event_ids === undefined ? null : body.event_ids;
        if (eventIds !== null && (!Array.isArray(eventIds) || eventIds.length === 0 || eventIds.some((v) => typeof v !== "string"))) {
          throw new HttpError(400, "event_ids must be a non-empty array of strings");
        }
        const fault: Fault = {
          id: ++faultSeq,
          path,
          kind,
          // Neither given: the next call only.
          remaining: count ?? (durationMs === undefined ? 1 : null),
          until: durationMs === undefined ? null : Date.now() + durationMs,
          status,
          hang_ms: positive(body.hang_ms, "hang_ms") ?? 120_000,
          code: code as number | null,
          message: typeof body.message === "string" ? body.message : null,
          body: gatewayBody,
          event_ids: eventIds as string[] | null,
        };
        faults.push(fault);
        return sendJson(res, 201, { fault });
      }
      case "POST /__sandbox/restate": {
        const body = await jsonBody(req);
        const factor = body.factor === undefined ? 1.1 : body.factor;
        if (typeof factor !== "number" || !(factor > 0)) throw new HttpError(400, "factor must be a positive number");
        const days = positive(body.days, "days") ?? 3;
        const targets =
          body.advertiser_id === undefined ? world.advertisers : [world.advertiser(String(body.advertiser_id))].filter((a): a is Advertiser => !!a);
        if (targets.length === 0) throw new HttpError(400, "unknown advertiser_id");
        const restated: { advertiser_id: string; date: string; factor: number }[] = [];
        model.reportCache?.clear();
        for (const a of targets) {
          const dates = Array.isArray(body.dates)
            ? body.dates.map(String)
            : Array.from({ length: days }, (_, i) => addDays(localDate(now(), a.timezone), -i));
          for (const date of dates) {
            const key = `${a.advertiserId}|${date}`;
            restatements.set(key, (restatements.get(key) ?? 1) * factor);
            restated.push({ advertiser_id: a.advertiserId, date, factor: restatements.get(key)! });
          }
        }
        return sendJson(res, 200, { restated });
      }
      default:
        throw new HttpError(404, `no sandbox control endpoint ${route}`);
    }
  }

  // ---------------------------------------------------------------------------------------------

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const route = url.pathname.startsWith(`${PREFIX}/`)
      ? handleApi(req, res, url)
      : url.pathname === "/portal/auth"
        ? handlePortal(req, res, url)
        : url.pathname.startsWith("/__sandbox/")
          ? handleControl(req, res, url)
          : Promise.reject(new HttpError(404, "404 page not found"));
    route.catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      options.log?.(`sandbox error: ${error instanceof Error ? error.stack : String(error)}`);
      sendJson(res, 500, { error: "sandbox internal error" });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4010, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    world,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const entry of hanging) clearTimeout(entry.timer);
        hanging.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Hung (timeout-fault) and keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const port = Number(process.env.TIKTOK_SANDBOX_PORT ?? 4010);
  const sandbox = await startSandbox({
    port,
    host: "127.0.0.1",
    appId: process.env.TIKTOK_APP_ID || "demo-tiktok-app",
    appSecret: process.env.TIKTOK_APP_SECRET || "demo-tiktok-secret",
    autoApprove: process.env.TIKTOK_SANDBOX_AUTO_APPROVE === "1",
    log: (line) => console.log(line),
  });
  console.log(`sandbox: ${sandbox.url}`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
