// Shared by the orders, delivery and compliance tests and the benchmarks: an in-process TikTok
// sandbox, a shop connected to it with a real sandbox token, signed orders/create deliveries
// through the real route, and direct outbox seeding for large backlogs.
// The sandbox listens on the address tests/setup/worker-db.ts gave the app (TIKTOK_API_BASE_URL),
// so test files may import app modules statically; app modules here are imported on use.
import type { ChildProcess } from "node:child_process";
import { startSandbox, type Sandbox } from "../../sandbox/server";
import { sandboxControl, type SandboxControl } from "../../sandbox/control";
import { ADVERTISER_IDS } from "../../sandbox/world";
import { adminRequest, appProxyRequest, call, seedOfflineSession, webhookRequest } from "./requests";

export const EVENT_TRACK = "/open_api/v1.3/event/track/";

/** `onRequest` sees one line per TikTok API request, after the sandbox acted on it and before it answers. */
/**
 * `timeoutMs` takes effect only when no app module has read env() yet (a file that imports app code
 * after this call); a file with static imports sets TIKTOK_TIMEOUT_MS in `vi.hoisted` instead.
 */
export async function startOrdersSandbox(opts: { timeoutMs?: number; onRequest?: (line: string) => void } = {}) {
  const sandbox: Sandbox = await startSandbox({
    port: sandboxPort(),
    appId: process.env.TIKTOK_APP_ID,
    appSecret: process.env.TIKTOK_APP_SECRET,
    autoApprove: true,
    log: opts.onRequest,
  });
  // A process without tests/setup/worker-db.ts (bench/drain.ts) configures the app here, before it
  // loads any app module.
  process.env.TIKTOK_API_BASE_URL = sandbox.url;
  if (opts.timeoutMs) process.env.TIKTOK_TIMEOUT_MS = String(opts.timeoutMs);
  process.env.TIKTOK_RATE_QPS ??= "500";
  process.env.TIKTOK_RATE_QPM ??= "30000";
  return { sandbox, control: sandboxControl(sandbox.url) };
}

/**
 * For tests that run a worker in a child process: a sandbox that calls `hooks.onTrack` for each
 * /event/track/ request (after acting on it, before answering), and `children` that are killed,
 * with the sandbox closed, once the file's tests are done.
 */
export async function startWorkerProcessSandbox() {
  const hooks: { onTrack: (() => void) | null } = { onTrack: null };
  const { sandbox, control } = await startOrdersSandbox({
    onRequest: (line) => {
      if (line.includes("/event/track/")) hooks.onTrack?.();
    },
  });
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await sandbox.close();
  });
  return { control, hooks, children };
}

/** The port of the TikTok address the app was configured with (tests/setup/worker-db.ts), or 0 for any. */
export function sandboxPort() {
  if (!process.env.TIKTOK_API_BASE_URL) return 0;
  const url = new URL(process.env.TIKTOK_API_BASE_URL);
  if (url.hostname !== "127.0.0.1" || !url.port) throw new Error(`TIKTOK_API_BASE_URL ${url} is not a local sandbox address`);
  return Number(url.port);
}

type ConnectOptions = {
  advertiserId?: string;
  /** When the wizard finished; orders created before it are never sent. */
  connectedAt?: Date;
  status?: "connected" | "needs_reconnect" | "disconnected";
  sendMode?: "attributed" | "all";
  attributionWindowDays?: number;
};

