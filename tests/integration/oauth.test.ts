// The TikTok OAuth round trip (/tiktok/start → TikTok consent → /tiktok/callback) against the
// in-process sandbox: every bad callback is refused with a clear page and stores nothing; a good
// one stores the token encrypted, and the token never shows in a table, a page's data or a log line.
import { createHash } from "node:crypto";
import fc from "fast-check";
import prisma from "~/core/db.server";
import { decryptToken } from "~/core/connection/token-crypto.server";
import { listAdvertiserChoices, OAUTH_COOKIE } from "~/features/connect/connect.server";
import { loader as layoutLoader } from "~/routes/app";
import { loader as homeLoader } from "~/routes/app._index";
import { loader as accountLoader } from "~/routes/app.connect.account";
import { action as connectAction, loader as connectLoader } from "~/routes/app.connect._index";
import { loader as settingsLoader } from "~/routes/app.settings";
import { loader as callbackLoader } from "~/routes/tiktok.callback";
import { action as confirmAction, loader as confirmLoader } from "~/routes/app.connect.confirm";
import { loader as startLoader } from "~/routes/tiktok.start";
import { ADVERTISER_IDS } from "../../sandbox/world";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { adminRequest, APP_URL, call, seedOfflineSession } from "../support/requests";
import { captureConsole, dumpDatabase, fuzzParams, fuzzTimeout, hostileString, startAppSandbox, type CapturedLogs } from "../support/fuzz";

const tiktok = await startAppSandbox();

afterAll(() => tiktok.close());

let logs: CapturedLogs;
beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
  await seedOfflineSession(OTHER_SHOP);
});
beforeEach(async () => {
  logs = captureConsole();
  await prisma.tikTokConnection.deleteMany();
  await prisma.oAuthState.deleteMany();
});
afterEach(() => logs.restore());

type Flow = { state: string; cookie: string; callbackUrl: URL };

/** What a merchant's browser does: Connect in the admin, /tiktok/start, TikTok's consent page. */
async function startConnect(shop: string): Promise<Flow> {
  const started = await call(connectAction, adminRequest("/app/connect", { shop, method: "POST", form: {} }));
  const { startUrl } = await started.json();
  const state = new URL(startUrl).searchParams.get("state")!;
  const start = await call(startLoader, new Request(startUrl));
  expect(start.status).toBe(302);
  const cookie = start.headers.get("Set-Cookie")!.split(";")[0];
  expect(cookie).toBe(`${OAUTH_COOKIE}=${encodeURIComponent(state)}`);
  const consent = await fetch(start.headers.get("Location")!, { redirect: "manual" });
  const callbackUrl = new URL(consent.headers.get("Location")!);
  expect(callbackUrl.origin + callbackUrl.pathname).toBe(`${APP_URL}/tiktok/callback`);
  return { state, cookie, callbackUrl };
}

function callback(params: Record<string, string | null>, cookie: string | null) {
  const url = new URL(`${APP_URL}/tiktok/callback`);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return call(callbackLoader, new Request(url, { headers: cookie === null ? {} : { Cookie: cookie } }));
}

const fromFlow = (f: Flow, over: Record<string, string | null> = {}) =>
  callback({ state: f.callbackUrl.searchParams.get("state"), auth_code: f.callbackUrl.searchParams.get("auth_code"), ...over }, f.cookie);

/** The confirmation code the callback put in the admin URL it sent the browser to. */
function grantCode(callbackAnswer: Response) {
  expect(callbackAnswer.status).toBe(302);
  const location = new URL(callbackAnswer.headers.get("Location")!);
  expect(location.pathname).toMatch(/\/app\/connect\/confirm$/);
  return location.searchParams.get("grant")!;
}

/** The confirm page's buttons, posted from the embedded admin of `shop` (App Bridge's session token). */
const confirm = (shop: string, grant: string, intent: "confirm" | "discard" = "confirm") =>
  call(confirmAction, adminRequest("/app/connect/confirm", { shop, form: { grant, intent } }));

async function usedStates() {
  return prisma.oAuthState.count({ where: { usedAt: { not: null } } });
}

/** A refusal page: 400, HTML, the reason in words, the state cookie cleared, nothing stored. */
async function expectRefused(res: Response, reason: RegExp) {
  expect(res.status).toBe(400);
  expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  expect(res.headers.get("Set-Cookie")).toMatch(new RegExp(`^${OAUTH_COOKIE}=;.*Max-Age=0`));
  const html = await res.text();
  expect(html).toContain("<h1>TikTok connection refused</h1>");
  expect(html).toMatch(reason);
  expect(html).toContain("Nothing was saved");
  expect(await prisma.tikTokConnection.count()).toBe(0);
}

