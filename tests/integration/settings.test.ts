// The settings form (/app/settings): every bad value gets a field error and leaves the saved
// settings exactly as they were; good values are saved; fuzzed forms never save anything else.
import fc from "fast-check";
import prisma from "~/core/db.server";
import { encryptToken } from "~/core/connection/token-crypto.server";
import { sessionToken } from "~/features/demo/shopify-double.server";
import { action, loader } from "~/routes/app.settings";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { adminRequest, APP_URL, call, seedOfflineSession } from "../support/requests";
import { captureConsole, fuzzParams, fuzzTimeout, hostileString, shopSnapshot } from "../support/fuzz";

const SAVED = { attributionWindowDays: 30, sendMode: "attributed", eventName: "CompletePayment" };

async function seedConnection(shop: string, over: Record<string, unknown> = {}) {
  await prisma.tikTokConnection.create({
    data: {
      shop,
      status: "connected",
      accessTokenEnc: encryptToken(`tt-settings-${shop}`),
      advertiserId: shop === TEST_SHOP ? "7100000000000000001" : "7100000000000000002",
      pixelCode: shop === TEST_SHOP ? "CSETTINGSA" : "CSETTINGSB",
      connectedAt: new Date(),
      ...SAVED,
      ...over,
    },
  });
}

/** A form post with repeated keys allowed, as a browser (or anyone) can send. */
function formRequest(shop: string, entries: [string, string][]) {
  return new Request(`${APP_URL}/app/settings`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${sessionToken({ apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop })}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(entries).toString(),
  });
}

const save = async (form: Record<string, string>, shop = TEST_SHOP) =>
  (await call(action, adminRequest("/app/settings", { shop, form: { intent: "save", ...form } }))).json();
const settingsOf = async (shop = TEST_SHOP) => (await (await call(loader, adminRequest("/app/settings", { shop }))).json()).connection;
const row = (shop = TEST_SHOP) => prisma.tikTokConnection.findUnique({ where: { shop } });

beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
  await seedOfflineSession(OTHER_SHOP);
});
beforeEach(async () => {
  await prisma.tikTokConnection.deleteMany();
  await seedConnection(TEST_SHOP);
  await seedConnection(OTHER_SHOP);
});

describe("settings: email alerts without a mail server", () => {
  it("says alerts are in-app only, and Send test email says why nothing was sent", async () => {
    const page = await (await call(loader, adminRequest("/app/settings", { shop: TEST_SHOP }))).json();
    expect(page.alerts.mailConfigured).toBe(false);
    const result = await (await call(action, adminRequest("/app/settings", { shop: TEST_SHOP, form: { intent: "test-email" } }))).json();
    expect(result.test).toEqual({ ok: false, error: "Email alerts are off: SMTP_URL is not set on the app's server." });
  });
});