/** A shop connected to a sandbox advertiser and its first pixel, the way the wizard leaves it. */
export async function connectShop(shop: string, control: SandboxControl, opts: ConnectOptions = {}) {
  const { default: prisma } = await import("~/core/db.server");
  const { encryptToken } = await import("~/core/connection/token-crypto.server");
  const advertiserId = opts.advertiserId ?? ADVERTISER_IDS.berlin;
  const world = await control.world();
  const advertiser = world.advertisers.find((a) => a.advertiser_id === advertiserId)!;
  const token = await control.token([advertiserId]);
  const pixel = advertiser.pixels[0];
  const data = {
    status: opts.status ?? "connected",
    accessTokenEnc: opts.status === "disconnected" ? null : encryptToken(token),
    authorizedAdvertisers: JSON.stringify([advertiserId]),
    advertiserId,
    advertiserName: advertiser.name,
    advertiserCurrency: advertiser.currency,
    advertiserTimezone: advertiser.timezone,
    pixelCode: pixel.pixel_code,
    pixelName: pixel.pixel_name,
    connectedAt: opts.connectedAt ?? new Date(Date.now() - 24 * 60 * 60 * 1000),
    statusChangedAt: new Date(),
    lastAuthError: null,
  };
  await prisma.tikTokConnection.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  // Settings are the merchant's: saved through the settings form, as the merchant would.
  if (opts.sendMode || opts.attributionWindowDays) await saveSettings(shop, { sendMode: opts.sendMode, attributionWindowDays: opts.attributionWindowDays });
  return { token, pixelCode: pixel.pixel_code, advertiserId };
}

/** The merchant saves the settings form (/app/settings) with a signed admin request; unnamed fields keep their saved values. */
export async function saveSettings(
  shop: string,
  settings: { sendMode?: "attributed" | "all"; attributionWindowDays?: number; eventName?: string; sendWhen?: "checkout" | "paid"; contentIdType?: "variant" | "product" | "sku"; limitedDataUse?: boolean; browserPixelReportsPurchases?: boolean },
) {
  const { default: prisma } = await import("~/core/db.server");
  const { action } = await import("~/routes/app.settings");
  if ((await prisma.session.count({ where: { shop } })) === 0) await seedOfflineSession(shop);
  const saved = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop } });
  const form = {
    intent: "save",
    sendMode: settings.sendMode ?? saved.sendMode,
    attributionWindowDays: String(settings.attributionWindowDays ?? saved.attributionWindowDays),
    eventName: settings.eventName ?? saved.eventName,
    ...(settings.sendWhen ? { sendWhen: settings.sendWhen } : {}),
    ...(settings.contentIdType ? { contentIdType: settings.contentIdType } : {}),
    ...(settings.limitedDataUse !== undefined ? { limitedDataUse: String(settings.limitedDataUse) } : {}),
    ...(settings.browserPixelReportsPurchases !== undefined ? { browserPixelReportsPurchases: String(settings.browserPixelReportsPurchases) } : {}),
  };
  const res = await call(action, adminRequest("/app/settings", { shop, form }));
  const result = (await res.json()) as { saved?: boolean };
  if (res.status !== 200 || !result.saved) throw new Error(`settings not saved: ${res.status} ${JSON.stringify(result)}`);
}