describe("OAuth callback: refused with a clear page, nothing stored", () => {
  it("refuses a forged state the app never issued", async () => {
    const flow = await startConnect(TEST_SHOP);
    const forged = "A".repeat(43);
    await expectRefused(await fromFlow(flow, { state: forged }), /not one the app issued/);
    await expectRefused(await callback({ state: forged, auth_code: "x" }, `${OAUTH_COOKIE}=${forged}`), /not one the app issued/);
    expect(await usedStates()).toBe(0);
  });

  it("refuses a callback replayed after a successful one, and keeps the first connection as it was", async () => {
    const flow = await startConnect(TEST_SHOP);
    expect((await confirm(TEST_SHOP, grantCode(await fromFlow(flow)))).status).toBe(302);
    const stored = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } });
    const res = await fromFlow(flow);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/already used/);
    expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toEqual(stored);
  });

  it("refuses an expired state and leaves it unconsumed", async () => {
    const flow = await startConnect(TEST_SHOP);
    await prisma.oAuthState.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectRefused(await fromFlow(flow), /expired/);
    expect(await usedStates()).toBe(0);
  });

  it("refuses a state whose cookie belongs to another connection attempt (other browser or other shop)", async () => {
    const mine = await startConnect(TEST_SHOP);
    const theirs = await startConnect(OTHER_SHOP);
    await expectRefused(await callback({ state: mine.state, auth_code: mine.callbackUrl.searchParams.get("auth_code") }, theirs.cookie), /another browser or for another store/);
    await expectRefused(await callback({ state: theirs.state, auth_code: theirs.callbackUrl.searchParams.get("auth_code") }, mine.cookie), /another browser or for another store/);
    await expectRefused(await fromFlow(mine, { shop: OTHER_SHOP }), /belongs to another store/);
    expect(await usedStates()).toBe(0);
  });

  it.each([
    ["no state", { state: null }, /has no state/],
    ["an empty state", { state: "" }, /has no state/],
    ["no auth_code (consent declined)", { auth_code: null }, /did not return an authorization code/],
    ["an empty auth_code", { auth_code: "" }, /did not return an authorization code/],
  ])("refuses %s and leaves the state unconsumed", async (_name, over, reason) => {
    const flow = await startConnect(TEST_SHOP);
    await expectRefused(await fromFlow(flow, over), reason);
    expect(await usedStates()).toBe(0);
  });

  it("refuses a callback without the state cookie, or with a cookie that is not valid percent-encoding", async () => {
    const flow = await startConnect(TEST_SHOP);
    await expectRefused(await callback(Object.fromEntries(flow.callbackUrl.searchParams), null), /another browser/);
    await expectRefused(await callback(Object.fromEntries(flow.callbackUrl.searchParams), `${OAUTH_COOKIE}=%E0%A4%A`), /another browser/);
    await expectRefused(await callback(Object.fromEntries(flow.callbackUrl.searchParams), `${OAUTH_COOKIE}=%`), /another browser/);
    expect(await usedStates()).toBe(0);
  });

  it("refuses an auth_code TikTok does not accept with a 400 page, not a 5xx", async () => {
    const flow = await startConnect(TEST_SHOP);
    await expectRefused(await fromFlow(flow, { auth_code: "0123456789abcdef0123456789abcdef" }), /authorization code/);
  });
});

