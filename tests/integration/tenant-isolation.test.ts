// Tenant isolation: with two fully set-up shops, no admin route (every app.*.tsx in app/routes and in
// the demo build's app/demo-routes, found by listing the directories, so a new route is covered
// without editing this file) returns or changes the other
// shop's data when shop A calls it with shop B's ids in the query string and in the form.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import prisma from "~/core/db.server";
import { encryptToken } from "~/core/connection/token-crypto.server";
import { action as proxyAction } from "~/routes/proxy.touchpoints";
import { action as ordersAction } from "~/routes/webhooks.orders.create";
import { loader as dashboardLoader } from "~/routes/app.dashboard";
import { action as eventsAction, loader as eventsLoader } from "~/routes/app.events";
import { loader as orderDetailLoader } from "~/routes/app.events_.$orderId";
import { action as accountAction } from "~/routes/app.connect.account";
import { action as pixelAction } from "~/routes/app.connect.pixel";
import { loader as downloadLoader } from "~/routes/app.data-requests.download";
import { ADVERTISER_IDS } from "../../sandbox/world";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { adminDocumentRequest, adminRequest, APP_URL, call, seedOfflineSession } from "../support/requests";
import { captureConsole, shopSnapshot, startAppSandbox, type CapturedLogs } from "../support/fuzz";

// The demo panel's routes answer only with DEMO_MODE; turn it on (before the imports run, so the
// app reads it) so they are probed too.
vi.hoisted(() => {
  process.env.DEMO_MODE = "1";
});
const tiktok = await startAppSandbox();

// The demo panel posts to the app's own URL; serve those requests in process instead of the network.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  if (request.url.startsWith(`${APP_URL}/proxy/touchpoints`)) return call(proxyAction, request);
  if (request.url.startsWith(`${APP_URL}/webhooks/orders/create`)) return call(ordersAction, request);
  return realFetch(input, init);
};
afterAll(async () => {
  globalThis.fetch = realFetch;
  await tiktok.close();
});

const APP_DIR = path.resolve(__dirname, "../../app");
const ADMIN_ROUTES = ["routes", "demo-routes"].flatMap((dir) =>
  readdirSync(path.join(APP_DIR, dir))
    .filter((f) => /^app(\.|$)/.test(f) && /\.tsx?$/.test(f))
    .sort()
    .map((f) => `${dir}/${f}`),
);

/**
 * routes/app.connect._index.tsx → /app/connect; routes/app.tsx → /app (Remix flat routes). A route
 * parameter ($orderId) gets shop B's value: A's session asking for B's order must learn nothing.
 */
function urlPath(file: string) {
  const segments = path.basename(file).replace(/\.tsx?$/, "").split(".").filter((s) => s !== "_index");
  // A trailing "_" (app.events_.$orderId) only keeps the page out of its parent's layout.
  return `/${segments.map((s) => (s === "$orderId" ? B.orderId : s.replace(/_$/, ""))).join("/")}`;
}

type Tenant = {
  shop: string;
  advertiserId: string;
  advertiserName: string;
  pixelCode: string;
  pixelName: string;
  orderId: string;
  orderName: string;
  failedOrderId: string;
  ttclid: string;
  visitorId: string;
  campaignId: string;
  campaignName: string;
  syncError: string;
  rejectedReason: string;
  ids: Record<string, string>; // database ids filled in by seed()
};

const world = await tiktok.control.world();
function tenant(shop: string, advertiserId: string, letter: "A" | "B", n: number): Tenant {
  const advertiser = world.advertisers.find((a) => a.advertiser_id === advertiserId)!;
  return {
    shop,
    advertiserId,
    advertiserName: advertiser.name,
    pixelCode: advertiser.pixels[0].pixel_code,
    pixelName: advertiser.pixels[0].pixel_name,
    orderId: `${n}100000000000001`,
    orderName: `#${letter}-ORDER-7731`,
    failedOrderId: `${n}100000000000002`,
    ttclid: `E.C.P.tenant-${letter}-click-5521`,
    visitorId: `tta1.${letter.repeat(22)}`,
    campaignId: `${n}800000000000001`,
    campaignName: `Tenant ${letter} secret campaign`,
    syncError: `tenant ${letter} sync error 4471`,
    rejectedReason: `tenant ${letter} rejected reason 9921`,
    ids: {},
  };
}
const A = tenant(TEST_SHOP, ADVERTISER_IDS.berlin, "A", 4);
const B = tenant(OTHER_SHOP, ADVERTISER_IDS.pacific, "B", 5);