describe("settings: refused values", () => {
  it.each([["0"], ["91"], ["-1"], ["abc"], ["1.5"], [""], [" "], ["NaN"], ["Infinity"], ["1e400"], ["９０"], ["30 days"], ["9".repeat(400)]])(
    "attribution window %j: field error, old settings kept",
    async (days) => {
      const before = await row();
      const result = await save({ attributionWindowDays: days, sendMode: "all", eventName: "Purchase" });
      expect(result.saved).toBe(false);
      expect(result.errors.attributionWindowDays).toBe("Enter a whole number of days from 1 to 90.");
      // Nothing of the form was saved, not even its valid fields.
      expect(await row()).toEqual(before);
      expect(await settingsOf()).toMatchObject(SAVED);
    },
  );

  it.each([
    ["sendMode", "sometimes"],
    ["sendMode", ""],
    ["sendMode", "ALL"],
    ["sendMode", "all "],
    ["eventName", "AddToCart"],
    ["eventName", "purchase"],
    ["eventName", ""],
    ["eventName", "CompletePayment\u0000"],
    ["limitedDataUse", "yes"],
    ["limitedDataUse", "on"],
    ["browserPixelReportsPurchases", "1"],
  ])("%s = %j: field error, old settings kept", async (field, value) => {
    const before = await row();
    const result = await save({ attributionWindowDays: "45", sendMode: "all", eventName: "Purchase", [field]: value });
    expect(result.saved).toBe(false);
    expect(Object.keys(result.errors)).toEqual([field]);
    expect(result.errors[field]).toMatch(/Choose/);
    expect(await row()).toEqual(before);
  });

  it("reports every bad field at once", async () => {
    const result = await save({ attributionWindowDays: "0", sendMode: "x", eventName: "y" });
    expect(Object.keys(result.errors).sort()).toEqual(["attributionWindowDays", "eventName", "sendMode"]);
  });

  it("answers a missing or unknown intent with a message the page shows (form), and saves nothing", async () => {
    for (const form of [{}, { intent: "delete-everything" }, { intent: "" }] as Record<string, string>[]) {
      const before = await row();
      const res = await call(action, adminRequest("/app/settings", { shop: TEST_SHOP, form: { attributionWindowDays: "45", sendMode: "all", eventName: "Purchase", ...form } }));
      const result = await res.json();
      expect(result.saved).toBe(false);
      expect(result.errors.form).toEqual(expect.any(String));
      expect(await row()).toEqual(before);
    }
  });

  it("without a connection the page shows Purchase, the event name a new connection gets", async () => {
    await prisma.tikTokConnection.deleteMany({ where: { shop: TEST_SHOP } });
    const data = await (await call(loader, adminRequest("/app/settings", { shop: TEST_SHOP }))).json();
    expect(data.connection).toMatchObject({ status: "not_connected", eventName: "Purchase" });
  });

  it("without a connection: a form error, and no connection row is created", async () => {
    await prisma.tikTokConnection.deleteMany({ where: { shop: TEST_SHOP } });
    const result = await save({ attributionWindowDays: "45", sendMode: "all", eventName: "Purchase" });
    expect(result).toMatchObject({ saved: false, errors: { form: expect.stringMatching(/Connect TikTok first/) } });
    expect(await row()).toBeNull();
  });
});

describe("settings: saved values", () => {
  it.each([
    ["1", "attributed", "CompletePayment"],
    ["28", "all", "Purchase"],
    ["90", "all", "CompletePayment"],
    [" 7 ", "attributed", "Purchase"],
  ])("saves window %j, %s, %s and the page shows them", async (days, sendMode, eventName) => {
    const result = await save({ attributionWindowDays: days, sendMode, eventName });
    expect(result).toEqual({ saved: true, disconnected: false, appliesAfterReconnect: false, errors: {} });
    const expected = { attributionWindowDays: Number(days), sendMode, eventName };
    expect(await row()).toMatchObject(expected);
    expect(await settingsOf()).toMatchObject(expected);
  });

  it.each([
    ["29", true],
    ["28", false],
    ["90", true],
  ])("window %j is saved and handed to the page, which notes TikTok's own 28-day click window above 28: %s", async (days, note) => {
    const result = await save({ attributionWindowDays: days, sendMode: "attributed", eventName: "CompletePayment" });
    expect(result.saved).toBe(true);
    const shown = (await settingsOf()).attributionWindowDays;
    expect(shown).toBe(Number(days));
    expect(shown > 28).toBe(note);
  });

  it("while disconnected, saving says the settings apply once TikTok is connected again", async () => {
    await prisma.tikTokConnection.update({ where: { shop: TEST_SHOP }, data: { status: "disconnected", accessTokenEnc: null } });
    const result = await save({ attributionWindowDays: "14", sendMode: "attributed", eventName: "CompletePayment" });
    expect(result).toEqual({ saved: true, disconnected: false, appliesAfterReconnect: true, errors: {} });
    expect(await row()).toMatchObject({ attributionWindowDays: 14, status: "disconnected" });
  });

  it("saving changes only this shop's connection, whatever shop the form names", async () => {
    const other = await shopSnapshot(prisma, OTHER_SHOP);
    await save({ attributionWindowDays: "60", sendMode: "all", eventName: "Purchase", shop: OTHER_SHOP });
    expect(await shopSnapshot(prisma, OTHER_SHOP)).toEqual(other);
    expect(await row()).toMatchObject({ attributionWindowDays: 60 });
  });

  it("disconnect removes the token, keeps the settings and the other shop untouched", async () => {
    const logs = captureConsole(); // TikTok is unreachable here: the revoke failure is logged
    try {
      const other = await shopSnapshot(prisma, OTHER_SHOP);
      const res = await call(action, adminRequest("/app/settings", { shop: TEST_SHOP, form: { intent: "disconnect" } }));
      // The merchant is told TikTok did not confirm the revoke, with why; the app disconnects anyway.
      expect(await res.json()).toMatchObject({ disconnected: true, revokeFailed: "TikTok could not be reached" });
      expect(await row()).toMatchObject({ status: "disconnected", accessTokenEnc: null, ...SAVED });
      expect(await shopSnapshot(prisma, OTHER_SHOP)).toEqual(other);
      expect(logs.text()).not.toContain(`tt-settings-${TEST_SHOP}`);
    } finally {
      logs.restore();
    }
  });
});