describe("/tiktok/start: only the link the merchant's admin just issued, once (issue 12, probe 10)", () => {
  async function issuedLink(shop = TEST_SHOP) {
    const started = await call(connectAction, adminRequest("/app/connect", { shop, method: "POST", form: {} }));
    return new URL((await started.json()).startUrl as string);
  }
  async function expectStartRefused(res: Response, reason: RegExp) {
    expect(res.status).toBe(400);
    expect(res.headers.get("Set-Cookie")).toBeNull();
    const html = await res.text();
    expect(html).toContain("Could not start the TikTok connection");
    expect(html).toMatch(reason);
  }

  it("a forwarded start link opened in another browser after the merchant's own is refused, and nothing is linked", async () => {
    // GIVEN the merchant clicked Connect: the embedded page opened the link in their browser
    const link = await issuedLink();
    const merchant = await call(startLoader, new Request(link));
    expect(merchant.status).toBe(302);
    // WHEN someone else opens a copy of the same link
    await expectStartRefused(await call(startLoader, new Request(link)), /already opened, in this or another browser/);
    // AND completes TikTok's consent with the state from that link (their browser has no state cookie)
    const consent = await fetch(merchant.headers.get("Location")!, { redirect: "manual" });
    const back = new URL(consent.headers.get("Location")!);
    await expectRefused(await callback(Object.fromEntries(back.searchParams), null), /another browser/);
    expect(await prisma.tikTokConnection.count()).toBe(0);
  });

  it("refuses a link without the app's signature, for another shop, or opened after 2 minutes", async () => {
    const link = await issuedLink();
    const unsigned = new URL(link);
    unsigned.searchParams.delete("sig");
    await expectStartRefused(await call(startLoader, new Request(unsigned)), /not issued by the app for this store/);
    const otherShop = new URL(link);
    otherShop.searchParams.set("shop", OTHER_SHOP);
    await expectStartRefused(await call(startLoader, new Request(otherShop)), /not issued by the app for this store/);
    const longer = new URL(link);
    longer.searchParams.set("exp", String(Date.now() + 60 * 60 * 1000));
    await expectStartRefused(await call(startLoader, new Request(longer)), /not issued by the app for this store/);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 3 * 60 * 1000);
      await expectStartRefused(await call(startLoader, new Request(link)), /within 2 minutes/);
    } finally {
      vi.useRealTimers();
    }
    expect(await prisma.oAuthState.count({ where: { startedAt: { not: null } } })).toBe(0);
  });

  it("a callback for a state whose start link was never opened is refused", async () => {
    const link = await issuedLink();
    const state = link.searchParams.get("state")!;
    await expectRefused(await callback({ state, auth_code: "x" }, `${OAUTH_COOKIE}=${encodeURIComponent(state)}`), /not started from the app/);
  });
});

describe("OAuth callback: the valid one", () => {
  it("stores the token encrypted; it never appears in the database in clear, in page data or in logs", async () => {
    // GIVEN a merchant who approved access on TikTok's page
    const flow = await startConnect(TEST_SHOP);
    // WHEN TikTok redirects back
    const res = await fromFlow(flow);
    // THEN they are sent back into the embedded app to confirm, the state cookie cleared
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^https:\/\/admin\.shopify\.com\/store\/alpha-test\/apps\/test-api-key\/app\/connect\/confirm\?grant=[A-Za-z0-9_-]{43}$/);
    expect(res.headers.get("Set-Cookie")).toMatch(/Max-Age=0/);
    expect(await usedStates()).toBe(1);
    // AND nothing is connected until they confirm there
    expect(await prisma.tikTokConnection.count()).toBe(0);
    const confirmPage = await call(confirmLoader, adminRequest(`/app/connect/confirm?grant=${grantCode(res)}`, { shop: TEST_SHOP }));
    const confirmed = await confirm(TEST_SHOP, grantCode(res));
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("Location")).toBe(`${APP_URL}/app/connect`);

    // AND the token is stored only encrypted, and it is a working TikTok token
    const row = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } });
    expect(row.status).toBe("pending");
    const token = decryptToken(row.accessTokenEnc!);
    expect(token.length).toBeGreaterThan(10);
    expect(row.accessTokenEnc).not.toContain(token);
    expect((await listAdvertiserChoices(TEST_SHOP)).length).toBeGreaterThan(0);

    // AND no table holds it in clear
    for (const [table, rows] of Object.entries(await dumpDatabase(prisma))) expect(rows, table).not.toContain(token);

    // AND no page data the admin receives contains it
    const pages = [
      await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP })),
      await call(settingsLoader, adminRequest("/app/settings", { shop: TEST_SHOP })),
      await call(layoutLoader, adminRequest("/app", { shop: TEST_SHOP })),
      await call(connectLoader, adminRequest("/app/connect", { shop: TEST_SHOP })),
      await call(accountLoader, adminRequest("/app/connect/account", { shop: TEST_SHOP })),
      confirmPage,
      res,
    ];
    for (const page of pages) {
      expect(page.status).toBeLessThan(500);
      expect(await page.text()).not.toContain(token);
      expect(JSON.stringify([...page.headers])).not.toContain(token);
    }
    // AND no log line has it
    expect(logs.text()).not.toContain(token);
  });
});

