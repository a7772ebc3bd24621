// Email alerts against a real SMTP server running in this process (smtp-server, with password
// auth): incidents come from what the merchant and TikTok do (signed orders, a revoked token, an
// outage in the sandbox, the merchant's Reconnect and Settings), and the assertions are on what
// the mail server received.
import type { SMTPServer as SMTPServerType } from "smtp-server";

// The app reads its env once: the mail server must be listening, and SMTP_URL set, before any app module loads.
const mail = await vi.hoisted(async () => {
  const { SMTPServer } = await import("smtp-server");
  const state = {
    received: [] as { from: string; to: string[]; raw: string }[],
    /** The next n messages are refused with a 451 (a mail server in trouble). */
    refuse: 0,
    server: null as SMTPServerType | null,
  };
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === "alerts" && auth.password === "s3cret-smtp-pass") return cb(null, { user: "alerts" });
      return cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (state.refuse > 0) {
          state.refuse--;
          const err = new Error("Mailbox temporarily unavailable") as Error & { responseCode: number };
          err.responseCode = 451;
          return cb(err);
        }
        state.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        cb(null, "Message queued as test-1");
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  state.server = server;
  process.env.SMTP_URL = `smtp://alerts:s3cret-smtp-pass@127.0.0.1:${port}`;
  process.env.ALERT_EMAIL_FROM = "TikTok Ads alerts <alerts@app.example.com>";
  process.env.TIKTOK_TIMEOUT_MS = "300";
  process.env.TOUCHPOINT_DAILY_CAP = "2";
  return state;
});

import prisma from "~/core/db.server";
import { drainAll } from "~/features/events/worker.server";
import { sendDueAlerts } from "~/features/alerts/alert-mail.server";
import { detectCoverageDrops, detectIncidents } from "~/features/alerts/detect.server";
import { action as touchpointsAction } from "~/routes/proxy.touchpoints";
import { recordShopDetails } from "~/core/models/shop.server";
import { adminApiClient } from "~/core/shopify.server";
import { startAdminDouble } from "~/features/demo/admin-double.server";
import { action as settingsAction, loader as settingsLoader } from "~/routes/app.settings";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, APP_URL, appProxyRequest, call, seedOfflineSession, webhookRequest } from "../support/requests";
import { connectShop as connectWithToken, deliverOrder, demoOrder, reconnectThroughOAuth, chooseInWizard, resetOrderPipeline, startOrdersSandbox, timePasses, visitFromAd } from "../support/orders";
import { requestSpendSync, runDueSyncs } from "~/features/spend/sync.server";
import { action as uninstalledAction } from "~/routes/webhooks.app.uninstalled";
import { startIncident } from "~/features/alerts/incidents.server";
import { ADVERTISER_IDS } from "../../sandbox/world";

const { sandbox, control } = await startOrdersSandbox();
const admin = await startAdminDouble({ port: 0, appUrl: APP_URL, apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop: TEST_SHOP });
const CONTACT = "owner@alpha-test.example.com";
const OWNER = "alerts-test";

afterAll(async () => {
  await sandbox.close();
  await admin.close();
  await new Promise<void>((resolve) => mail.server!.close(() => resolve()));
});

beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await prisma.alertEmail.deleteMany();
  await prisma.incident.deleteMany();
  await prisma.alertSetting.deleteMany();
  await prisma.touchpointDay.deleteMany();
  // A storefront heartbeat from an earlier test would put orders days old past the 48-hour dedup window.
  await prisma.shop.updateMany({ where: { shop: TEST_SHOP }, data: { storefrontPixels: null } });
  mail.received.length = 0;
  mail.refuse = 0;
  await seedOfflineSession(TEST_SHOP);
  // After install the app reads the store's details from the Admin API (here the admin stand-in).
  const client = adminApiClient(admin.url, TEST_SHOP, "shpat_test_offline_token");
  await recordShopDetails(TEST_SHOP, { graphql: async (query: string) => Response.json(await client(query)) });
});
/** The TikTok tokens the shop was connected with: no email may carry one. */
const tokens: string[] = [];
const connectShop = async (...args: Parameters<typeof connectWithToken>) => {
  const connected = await connectWithToken(...args);
  tokens.push(connected.token);
  return connected;
};
// Every message the mail server received in every test, not only the ones a test reads.
afterEach(() => {
  for (const m of mail.received) expectNoSecrets(m.raw);
});
afterEach(() => vi.restoreAllMocks());