async function seed(t: Tenant) {
  const token = await tiktok.control.token([t.advertiserId]);
  const connection = await prisma.tikTokConnection.create({
    data: {
      shop: t.shop, status: "connected", accessTokenEnc: encryptToken(token), authorizedAdvertisers: JSON.stringify([t.advertiserId]),
      advertiserId: t.advertiserId, advertiserName: t.advertiserName, advertiserCurrency: "USD", advertiserTimezone: "UTC",
      pixelCode: t.pixelCode, pixelName: t.pixelName, connectedAt: new Date(), attributionWindowDays: 30,
    },
  });
  const now = Date.now();
  const order = (orderId: string, status: string) =>
    prisma.orderRecord.create({
      data: {
        shop: t.shop, orderId, orderName: t.orderName, orderCreatedAt: new Date(now - 3_600_000), currency: "USD", totalValue: "42.50",
        visitorId: t.visitorId, ttclid: t.ttclid, attributionSource: "touchpoint", campaignId: t.campaignId, matchKeys: '["ttclid"]',
        sendDecision: "queued", sourceName: "web",
        event: { create: { shop: t.shop, eventId: orderId, eventName: "CompletePayment", eventTime: new Date(now - 3_600_000), pixelCode: t.pixelCode, payload: JSON.stringify({ event_id: orderId }), status, lastError: status === "failed" ? `tenant failure ${orderId}` : null } },
      },
      include: { event: true },
    });
  const sent = await order(t.orderId, "sent");
  const failed = await order(t.failedOrderId, "failed");
  const touchpoint = await prisma.touchpoint.create({ data: { shop: t.shop, visitorId: t.visitorId, ttclid: t.ttclid, capturedAt: new Date(now - 7_200_000), campaignId: t.campaignId } });
  const today = new Date().toISOString().slice(0, 10);
  await prisma.spendRow.create({ data: { shop: t.shop, advertiserId: t.advertiserId, level: "campaign", entityId: t.campaignId, campaignId: t.campaignId, name: t.campaignName, date: today, spend: "12.34", impressions: 1000, clicks: 10, currency: "USD", timezone: "UTC" } });
  const run = await prisma.syncRun.create({ data: { shop: t.shop, kind: "hourly", slot: `tenant-${t.shop}`, status: "failed", error: t.syncError, finishedAt: new Date() } });
  const rejected = await prisma.rejectedWebhook.create({ data: { shop: t.shop, topic: "orders/create", reason: t.rejectedReason } });
  const state = await prisma.oAuthState.create({ data: { stateHash: `tenant-state-${t.shop}`, shop: t.shop, purpose: "connect", expiresAt: new Date(now + 600_000) } });
  const dataRequest = await prisma.dataRequest.create({ data: { shop: t.shop, webhookId: `tenant-dr-${t.shop}`, customerId: t.failedOrderId, orderIds: JSON.stringify([t.orderId]) } });
  await prisma.redaction.create({ data: { shop: t.shop, topic: "customers/redact", customerId: t.failedOrderId, counts: '{"orders":1}' } });
  t.ids = {
    connectionId: connection.id, orderRecordId: sent.id, failedOrderRecordId: failed.id, eventRowId: sent.event!.id, failedEventRowId: failed.event!.id,
    touchpointId: touchpoint.id, syncRunId: run.id, rejectedId: rejected.id, stateId: state.id, dataRequestId: dataRequest.id,
  };
}

async function reseed() {
  for (const table of ["outboxEvent", "orderRecord", "touchpoint", "spendRow", "syncRun", "rejectedWebhook", "oAuthState", "tikTokConnection", "dataRequest", "redaction"] as const) {
    await (prisma[table] as unknown as { deleteMany(): Promise<unknown> }).deleteMany();
  }
  await seed(A);
  await seed(B);
}

/** Everything that identifies shop B or its data; none of it may reach shop A. */
function secretsOf(t: Tenant, other: Tenant) {
  const values = [
    t.shop, t.shop.replace(".myshopify.com", ""), t.advertiserId, t.advertiserName, t.pixelCode, t.pixelName, t.orderId, t.failedOrderId,
    t.orderName, t.ttclid, t.visitorId, t.campaignId, t.campaignName, t.syncError, t.rejectedReason, ...Object.values(t.ids),
  ];
  // Never flag a value A legitimately shares (none today, but the world's names could collide).
  const mine = JSON.stringify(other);
  return values.filter((v) => v.length >= 6 && !mine.includes(v));
}
const B_SECRETS = () => secretsOf(B, A);