describe("a start link opened in another browser first cannot connect that browser's TikTok account (issue 27 M4)", () => {
  /** Someone else's browser: opens the copied link first, grants only their own ad account on TikTok's page, comes back. */
  async function strangerCompletes(startUrl: string) {
    const start = await call(startLoader, new Request(startUrl));
    expect(start.status).toBe(302);
    const cookie = start.headers.get("Set-Cookie")!.split(";")[0];
    const authorize = new URL(start.headers.get("Location")!);
    const form = new URLSearchParams({
      app_id: authorize.searchParams.get("app_id")!,
      state: authorize.searchParams.get("state")!,
      redirect_uri: authorize.searchParams.get("redirect_uri")!,
      advertiser_ids: ADVERTISER_IDS.tokyo,
    });
    const consent = await fetch(new URL("/portal/auth", authorize), { method: "POST", body: form, redirect: "manual" });
    return callback(Object.fromEntries(new URL(consent.headers.get("Location")!).searchParams), cookie);
  }
  const issuedLink = async (shop = TEST_SHOP) =>
    (await (await call(connectAction, adminRequest("/app/connect", { shop, method: "POST", form: {} }))).json()).startUrl as string;

  it("the stranger's TikTok grant connects nothing: it waits for a confirmation only this store's admin can give", async () => {
    // GIVEN a start link the merchant's admin issued, opened first in someone else's browser
    const back = await strangerCompletes(await issuedLink());
    // THEN that browser is sent to the store's admin (where it is not signed in), and nothing is connected
    const grant = grantCode(back);
    expect(back.headers.get("Location")).toMatch(/^https:\/\/admin\.shopify\.com\/store\/alpha-test\//);
    expect(await prisma.tikTokConnection.count()).toBe(0);
    // AND the confirmation cannot be given without a session token of this store's admin
    const anonymous = await call(confirmAction, new Request(`${APP_URL}/app/connect/confirm`, { method: "POST", body: new URLSearchParams({ grant, intent: "confirm" }) }));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/auth/login");
    expect((await confirm(OTHER_SHOP, grant)).status).toBe(200);
    expect(await (await confirm(OTHER_SHOP, grant)).json()).toMatchObject({ error: expect.stringMatching(/No TikTok authorization is waiting for this store/) });
    expect(await prisma.tikTokConnection.count()).toBe(0);
    // AND the merchant opening the confirm page without that link's code sees nothing to confirm
    expect(await (await call(confirmLoader, adminRequest("/app/connect/confirm", { shop: TEST_SHOP }))).json()).toMatchObject({ code: null, grant: null });
  });

  it("a merchant shown the stranger's grant sees the store and the ad account it covers, and can discard it", async () => {
    const grant = grantCode(await strangerCompletes(await issuedLink()));
    const page = await (await call(confirmLoader, adminRequest(`/app/connect/confirm?grant=${grant}`, { shop: TEST_SHOP }))).json();
    expect(page.grant).toMatchObject({ shop: TEST_SHOP, accounts: [{ advertiserId: ADVERTISER_IDS.tokyo, name: "Tokyo Stationery" }] });
    const discarded = await confirm(TEST_SHOP, grant, "discard");
    expect(await discarded.json()).toEqual({ error: null, discarded: true });
    expect(await prisma.tikTokConnection.count()).toBe(0);
    // The grant's token is erased and it cannot be confirmed afterwards
    expect(await prisma.oAuthState.count({ where: { grantEnc: { not: null } } })).toBe(0);
    expect(await (await confirm(TEST_SHOP, grant)).json()).toMatchObject({ error: expect.stringMatching(/No TikTok authorization is waiting/) });
    expect(await prisma.tikTokConnection.count()).toBe(0);
  });

  it("a working connection stays as it was while a stranger's grant waits, and a grant not confirmed within 10 minutes lapses", async () => {
    // GIVEN the merchant connected through the whole flow, confirmation included
    const flow = await startConnect(TEST_SHOP);
    expect((await confirm(TEST_SHOP, grantCode(await fromFlow(flow)))).status).toBe(302);
    const before = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } });
    // WHEN a stranger completes a later start link
    const grant = grantCode(await strangerCompletes(await issuedLink()));
    // THEN the connection is untouched
    expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toEqual(before);
    // AND after 10 minutes the grant can no longer be confirmed, and the next Connect erases its token
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 11 * 60 * 1000);
      expect(await (await confirm(TEST_SHOP, grant)).json()).toMatchObject({ error: expect.stringMatching(/expired/) });
      await issuedLink();
    } finally {
      vi.useRealTimers();
    }
    expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toEqual(before);
    expect(await prisma.oAuthState.count({ where: { grantEnc: { not: null } } })).toBe(0);
  });

  it("a grant is confirmed once: a second confirmation, or one racing it, changes nothing", async () => {
    const grant = grantCode(await fromFlow(await startConnect(TEST_SHOP)));
    const answers = await Promise.all([confirm(TEST_SHOP, grant), confirm(TEST_SHOP, grant)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 302]);
    expect(await prisma.tikTokConnection.count()).toBe(1);
  });
});