let nextOrder = 5_900_000_000_000;
const buyerEmails: string[] = [];
/** The buyer's details every order here carries, besides its email and phone (documentation IP, fictional name and address). */
const BUYER = { firstName: "Zephyrine", lastName: "Quillbottom", address1: "742 Evergreen Terrace", city: "Shelbyville", zip: "QZ-7X4", ip: "198.51.100.77" };
const UA = "Mozilla/5.0 (Alerts test)";

/** A signed order with a buyer's full details; `contact: false` drops the email and phone (a checkout that stopped asking). */
async function buyerOrder(opts: { orderId: number; ttclid?: string; createdAt?: Date; contact?: boolean }) {
  const raw = JSON.parse(await demoOrder({ orderId: opts.orderId, visitorId: `tta1.${String(opts.orderId).padStart(22, "0")}`, ttclid: opts.ttclid, createdAt: opts.createdAt ?? new Date(Date.now() - 60_000) }));
  const address = { first_name: BUYER.firstName, last_name: BUYER.lastName, address1: BUYER.address1, city: BUYER.city, zip: BUYER.zip, province_code: "OR", country_code: "US", phone: null };
  Object.assign(raw, { billing_address: address, shipping_address: address, browser_ip: BUYER.ip, client_details: { browser_ip: BUYER.ip, user_agent: UA } });
  Object.assign(raw.customer, { first_name: BUYER.firstName, last_name: BUYER.lastName });
  if (opts.contact === false) {
    raw.email = null;
    raw.customer.email = null;
    raw.customer.phone = null;
  } else buyerEmails.push(raw.email);
  expect((await deliverOrder(TEST_SHOP, JSON.stringify(raw))).status).toBe(200);
}

async function placeOrders(n: number) {
  for (let i = 0; i < n; i++) {
    const orderId = nextOrder++;
    await buyerOrder({ orderId, ttclid: `E.C.P.alert${orderId}` });
  }
}