/** B's ids under every field name a route reads, and a few it might. */
function bForm(): Record<string, string> {
  return {
    shop: B.shop, id: B.ids.failedEventRowId, eventId: B.ids.failedEventRowId, outboxId: B.ids.failedEventRowId, orderId: B.failedOrderId,
    orderRecordId: B.ids.failedOrderRecordId, advertiserId: B.advertiserId, pixelCode: B.pixelCode, campaignId: B.campaignId, runId: B.ids.syncRunId,
    testEventCode: "TENANTPROBE", attributionWindowDays: "7", sendMode: "all", eventName: "Purchase", status: "failed", page: "1",
    start: "2020-01-01", end: "2030-12-31", connectionId: B.ids.connectionId, state: `tenant-state-${B.shop}`, request: B.ids.dataRequestId,
  };
}

/** Intents and field names the route's source posts, so a new intent is probed without editing this file. */
function discovered(file: string) {
  const source = readFileSync(path.join(APP_DIR, file), "utf8");
  const intents = new Set<string>();
  for (const m of source.matchAll(/name="intent"\s+value="([^"]+)"/g)) intents.add(m[1]);
  for (const m of source.matchAll(/z\.literal\("([^"]+)"\)/g)) intents.add(m[1]);
  const fields = new Set<string>();
  for (const m of source.matchAll(/\bname="([A-Za-z_][\w-]*)"/g)) fields.add(m[1]);
  return { intents: [...intents], fields: [...fields] };
}

type Probe = { name: string; request: () => Request };

function probesFor(file: string, mod: { loader?: unknown; action?: unknown }) {
  const url = urlPath(file);
  const query = new URLSearchParams(bForm()).toString();
  const loaderProbes: Probe[] = [
    { name: "plain", request: () => adminRequest(url, { shop: A.shop }) },
    { name: "B's ids in the query", request: () => adminRequest(`${url}?${query}`, { shop: A.shop }) },
    // A document load whose first shop parameter is B's (the session token and the second one are A's).
    { name: "document load with ?shop=B first", request: () => adminDocumentRequest(`${url}?shop=${B.shop}&${query}`, { shop: A.shop }) },
  ];
  const { intents, fields } = discovered(file);
  const form = bForm();
  for (const f of fields) form[f] ??= B.failedOrderId;
  const actionProbes: Probe[] = [undefined, ...intents].map((intent) => ({
    name: `form with B's ids, intent ${intent ?? "(none)"}`,
    request: () => adminRequest(`${url}?shop=${B.shop}`, { shop: A.shop, form: intent === undefined ? form : { ...form, intent } }),
  }));
  return [
    ...(typeof mod.loader === "function" ? loaderProbes.map((p) => ({ ...p, kind: "loader" as const, fn: mod.loader as (args: unknown) => unknown })) : []),
    ...(typeof mod.action === "function" ? actionProbes.map((p) => ({ ...p, kind: "action" as const, fn: mod.action as (args: unknown) => unknown })) : []),
  ];
}

/**
 * Status, headers and body as text. A redirect may carry the request's own query string along
 * (Shopify's embedded redirect does): parameters echoed back unchanged are A's input, not B's data.
 */
async function responseText(res: Response, request: Request) {
  const headers = new Headers(res.headers);
  const location = headers.get("Location");
  if (location) {
    const target = new URL(location, APP_URL);
    const sent = new URL(request.url).searchParams;
    for (const [k, v] of [...target.searchParams]) if (sent.getAll(k).includes(v)) target.searchParams.delete(k, v);
    headers.set("Location", target.toString());
  }
  return `${res.status}\n${JSON.stringify([...headers])}\n${await res.text()}`;
}

let logs: CapturedLogs;
beforeAll(async () => {
  await seedOfflineSession(A.shop);
  await seedOfflineSession(B.shop);
});
beforeEach(() => {
  logs = captureConsole(); // TikTok calls for A are made for real against the sandbox; keep their noise out
});
afterEach(() => logs.restore());

describe("tenant isolation: every admin route, as shop A with shop B's ids", () => {
  it("finds the admin routes to probe", () => {
    expect(ADMIN_ROUTES).toEqual(
      expect.arrayContaining([
        "routes/app.tsx",
        "routes/app._index.tsx",
        "routes/app.settings.tsx",
        "routes/app.events.tsx",
        "routes/app.events_.$orderId.tsx",
        "routes/app.data-requests.tsx",
        "routes/app.data-requests.download.tsx",
        "demo-routes/app.demo.tsx",
      ]),
    );
  });

  it.each(ADMIN_ROUTES)("%s: A never sees B's data and B's rows stay exactly as they were", async (file) => {
    const mod = await import(path.join(APP_DIR, file));
    const probes = probesFor(file, mod);
    // Every route module exports a loader or an action (a layout without either would be probed by nothing).
    expect(probes.length, `${file} exports neither loader nor action`).toBeGreaterThan(0);

    for (const probe of probes) {
      await reseed();
      const before = await shopSnapshot(prisma, B.shop);
      const request = probe.request();
      const res = await call(probe.fn, request, file.includes("$orderId") ? { orderId: B.orderId } : {});
      const label = `${file} ${probe.kind} (${probe.name})`;
      expect(res.status, label).toBeLessThan(500);
      const text = await responseText(res, request);
      if (process.env.TENANT_DEBUG) process.stdout.write(`${label}: ${text.slice(0, 300).replace(/\n/g, " | ")}\n`);
      for (const secret of B_SECRETS()) expect(text, `${label} returned B's ${secret}`).not.toContain(secret);
      // B's rows are untouched...
      expect(await shopSnapshot(prisma, B.shop), `${label} changed B's rows`).toEqual(before);
      // ...and A's rows did not take on any of B's data (a chosen advertiser or pixel, say).
      const aRows = JSON.stringify(await shopSnapshot(prisma, A.shop));
      for (const secret of B_SECRETS()) expect(aRows, `${label} copied B's ${secret} into A's rows`).not.toContain(secret);
    }
  });

  it("B's failed event stays failed when A asks to resend it; A's own is queued again", async () => {
    await reseed();
    const theirs = await (await call(eventsAction, adminRequest("/app/events", { shop: A.shop, form: { intent: "resend", eventId: B.ids.failedEventRowId } }))).json();
    expect(theirs.ok).toBe(false);
    expect((await prisma.outboxEvent.findUniqueOrThrow({ where: { id: B.ids.failedEventRowId } })).status).toBe("failed");
    const mine = await (await call(eventsAction, adminRequest("/app/events", { shop: A.shop, form: { intent: "resend", eventId: A.ids.failedEventRowId } }))).json();
    expect(mine.ok).toBe(true);
    expect((await prisma.outboxEvent.findUniqueOrThrow({ where: { id: A.ids.failedEventRowId } })).status).toBe("queued");
  });

  it("A downloads its own data request and gets 404 for B's", async () => {
    await reseed();
    const mine = await call(downloadLoader, adminRequest(`/app/data-requests/download?request=${A.ids.dataRequestId}`, { shop: A.shop }));
    expect(mine.status).toBe(200);
    expect((await mine.json()).orders.map((o: { orderId: string }) => o.orderId)).toEqual([A.orderId]);
    const theirs = await call(downloadLoader, adminRequest(`/app/data-requests/download?request=${B.ids.dataRequestId}`, { shop: A.shop }));
    expect(theirs.status).toBe(404);
  });

  it("A cannot choose B's ad account or pixel, even though both exist at TikTok", async () => {
    await reseed();
    const a1 = await call(accountAction, adminRequest("/app/connect/account", { shop: A.shop, form: { advertiserId: B.advertiserId } }));
    expect((await a1.json()).error).toMatch(/not among the accounts you authorized/);
    const p1 = await call(pixelAction, adminRequest("/app/connect/pixel", { shop: A.shop, form: { pixelCode: B.pixelCode } }));
    expect((await p1.json()).error).toMatch(/does not belong to the chosen ad account/);
    expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: A.shop } })).toMatchObject({ advertiserId: A.advertiserId, pixelCode: A.pixelCode });
  });

  it("A's order detail shows A's order; B's order id answers 404 for A", async () => {
    await reseed();
    const mine = await call(orderDetailLoader, adminRequest(`/app/events/${A.orderId}`, { shop: A.shop }), { orderId: A.orderId });
    expect(await mine.text()).toContain(A.orderName);
    const theirs = await call(orderDetailLoader, adminRequest(`/app/events/${B.orderId}`, { shop: A.shop }), { orderId: B.orderId });
    expect(theirs.status).toBe(404);
  });

  it("A's own data is what A sees (the probes above are not vacuous)", async () => {
    await reseed();
    const text = (await (await call(eventsLoader, adminRequest("/app/events", { shop: A.shop }))).text()) + (await (await call(dashboardLoader, adminRequest("/app/dashboard", { shop: A.shop }))).text());
    expect(text).toContain(A.orderId);
    expect(text).toContain(A.campaignName);
  });
});