describe("fuzz: OAuth parameters", () => {
  // Cookie headers must be byte strings; other parameters go through the URL as any text.
  const cookieSafe = fc.oneof(fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")), fc.constantFrom("%", "%E0%A4%A", "%ZZ", "", ";", "=", "a=b; c"));
  type Pick = "valid" | "other" | "used" | "expired" | "random";

  it("refuses every callback that is not the valid one with 400, stores no connection and consumes no state", async () => {
    const pool = async () => {
      const valid = await startConnect(TEST_SHOP);
      const other = await startConnect(OTHER_SHOP);
      const used = await startConnect(TEST_SHOP);
      const expired = await startConnect(TEST_SHOP);
      return { valid, other, used, expired };
    };
    const p = await pool();
    // Mark `used` as used and `expired` as expired; the others stay usable for every run.
    const h = (raw: string) => createHash("sha256").update(raw).digest("hex");
    await prisma.oAuthState.update({ where: { stateHash: h(p.used.state) }, data: { usedAt: new Date() } });
    await prisma.oAuthState.update({ where: { stateHash: h(p.expired.state) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const byPick = (pick: Pick, random: string) => (pick === "random" ? random : p[pick].state);

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Pick>("valid", "other", "used", "expired", "random"),
        fc.oneof(hostileString.filter((s) => s.length < 5_000), fc.constant("")),
        fc.constantFrom<Exclude<Pick, "random"> | "none" | "raw">("valid", "other", "used", "expired", "none", "raw"),
        cookieSafe,
        fc.option(fc.oneof(hostileString.filter((s) => s.length < 5_000), fc.constantFrom("0123456789abcdef")), { nil: null }),
        fc.option(fc.constantFrom(TEST_SHOP, OTHER_SHOP, "evil.myshopify.com", ""), { nil: null }),
        async (statePick, randomState, cookiePick, rawCookie, authCode, shop) => {
          const state = byPick(statePick, randomState);
          const cookieValue = cookiePick === "none" ? null : cookiePick === "raw" ? rawCookie : encodeURIComponent(p[cookiePick].state);
          const res = await callback({ state, auth_code: authCode, shop }, cookieValue === null ? null : `${OAUTH_COOKIE}=${cookieValue}`);
          expect(res.status).toBe(400);
          expect(await res.text()).toContain("TikTok connection refused");
          expect(await prisma.tikTokConnection.count()).toBe(0);
          // Only a fully valid request (state and cookie of one live attempt, a code, no other shop named)
          // may use up its state; TikTok then refuses the made-up code.
          const live = (statePick === "valid" || statePick === "other") && cookiePick === statePick;
          const owner = statePick === "other" ? OTHER_SHOP : TEST_SHOP;
          const wasValid = live && !!authCode && (shop === null || shop === "" || shop === owner);
          const consumed = await prisma.oAuthState.count({ where: { usedAt: { not: null } } });
          expect(consumed).toBe(wasValid ? 2 : 1);
          if (wasValid) await prisma.oAuthState.updateMany({ where: { stateHash: { in: [h(p.valid.state), h(p.other.state)] } }, data: { usedAt: null } });
        },
      ),
      fuzzParams(150),
    );
  }, fuzzTimeout());

  it("/tiktok/start refuses any state the app did not issue with 400 and sets no cookie", async () => {
    await fc.assert(
      fc.asyncProperty(hostileString.filter((s) => s.length < 5_000), async (state) => {
        const url = new URL(`${APP_URL}/tiktok/start`);
        url.searchParams.set("state", state);
        const res = await call(startLoader, new Request(url));
        expect(res.status).toBe(400);
        expect(res.headers.get("Set-Cookie")).toBeNull();
        expect(await res.text()).toContain("Could not start the TikTok connection");
      }),
      fuzzParams(100),
    );
    expect(await prisma.oAuthState.count()).toBe(0);
  });
});