/** Quoted-printable bodies and folded headers, read back as text. */
function decoded(raw: string) {
  return raw
    .replace(/\r\n[ \t]+/g, " ")
    .replace(/=\r\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}
const subjectOf = (raw: string) => /^Subject: (.*)$/m.exec(decoded(raw))?.[1] ?? "";
const sendAlerts = () => sendDueAlerts({ owner: OWNER });

/** What no alert may carry: a TikTok token, the SMTP password, any buyer's email, phone, name, address, IP or user agent. */
function expectNoSecrets(raw: string) {
  const text = decoded(raw);
  for (const token of tokens) expect(text).not.toContain(token);
  expect(text).not.toContain("s3cret-smtp-pass");
  for (const e of buyerEmails) expect(text).not.toContain(e);
  expect(text).not.toMatch(/\+1202555\d{4}/);
  for (const v of Object.values(BUYER)) expect(text).not.toContain(v);
  expect(text).not.toContain(UA);
}

describe("email alerts", () => {
  it("token revoked: one alert when it starts (not one per order), one when the merchant reconnected, to the store owner's email from Shopify", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "revoke", count: 1 });
    await placeOrders(3);
    await drainAll();
    expect(await sendAlerts()).toMatchObject({ sent: 1 });
    // More orders while it lasts, the sweep, another pass: still that one email.
    await placeOrders(2);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(1);
    const [alert] = mail.received;
    expect(alert.to).toEqual([CONTACT]);
    expect(alert.from).toBe("alerts@app.example.com");
    expect(subjectOf(alert.raw)).toContain(`[${TEST_SHOP}] TikTok needs to be reconnected`);
    const text = decoded(alert.raw);
    expect(text).toMatch(/Content-Type: text\/plain/);
    expect(text).toMatch(/Content-Type: text\/html/);
    expect(text).toContain("3 purchase events are waiting");
    expect(text).toContain(`Reconnect TikTok: https://admin.shopify.com/store/alpha-test/apps/${process.env.SHOPIFY_API_KEY}/app/connect`);
    expectNoSecrets(alert.raw);
    // The promise it makes, and where it does not hold.
    expect(text).toContain("You will get one more email when this is over, unless TikTok is disconnected or the app uninstalled first");

    // The merchant reconnects; the waiting events go, and the recovery email follows.
    await reconnectThroughOAuth(TEST_SHOP);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(2);
    const recovery = mail.received[1];
    expect(recovery.to).toEqual([CONTACT]);
    expect(subjectOf(recovery.raw)).toContain(`[${TEST_SHOP}] Resolved: TikTok is connected again`);
    expectNoSecrets(recovery.raw);
    expect(await prisma.incident.count({ where: { openKind: { not: null } } })).toBe(0);
  });

  it("one TikTok 5xx, accepted on the retry: no email (an outage is 60 s of failures)", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "http_5xx", count: 1 });
    await placeOrders(3);
    await drainAll();
    await detectIncidents();
    await timePasses(TEST_SHOP);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(await prisma.outboxEvent.count({ where: { status: "sent" } })).toBe(3);
    expect(mail.received).toHaveLength(0);
    expect(await prisma.incident.count()).toBe(0);
  });

  it("TikTok failing for more than 60 s: one alert (the sweep opens it between retries), one when TikTok accepts again; the address chosen in Settings gets them", async () => {
    await connectShop(TEST_SHOP, control);
    const saved = await call(settingsAction, adminRequest("/app/settings", { shop: TEST_SHOP, form: { intent: "alert-email", alertEmail: "ops@alpha-test.example.com" } }));
    expect(await saved.json()).toMatchObject({ alertEmailSaved: true });
    await control.fault({ path: "/event/track/", kind: "http_5xx", count: 2 });
    await placeOrders(3);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(0);
    // A minute passes with the retry still to come: TikTok has been failing for 61 s.
    await prisma.tikTokConnection.update({ where: { shop: TEST_SHOP }, data: { retryingSince: new Date(Date.now() - 61_000) } });
    await detectIncidents();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([`[${TEST_SHOP}] TikTok is not accepting purchase events: its Events API answers with errors or not at all.`]);
    expect(decoded(mail.received[0].raw)).toContain("3 purchase events are queued");
    // The retry fails too, and the sweep runs again: still that one email.
    await timePasses(TEST_SHOP);
    await drainAll();
    await detectIncidents();
    await timePasses(TEST_SHOP);
    await drainAll();
    expect(await prisma.outboxEvent.count({ where: { status: "sent" } })).toBe(3);
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(2);
    expect(subjectOf(mail.received[1].raw)).toContain("Resolved: TikTok accepts purchase events again");
    expect(mail.received.map((m) => m.to)).toEqual([["ops@alpha-test.example.com"], ["ops@alpha-test.example.com"]]);
  });

  it("a retry that fails more than 60 s after the first failure opens the outage in the delivery pass itself", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "http_5xx", count: 2 });
    await placeOrders(1);
    await drainAll();
    await prisma.tikTokConnection.update({ where: { shop: TEST_SHOP }, data: { retryingSince: new Date(Date.now() - 61_000) } });
    await timePasses(TEST_SHOP);
    await drainAll();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([`[${TEST_SHOP}] TikTok is not accepting purchase events: its Events API answers with errors or not at all.`]);
  });

  it("a rate limit is TikTok pacing the app, not an incident: no email", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "rate_limit", count: 1 });
    await placeOrders(2);
    await drainAll();
    await timePasses(TEST_SHOP);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(await prisma.outboxEvent.count({ where: { status: "sent" } })).toBe(2);
    expect(mail.received).toHaveLength(0);
  });

  it("a failed send is retried later and never holds delivery; the incident is in the app meanwhile", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "revoke", count: 1 });
    mail.refuse = 1;
    await placeOrders(1);
    await drainAll();
    expect(await sendAlerts()).toMatchObject({ sent: 0, retried: 1 });
    const row = await prisma.alertEmail.findFirstOrThrow();
    expect(row).toMatchObject({ status: "queued", attempts: 1 });
    expect(row.lastError).toContain("451");
    expect(row.lastError).not.toContain("s3cret-smtp-pass");
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
    // Not due yet: nothing is sent.
    expect(await sendAlerts()).toMatchObject({ sent: 0, retried: 0 });
    // Delivery went on regardless: the order waits for the reconnect, as it would without email.
    expect(await prisma.outboxEvent.count({ where: { status: "waiting_reconnect" } })).toBe(1);
    const home = await (await call((await import("~/routes/app._index")).loader, adminRequest("/app", { shop: TEST_SHOP }))).json();
    expect(home.status).toMatchObject({ tone: "critical", headline: expect.stringContaining("TikTok needs to be reconnected") });
    // Time passes: the retry goes.
    await prisma.alertEmail.updateMany({ data: { nextAttemptAt: new Date(Date.now() - 1_000) } });
    expect(await sendAlerts()).toMatchObject({ sent: 1 });
    expect(mail.received).toHaveLength(1);
  });
});