/** The storefront embed reports a TikTok ad visit (signed app proxy POST), as extensions/tiktok-capture does. */
export async function visitFromAd(shop: string, visit: { visitorId: string; ttclid: string; capturedAt: Date; campaignId?: string }) {
  const { action } = await import("~/routes/proxy.touchpoints");
  const { default: prisma } = await import("~/core/db.server");
  if ((await prisma.session.count({ where: { shop } })) === 0) await seedOfflineSession(shop);
  const body = JSON.stringify({ v: 1, visitor_id: visit.visitorId, ttclid: visit.ttclid, captured_at: visit.capturedAt.getTime(), landing_path: "/", ...(visit.campaignId ? { campaign_id: visit.campaignId } : {}) });
  // Each shopper from an address of their own (the limits count addresses), the same one on every visit.
  let h = 0;
  for (const c of visit.visitorId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const res = await call(action, appProxyRequest({ shop, body, ip: `198.51.100.${(h % 254) + 1}` }));
  if (res.status !== 202) throw new Error(`touchpoint refused: ${res.status} ${await res.text()}`);
}

/**
 * The merchant's Reconnect, end to end through the app's OAuth code: a state issued by the app,
 * TikTok's consent (the sandbox approves at once), the callback's code exchange, the merchant's
 * confirmation in the admin, afterConnected.
 */
export async function reconnectThroughOAuth(shop: string) {
  const { beginOAuth, completeOAuth, confirmGrant, oauthStart } = await import("~/features/connect/connect.server");
  const { startUrl } = await beginOAuth(shop, "reconnect");
  const rawState = new URL(startUrl).searchParams.get("state");
  const { authorizeUrl } = await oauthStart(new URL(startUrl).searchParams);
  const consent = await fetch(authorizeUrl, { redirect: "manual" });
  const back = new URL(consent.headers.get("location")!);
  const { confirmUrl } = await completeOAuth({ rawState, cookieState: rawState, authCode: back.searchParams.get("auth_code"), shopParam: shop });
  // The merchant confirms the grant inside the store's admin (docs/decisions/0014).
  const confirmed = await confirmGrant(shop, new URL(confirmUrl).searchParams.get("grant"));
  if (!confirmed.ok) throw new Error(confirmed.error);
  return { shop, connection: confirmed.connection };
}

/**
 * The merchant's account and pixel steps of the connect wizard (signed admin form posts to
 * /app/connect/account and /app/connect/pixel), as after "Change ad account or pixel". The token must
 * authorize `advertiserId` (reconnectThroughOAuth grants every sandbox account).
 */
export async function chooseInWizard(shop: string, advertiserId: string, pixelCode: string) {
  const account = await import("~/routes/app.connect.account");
  const pixel = await import("~/routes/app.connect.pixel");
  const chose = await call(account.action, adminRequest("/app/connect/account", { shop, form: { advertiserId } }));
  if (chose.status !== 302) throw new Error(`account step: ${chose.status} ${await chose.text()}`);
  const picked = await call(pixel.action, adminRequest("/app/connect/pixel", { shop, form: { pixelCode } }));
  if (picked.status !== 302) throw new Error(`pixel step: ${picked.status} ${await picked.text()}`);
}

/** Posts a signed orders/create with this exact body to the real route; returns the Response. */
export async function deliverOrder(shop: string, rawBody: string, opts: { secret?: string; webhookId?: string } = {}) {
  const { action } = await import("~/routes/webhooks.orders.create");
  return call(action, webhookRequest({ topic: "orders/create", shop, payload: null, rawBody, ...opts }));
}

/**
 * The fixture text with its creation time moved (every occurrence of the same timestamp string, so
 * a customer created in the same second moves too). Ids stay exactly as written.
 */
export function withCreatedAt(rawBody: string, createdAt: Date) {
  const old = (JSON.parse(rawBody) as { created_at: string }).created_at;
  return rawBody.split(JSON.stringify(old)).join(JSON.stringify(createdAt.toISOString()));
}

/** The payload with its empty note_attributes replaced by these cart attributes (raw text: large ids stay exact). */
export function withCartAttributes(rawBody: string, attributes: Record<string, string>) {
  const empty = '"note_attributes": []';
  if (!rawBody.includes(empty)) throw new Error("payload has no empty note_attributes to fill");
  return rawBody.replace(empty, `"note_attributes": ${JSON.stringify(Object.entries(attributes).map(([name, value]) => ({ name, value })))}`);
}

/** A real-shaped demo order (what app/features/demo/simulate.server.ts posts), as raw text. */
export async function demoOrder(opts: { orderId: number; visitorId?: string; ttclid?: string; capturedAt?: number; createdAt?: Date; variant?: number }) {
  const { demoOrderPayload } = await import("~/features/demo/simulate.server");
  return JSON.stringify(demoOrderPayload(opts));
}

/**
 * Puts `count` queued events for one pixel straight into the database (OrderRecord + OutboxEvent,
 * createMany in chunks), each a real built event with its own order id. For backlogs too large to
 * post one webhook at a time (kill -9 test, drain benchmark).
 */
export async function seedQueuedEvents(opts: { shop: string; pixelCode: string; count: number; firstOrderId?: number; createdAt?: Date }) {
  const { default: prisma } = await import("~/core/db.server");
  const { parseOrderWebhook } = await import("~/features/events/order-payload");
  const { buildTikTokEvent } = await import("~/features/events/build-event");
  const createdAt = opts.createdAt ?? new Date(Date.now() - 60 * 60 * 1000);
  const first = opts.firstOrderId ?? 6_000_000_000_000;
  const parsed = parseOrderWebhook(await demoOrder({ orderId: first, createdAt, ttclid: "E.C.P.backlog", visitorId: "tta1.BacklogVisitor00000000" }));
  if (!parsed.ok) throw new Error(parsed.reason);
  const template = buildTikTokEvent({ order: parsed.order, eventName: "CompletePayment", ttclid: "E.C.P.backlog", shopDomain: opts.shop });
  const ids: string[] = [];
  const CHUNK = 2_000;
  for (let start = 0; start < opts.count; start += CHUNK) {
    const n = Math.min(CHUNK, opts.count - start);
    const orders = [];
    const events = [];
    for (let i = 0; i < n; i++) {
      const orderId = String(first + start + i);
      ids.push(orderId);
      const recordId = `rec_${orderId}`;
      orders.push({
        id: recordId,
        shop: opts.shop,
        orderId,
        orderCreatedAt: createdAt,
        currency: parsed.order.currency,
        totalValue: parsed.order.totalValue,
        matchKeys: JSON.stringify(template.matchKeys),
        sendDecision: "queued",
        ttclid: "E.C.P.backlog",
        attributionSource: "landing_site",
      });
      const event = { ...template.event, event_id: orderId };
      events.push({
        shop: opts.shop,
        orderRecordId: recordId,
        eventId: orderId,
        eventName: "CompletePayment",
        eventTime: createdAt,
        pixelCode: opts.pixelCode,
        payload: JSON.stringify(event),
        status: "queued",
      });
    }
    await prisma.orderRecord.createMany({ data: orders });
    await prisma.outboxEvent.createMany({ data: events });
  }
  return ids;
}

/** Every row of every table, as JSON text per table (SQLite or PostgreSQL): for "no raw PII anywhere". */
export async function dumpAllTables(): Promise<Record<string, string>> {
  const { default: prisma, isPostgres } = await import("~/core/db.server");
  const tables = isPostgres()
    ? (await prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema()`)).map((t) => t.name)
    : (await prisma.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table'`)).map((t) => t.name);
  const out: Record<string, string> = {};
  for (const table of tables) {
    const rows = await prisma.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table}"`);
    out[table] = JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  }
  return out;
}