describe("fuzz: settings form", () => {
  const value = fc.oneof(
    hostileString.filter((s) => s.length < 10_000),
    fc.integer({ min: -5, max: 100 }).map(String),
    fc.double({ min: -1, max: 100 }).map(String),
    fc.constantFrom("attributed", "all", "CompletePayment", "Purchase", "save", "disconnect"),
  );
  const field = fc.constantFrom("attributionWindowDays", "sendMode", "eventName", "intent", "shop", "status", "accessTokenEnc", "__proto__", "pixelCode");
  const form = fc.array(fc.tuple(field, value), { maxLength: 8 }).map((pairs) => pairs.filter(([k, v]) => !(k === "intent" && v === "disconnect")));

  /** What the action must do with a form: save exactly these settings, or nothing. */
  function expected(entries: [string, string][]) {
    const f = Object.fromEntries(entries) as Record<string, string | undefined>;
    const n = Number(f.attributionWindowDays ?? NaN);
    const ok =
      f.intent === "save" &&
      f.attributionWindowDays !== undefined &&
      // Written as one or two digits: "0x1F", "1e1" and "045" are refused, not read as numbers.
      /^[0-9]{1,2}$/.test(f.attributionWindowDays.trim()) && n >= 1 && n <= 90 &&
      (f.sendMode === "attributed" || f.sendMode === "all") &&
      (f.eventName === "CompletePayment" || f.eventName === "Purchase");
    return ok ? { attributionWindowDays: n, sendMode: f.sendMode, eventName: f.eventName } : null;
  }

  it("saves exactly the valid forms; anything else gets errors and changes nothing, in either shop", async () => {
    const seen = { saved: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(form, fc.boolean(), async (entries, withValidBase) => {
        // Half the forms start from a valid one, so single bad fields are exercised too.
        const all: [string, string][] = withValidBase
          ? [["intent", "save"], ["attributionWindowDays", "45"], ["sendMode", "all"], ["eventName", "Purchase"], ...entries]
          : entries;
        await prisma.tikTokConnection.update({ where: { shop: TEST_SHOP }, data: SAVED });
        const before = await row();
        const other = await shopSnapshot(prisma, OTHER_SHOP);
        const res = await call(action, formRequest(TEST_SHOP, all));
        expect(res.status).toBe(200);
        const result = await res.json();
        const want = expected(all);
        expect(await shopSnapshot(prisma, OTHER_SHOP)).toEqual(other);
        if (want) {
          expect(result).toEqual({ saved: true, disconnected: false, appliesAfterReconnect: false, errors: {} });
          const after = await row();
          expect(after).toMatchObject(want);
          expect({ ...after, ...SAVED, updatedAt: null }).toEqual({ ...before, updatedAt: null });
          seen.saved++;
        } else {
          expect(result.saved).toBe(false);
          expect(Object.keys(result.errors).length).toBeGreaterThan(0);
          // Every error is one the page shows next to a field or as the form banner.
          for (const k of Object.keys(result.errors)) expect(["attributionWindowDays", "sendMode", "eventName", "form"]).toContain(k);
          expect(await row()).toEqual(before);
          seen.refused++;
        }
      }),
      fuzzParams(300),
    );
    expect(seen.saved).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, fuzzTimeout());
});