describe("Home's first line", () => {
  const status = async () => (await (await call((await import("~/routes/app._index")).loader, adminRequest("/app", { shop: TEST_SHOP }))).json()).status;

  it("before TikTok is connected: says nothing is sent yet", async () => {
    expect(await status()).toEqual({ tone: "info", headline: "TikTok is not connected: nothing is sent to TikTok.", action: { label: "Connect TikTok", url: "/app/connect" }, also: [] });
  });

  it("connected and nothing wrong: everything works; one problem: that one, with where to fix it; two: the more serious, and the other listed under it", async () => {
    await connectShop(TEST_SHOP, control);
    // The admin stand-in here has no published theme: the embed check has no answer, and the line does not claim it.
    const fine = await status();
    expect(fine).toMatchObject({ tone: "success", headline: expect.stringMatching(/^No problem found: TikTok is connected/), action: null, also: [] });
    expect(fine.headline).toContain("Whether the app embed is on could not be checked just now");
    expect(fine.headline).not.toContain("storefront embed");
    await control.fault({ path: "/event/track/", kind: "code", code: 40002, message: "Invalid value", count: 1 });
    await placeOrders(1);
    await drainAll();
    await detectIncidents();
    expect(await status()).toMatchObject({ tone: "warning", headline: "Some purchase events could not be sent.", action: { label: "Open failed events", url: "/app/events?status=failed" }, also: [] });
    await control.fault({ path: "/event/track/", kind: "revoke", count: 1 });
    await placeOrders(1);
    await drainAll();
    expect(await status()).toMatchObject({
      tone: "critical",
      headline: expect.stringContaining("TikTok needs to be reconnected"),
      action: { label: "Reconnect TikTok", url: "/app/connect" },
      also: [{ headline: "Some purchase events could not be sent.", action: { label: "Open failed events", url: "/app/events?status=failed" } }],
    });
  });

  it("nothing wrong now but an event TikTok refused this week: the line says so instead of 'everything works'", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "code", code: 40002, message: "Invalid value", count: 1 });
    await placeOrders(1);
    await drainAll();
    // No sweep has run: no incident is open, yet the Events card below counts the failure.
    expect(await status()).toEqual({
      tone: "warning",
      headline: "TikTok is connected and the app's checks find nothing wrong now, but some purchase events were never counted by TikTok: 1 failed in the last 7 days.",
      action: { label: "Open failed events", url: "/app/events?status=failed" },
      also: [],
    });
  });

  it("a failed spend sync, which has no card of its own on Home, is listed under the first line", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/report/integrated/get/", kind: "code", code: 40002, message: "Invalid parameter", count: 50 });
    await requestSpendSync(TEST_SHOP, "manual");
    await runDueSyncs({ maxRuns: 5 });
    await control.fault({ path: "/event/track/", kind: "code", code: 40002, message: "Invalid value", count: 1 });
    await placeOrders(1);
    await drainAll();
    await detectIncidents();
    expect(await status()).toMatchObject({
      headline: "Some purchase events could not be sent.",
      also: [{ headline: "Ad spend from TikTok is not updating: the last sync failed.", action: { label: "Open the dashboard", url: "/app/dashboard" } }],
    });
  });
});