/** Tables that hold no shop's data, and why. */
const APP_WIDE_TABLES: Record<string, string> = {
  ReportQuotaSecond: "report requests granted per second out of TikTok's app-wide quota (ADR 0016): counts, no shop",
};

/** Counts of the rows a shop owns, per table. */
/**
 * The shop's rows in every table of the schema, keyed by model (orderRecord, outboxEvent, ...):
 * read from Prisma's own model list, so a table added later is counted without anyone listing it.
 */
export async function shopRowCounts(shop: string): Promise<Record<string, number>> {
  const { default: prisma } = await import("~/core/db.server");
  const { Prisma } = await import("@prisma/client");
  const counts: Record<string, number> = {};
  for (const model of Prisma.dmmf.datamodel.models) {
    if (model.name in APP_WIDE_TABLES) continue;
    if (!model.fields.some((f) => f.name === "shop")) throw new Error(`${model.name} has no shop column: say how a shop's rows in it are found`);
    const key = model.name[0].toLowerCase() + model.name.slice(1);
    const delegate = (prisma as unknown as Record<string, { count(args: object): Promise<number> }>)[key];
    counts[key] = await delegate.count({ where: { shop } });
  }
  return counts;
}

/** Makes queued/leased events due now: stands in for waiting out a backoff or a crashed worker's lease. */
export async function timePasses(shop?: string) {
  const { default: prisma } = await import("~/core/db.server");
  await prisma.outboxEvent.updateMany({
    where: { ...(shop ? { shop } : {}), status: "queued" },
    data: { nextAttemptAt: new Date(Date.now() - 1_000), leaseUntil: null, leaseOwner: null },
  });
}

/** Each orders test starts from an empty pipeline: no orders, events, clicks, connection or runs. */
export async function resetOrderPipeline(control: SandboxControl) {
  const { default: prisma } = await import("~/core/db.server");
  await control.reset();
  await prisma.outboxEvent.deleteMany();
  await prisma.orderRecord.deleteMany();
  await prisma.touchpoint.deleteMany();
  await prisma.rejectedWebhook.deleteMany();
  await prisma.tikTokConnection.deleteMany();
  await prisma.syncRun.deleteMany();
}