describe("incidents the sweep finds in what the jobs recorded", () => {
  it("events TikTok refused: one alert for all of them, not one per order", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "code", code: 40002, message: "Invalid value for event_time", count: 5 });
    await placeOrders(1);
    await drainAll();
    await detectIncidents();
    await placeOrders(1);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(await prisma.outboxEvent.count({ where: { status: "failed" } })).toBe(2);
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([`[${TEST_SHOP}] Some purchase events could not be sent.`]);
    expect(decoded(mail.received[0].raw)).toContain("In the last 24 hours 2 failed and 0 expired");
  });

  it("spend sync failing: an alert once the run failed, a recovery once a run succeeds", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/report/integrated/get/", kind: "code", code: 40002, message: "Invalid parameter", count: 50 });
    await requestSpendSync(TEST_SHOP, "manual");
    await runDueSyncs({ maxRuns: 5 });
    expect(await prisma.syncRun.findFirst({ orderBy: { createdAt: "desc" } })).toMatchObject({ status: "failed" });
    await detectIncidents();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([`[${TEST_SHOP}] Ad spend from TikTok is not updating: the last sync failed.`]);
    await control.reset();
    await connectShop(TEST_SHOP, control);
    await requestSpendSync(TEST_SHOP, "manual");
    await runDueSyncs({ maxRuns: 5 });
    expect(await prisma.syncRun.findFirst({ orderBy: { createdAt: "desc" } })).toMatchObject({ status: "done" });
    await detectIncidents();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([
      `[${TEST_SHOP}] Ad spend from TikTok is not updating: the last sync failed.`,
      `[${TEST_SHOP}] Resolved: Ad spend syncs again.`,
    ]);
  });

  it("the storefront loads another pixel (its heartbeat says so): one alert; the merchant fixes it: one recovery", async () => {
    const { pixelCode } = await connectShop(TEST_SHOP, control);
    const heartbeat = async (pixels: string[]) =>
      expect((await call(touchpointsAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels }) }))).status).toBe(202);
    await heartbeat(["CZZZZZZZZZZZZZZZZZZZ"]);
    await detectIncidents();
    await detectIncidents();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([
      `[${TEST_SHOP}] Your storefront loads another TikTok pixel (CZZZZZZZZZZZZZZZZZZZ) than the one purchase events go to (${pixelCode}).`,
    ]);
    expect(decoded(mail.received[0].raw)).toContain(`Choose the pixel: https://admin.shopify.com/store/alpha-test/apps/${process.env.SHOPIFY_API_KEY}/app/connect/pixel`);
    // The merchant puts the selected pixel on the storefront (the old one is gone from the page).
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { storefrontPixels: null } });
    await heartbeat([pixelCode]);
    await detectIncidents();
    await sendAlerts();
    expect(subjectOf(mail.received[1].raw)).toBe(`[${TEST_SHOP}] Resolved: Your storefront and the app use the same TikTok pixel again.`);
  });

  it("the embed not seen on the storefront for 3 days: one alert, once the shop has been connected that long", async () => {
    await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - 10 * 86_400_000) });
    await call(touchpointsAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: [] }) }));
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(0);
    // Time passes: the last heartbeat is 4 days old, and the shop was installed before that.
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { lastStorefrontSignalAt: new Date(Date.now() - 4 * 86_400_000), installedAt: new Date(Date.now() - 30 * 86_400_000) } });
    await detectIncidents();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([expect.stringMatching(new RegExp(`^\\[${TEST_SHOP}\\] The app embed has not been seen on your storefront for 3 days`))]);
    expect(decoded(mail.received[0].raw)).toContain(`https://${TEST_SHOP}/admin/themes/current/editor?context=apps`);
  });

  it("events queued for more than 30 minutes: one alert", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "rate_limit", count: 100 });
    await placeOrders(2);
    await drainAll();
    await detectIncidents();
    // Time passes: the rate limit has held them in the queue for 40 minutes.
    await prisma.outboxEvent.updateMany({ data: { createdAt: new Date(Date.now() - 40 * 60_000), queuedAt: new Date(Date.now() - 40 * 60_000) } });
    await detectIncidents();
    await detectIncidents();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([`[${TEST_SHOP}] Purchase events have been waiting to be sent for more than 30 minutes.`]);
    expect(decoded(mail.received[0].raw)).toContain("2 purchase events are queued");
  });

  it("events held for hours by a revoked token, then the merchant reconnects: a sweep before they go sends no 'waiting' alert", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "revoke", count: 1 });
    await placeOrders(2);
    await drainAll();
    expect(await prisma.outboxEvent.count({ where: { status: "waiting_reconnect" } })).toBe(2);
    // Five hours pass before the merchant reconnects.
    const hoursAgo = new Date(Date.now() - 5 * 3_600_000);
    await prisma.outboxEvent.updateMany({ data: { createdAt: hoursAgo, queuedAt: hoursAgo } });
    await reconnectThroughOAuth(TEST_SHOP);
    expect(await prisma.outboxEvent.count({ where: { status: "queued" } })).toBe(2);
    await detectIncidents();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw)).filter((s) => s.includes("waiting to be sent"))).toEqual([]);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(await prisma.outboxEvent.count({ where: { status: "sent" } })).toBe(2);
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([
      expect.stringContaining("TikTok needs to be reconnected"),
      expect.stringContaining("Resolved: TikTok is connected again"),
    ]);
  });

  /** A connected shop's baseline: 30 events with email and phone, placed and sent 2 to 6 days ago. */
  async function sendBaselineWeek() {
    await connectShop(TEST_SHOP, control, { sendMode: "all", connectedAt: new Date(Date.now() - 30 * 86_400_000) });
    for (let i = 0; i < 30; i++) {
      const orderId = nextOrder++;
      await buyerOrder({ orderId, ttclid: `E.C.P.base${orderId}`, createdAt: new Date(Date.now() - (2 + (i % 5)) * 86_400_000) });
    }
    await drainAll();
    // They were sent when they were placed, days ago.
    await prisma.outboxEvent.updateMany({ where: { status: "sent" }, data: { sentAt: new Date(Date.now() - 3 * 86_400_000) } });
  }

  it("TikTok ads paused (today's orders carry no click id): no coverage alert, the match keys sent are what they were", async () => {
    await sendBaselineWeek();
    for (let i = 0; i < 10; i++) await buyerOrder({ orderId: nextOrder++ });
    await drainAll();
    expect(await prisma.outboxEvent.count({ where: { status: "sent" } })).toBe(40);
    await detectCoverageDrops();
    await sendAlerts();
    expect(mail.received).toHaveLength(0);
  });

  it("match-key coverage falling sharply against its 7-day baseline: one alert", async () => {
    // 30 events sent over the last week, each with the buyer's email and phone; then 10 today without (the checkout stopped asking).
    await sendBaselineWeek();
    await detectCoverageDrops();
    for (let i = 0; i < 10; i++) {
      const orderId = nextOrder++;
      await buyerOrder({ orderId, ttclid: `E.C.P.today${orderId}`, contact: false });
    }
    await drainAll();
    await detectCoverageDrops();
    await detectCoverageDrops();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([
      `[${TEST_SHOP}] Fewer purchase events sent to TikTok carry the buyer's email: 0% in the last 24 hours against 100% over the 7 days before.`,
    ]);
  });

  it("the daily click cap reached: one alert, and Home leads with it", async () => {
    await connectShop(TEST_SHOP, control);
    const visit = (i: number) => visitFromAd(TEST_SHOP, { visitorId: `tta1.${String(i).padStart(22, "0")}`, ttclid: `E.C.P.cap${i}`, capturedAt: new Date() });
    await visit(1);
    await visit(2);
    await expect(visit(3)).rejects.toThrow(/daily limit/);
    await expect(visit(4)).rejects.toThrow(/daily limit/);
    await detectIncidents();
    await detectIncidents();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([`[${TEST_SHOP}] Storefront click capture reached its daily limit of 2 on ${new Date().toISOString().slice(0, 10)} (UTC).`]);
    const home = await (await call((await import("~/routes/app._index")).loader, adminRequest("/app", { shop: TEST_SHOP }))).json();
    expect(home.status).toMatchObject({ tone: "warning", headline: expect.stringContaining("daily limit of 2") });
  });
});

describe("incidents when the shop leaves", () => {
  it("TikTok disconnected in Settings: the open incident ends without a recovery email (the alert said so)", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "revoke", count: 1 });
    await placeOrders(1);
    await drainAll();
    await sendAlerts();
    expect(mail.received).toHaveLength(1);
    const res = await call(settingsAction, adminRequest("/app/settings", { shop: TEST_SHOP, form: { intent: "disconnect" } }));
    expect(await res.json()).toMatchObject({ disconnected: true });
    expect(await prisma.incident.count({ where: { openKind: { not: null } } })).toBe(0);
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(1);
  });

  it("the app uninstalled: open incidents end, and an alert not sent yet is not sent", async () => {
    await connectShop(TEST_SHOP, control);
    await control.fault({ path: "/event/track/", kind: "revoke", count: 1 });
    await placeOrders(1);
    await drainAll();
    expect(await prisma.alertEmail.count({ where: { status: "queued" } })).toBe(1);
    const res = await call(uninstalledAction, webhookRequest({ topic: "app/uninstalled", shop: TEST_SHOP, payload: { id: 1, myshopify_domain: TEST_SHOP } }));
    expect(res.status).toBe(200);
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(0);
    expect(await prisma.incident.count({ where: { openKind: { not: null } } })).toBe(0);
    // Installed again, for the tests after this one.
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { uninstalledAt: null } });
  });
});

describe("a disconnect racing the jobs", () => {
  const disconnectInSettings = async () => {
    const res = await call(settingsAction, adminRequest("/app/settings", { shop: TEST_SHOP, form: { intent: "disconnect" } }));
    expect(await res.json()).toMatchObject({ disconnected: true });
  };

  it("an incident a job tries to open after TikTok was disconnected is not opened, and no email goes", async () => {
    await connectShop(TEST_SHOP, control);
    await disconnectInSettings();
    // A sweep that read the shop as connected just before the disconnect goes on with what it read.
    expect(await startIncident(TEST_SHOP, "events_lost", { failed: 2, expired: 0 })).toBe(false);
    expect(await prisma.incident.count()).toBe(0);
    await sendAlerts();
    expect(mail.received).toHaveLength(0);
  });

  it("an alert queued for an incident opened as TikTok was disconnected is not sent, and says why", async () => {
    await connectShop(TEST_SHOP, control);
    await disconnectInSettings();
    // What such a race leaves: the incident and its alert written just after the disconnect closed the shop's incidents.
    const incident = await prisma.incident.create({ data: { shop: TEST_SHOP, kind: "events_lost", openKind: "events_lost", detail: JSON.stringify({ failed: 2, expired: 0 }) } });
    await prisma.alertEmail.create({ data: { shop: TEST_SHOP, incidentId: incident.id, phase: "start" } });
    expect(await sendAlerts()).toMatchObject({ sent: 0, failed: 1 });
    expect(mail.received).toHaveLength(0);
    expect(await prisma.alertEmail.findFirstOrThrow()).toMatchObject({ status: "failed", lastError: "Not sent: TikTok was disconnected (or the app uninstalled) first." });
  });

  it("an alert whose incident the disconnect ended is not sent once TikTok is connected again", async () => {
    await connectShop(TEST_SHOP, control);
    await disconnectInSettings();
    const incident = await prisma.incident.create({ data: { shop: TEST_SHOP, kind: "events_lost", openKind: null, endedAt: new Date(), detail: "{}" } });
    await prisma.alertEmail.create({ data: { shop: TEST_SHOP, incidentId: incident.id, phase: "start" } });
    await reconnectThroughOAuth(TEST_SHOP);
    expect(await sendAlerts()).toMatchObject({ sent: 0, failed: 1 });
    expect(mail.received).toHaveLength(0);
  });

  it("disconnected mid-trouble, then connected again: the old connection's failures are forgotten, so one 5xx is no outage and Home shows no old problem", async () => {
    await connectShop(TEST_SHOP, control);
    // TikTok fails once: the outage timer starts.
    await control.fault({ path: "/event/track/", kind: "http_5xx", count: 1 });
    await placeOrders(1);
    await drainAll();
    // Then the stored token cannot be read: a delivery problem, shown on Home and told by email.
    await prisma.tikTokConnection.update({ where: { shop: TEST_SHOP }, data: { accessTokenEnc: "unreadable" } });
    vi.spyOn(console, "error").mockImplementation(() => {});
    await timePasses(TEST_SHOP);
    await drainAll();
    await sendAlerts();
    expect(mail.received.map((m) => subjectOf(m.raw))).toEqual([`[${TEST_SHOP}] Purchase events are held by a problem in this app and are not sent.`]);
    await disconnectInSettings();
    // Ten minutes later (the sweep skips a disconnected shop), the merchant connects TikTok again.
    await prisma.tikTokConnection.updateMany({ where: { shop: TEST_SHOP, retryingSince: { not: null } }, data: { retryingSince: new Date(Date.now() - 10 * 60_000) } });
    await reconnectThroughOAuth(TEST_SHOP);
    const home = await (await call((await import("~/routes/app._index")).loader, adminRequest("/app", { shop: TEST_SHOP }))).json();
    expect(home.connection.deliveryProblem).toBeNull();
    // One 5xx on the first send after it: a blip, as on any other day.
    await control.fault({ path: "/event/track/", kind: "http_5xx", count: 1 });
    await timePasses(TEST_SHOP);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(1);
    expect(await prisma.incident.count({ where: { openKind: { not: null } } })).toBe(0);
  });

  it("a new ad account and pixel chosen: TikTok's failures before the choice do not make one 5xx after it an outage", async () => {
    await connectShop(TEST_SHOP, control);
    await reconnectThroughOAuth(TEST_SHOP);
    await control.fault({ path: "/event/track/", kind: "http_5xx", count: 1 });
    await placeOrders(1);
    await drainAll();
    // The merchant takes ten minutes over "Change ad account or pixel" (the shop is not connected
    // until a pixel is chosen, and the sweep skips it), then picks the account's other pixel.
    await prisma.tikTokConnection.updateMany({ where: { shop: TEST_SHOP, retryingSince: { not: null } }, data: { retryingSince: new Date(Date.now() - 10 * 60_000) } });
    const berlin = (await control.world()).advertisers.find((a) => a.advertiser_id === ADVERTISER_IDS.berlin)!;
    await chooseInWizard(TEST_SHOP, ADVERTISER_IDS.berlin, berlin.pixels[1].pixel_code);
    await control.fault({ path: "/event/track/", kind: "http_5xx", count: 1 });
    await timePasses(TEST_SHOP);
    await drainAll();
    await detectIncidents();
    await sendAlerts();
    expect(mail.received).toHaveLength(0);
    expect(await prisma.incident.count()).toBe(0);
  });
});

describe("Settings: alert address and test email", () => {
  const settings = async () => (await (await call(settingsLoader, adminRequest("/app/settings", { shop: TEST_SHOP }))).json()).alerts;
  const post = async (form: Record<string, string>) => (await call(settingsAction, adminRequest("/app/settings", { shop: TEST_SHOP, form }))).json();

  it("shows the store owner's email from Shopify as the default recipient, and that email is on", async () => {
    expect(await settings()).toEqual({ mailConfigured: true, chosen: null, contactEmail: CONTACT });
  });

  it.each(["not an email", "a@b", "x".repeat(250) + "@example.com", "ops@example.com\r\nBcc: x@example.com"])("refuses %j with a field error and keeps the saved address", async (value) => {
    await post({ intent: "alert-email", alertEmail: "ops@alpha-test.example.com" });
    const result = await post({ intent: "alert-email", alertEmail: value });
    expect(result.errors.alertEmail).toMatch(/Enter an email address/);
    expect((await settings()).chosen).toBe("ops@alpha-test.example.com");
  });

  it("empty goes back to the store owner's email", async () => {
    await post({ intent: "alert-email", alertEmail: "ops@alpha-test.example.com" });
    await post({ intent: "alert-email", alertEmail: "" });
    expect((await settings()).chosen).toBeNull();
  });

  it("Send test email reports the mail server's answer, and the server got it", async () => {
    const result = await post({ intent: "test-email" });
    expect(result.test).toEqual({ ok: true, to: CONTACT, response: expect.stringContaining("Message queued as test-1") });
    expect(mail.received).toHaveLength(1);
    expect(mail.received[0].to).toEqual([CONTACT]);
    expect(subjectOf(mail.received[0].raw)).toBe(`[${TEST_SHOP}] Test email from TikTok Ads`);
    expect(decoded(mail.received[0].raw)).toContain("and again when it is over (unless TikTok is disconnected first)");
  });

  it("Send test email reports the mail server's refusal", async () => {
    mail.refuse = 1;
    const result = await post({ intent: "test-email" });
    expect(result.test.ok).toBe(false);
    expect(result.test.error).toContain("451");
    expect(result.test.error).not.toContain("s3cret-smtp-pass");
    expect(mail.received).toHaveLength(0);
  });
});
