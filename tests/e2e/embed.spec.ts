// The storefront embed in Chromium: a local "storefront" renders the REAL app embed block
// (extensions/tiktok-capture/blocks/capture.liquid) with liquidjs, loads the shipped asset named in its
// schema the way Shopify does (deferred), and fakes Shopify's Customer Privacy API, /cart/update.js and
// the app proxy. Needs neither the app nor a database.
import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Liquid, type TagToken, type TopLevelToken } from "liquidjs";

const EXT = path.resolve("extensions/tiktok-capture");
const BLOCK = path.join(EXT, "blocks/capture.liquid");
const SHOP = "alpha-test.myshopify.com";
const VID_RE = /^tta1\.[A-Za-z0-9_-]{22}$/;

type Consent = "granted" | "denied";
type Recorded = { path: string; contentType: string; body: string };

const schemaOf = (source: string) => JSON.parse(/{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/.exec(source)![1]);

function liquid() {
  const engine = new Liquid({ strictFilters: true });
  // Shopify reads {% schema %} itself and renders nothing for it.
  engine.registerTag("schema", {
    parse(_token: TagToken, remain: TopLevelToken[]) {
      while (remain.length) {
        const t = remain.shift()!;
        if ((t as TagToken).name === "endschema") return;
      }
      throw new Error("{% schema %} is not closed");
    },
    render() {
      return "";
    },
  });
  return engine;
}

/**
 * TikTok's published base code as merchants paste it into theme.liquid (its loader stub: ttq.load records
 * the code in ttq._i and adds events.js, which this offline page cannot load).
 */
const tiktokBaseCode = (code: string) => `<script>
!function (w, d, t) {
  w.TiktokAnalyticsObject=t;var ttq=w[t]=w[t]||[];ttq.methods=["page","track","identify","instances","debug","on","off","once","ready","alias","group","enableCookie","disableCookie"],ttq.setAndDefer=function(t,e){t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}};for(var i=0;i<ttq.methods.length;i++)ttq.setAndDefer(ttq,ttq.methods[i]);ttq.instance=function(t){for(var e=ttq._i[t]||[],n=0;n<ttq.methods.length;n++)ttq.setAndDefer(e,ttq.methods[n]);return e},ttq.load=function(e,n){var i="/tiktok-offline/events.js";ttq._i=ttq._i||{},ttq._i[e]=[],ttq._i[e]._u=i,ttq._t=ttq._t||{},ttq._t[e]=+new Date,ttq._o=ttq._o||{},ttq._o[e]=n||{}};
  ttq.load(${JSON.stringify(code)});
  ttq.page();
}(window, document, 'ttq');
</script>`;

/** A tiny storefront. Fake Shopify globals are what content_for_header would provide. */
async function startStorefront() {
  const engine = liquid();
  const state = {
    consent: "granted" as Consent,
    /** A TikTok pixel code the theme loads with TikTok's base code, or none. */
    tiktokPixel: null as string | null,
    cart: [] as Recorded[],
    touchpoints: [] as Recorded[],
    other: [] as string[],
  };
  let carts = 0;

  const fakeShopify = (consent: Consent) => `<script>
  (function () {
    var allowed = ${JSON.stringify(consent === "granted")};
    var api = {
      analyticsProcessingAllowed: function () { return allowed; },
      marketingAllowed: function () { return allowed; },
      preferencesProcessingAllowed: function () { return allowed; },
      saleOfDataAllowed: function () { return allowed; }
    };
    window.Shopify = window.Shopify || {};
    window.Shopify.shop = ${JSON.stringify(SHOP)};
    window.Shopify.loadFeatures = function (features, cb) {
      window.__features = features;
      setTimeout(function () { window.Shopify.customerPrivacy = api; cb(); window.__consentLoaded = true; }, 20);
    };
    window.__grantConsent = function () {
      allowed = true;
      document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail:
        { analyticsAllowed: true, marketingAllowed: true, preferencesAllowed: true, saleOfDataAllowed: true } }));
    };
  })();
  </script>`;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url!, "http://x");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const rec = { path: url.pathname, contentType: String(req.headers["content-type"] ?? ""), body };

    if (req.method === "POST" && url.pathname === "/cart/update.js") {
      state.cart.push(rec);
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      // Like Shopify: the first cart mutation creates the cart and sets its cookie.
      if (!/(?:^|; *)cart=/.test(req.headers.cookie ?? "")) headers["Set-Cookie"] = `cart=cart-${++carts}%3Fkey%3Dk; Path=/; SameSite=Lax`;
      res.writeHead(200, headers).end(JSON.stringify({ token: `cart-${carts}`, attributes: JSON.parse(body).attributes }));
      return;
    }
    if (req.method === "POST" && url.pathname === "/apps/ttads/touchpoints") {
      state.touchpoints.push(rec);
      res.writeHead(204).end();
      return;
    }
    if (req.method === "GET" && url.pathname.startsWith("/assets/")) {
      res.writeHead(200, { "Content-Type": "text/javascript" }).end(readFileSync(path.join(EXT, "assets", path.basename(url.pathname))));
      return;
    }
    if (req.method === "GET" && !url.pathname.startsWith("/favicon")) {
      const source = readFileSync(BLOCK, "utf8");
      const schema = schemaOf(source);
      const block = await engine.parseAndRender(source, {
        shop: { permanent_domain: SHOP },
        routes: { root_url: "/", cart_update_url: "/cart/update" },
        request: { design_mode: false },
      });
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(`<!doctype html>
<html><head><meta charset="utf-8"><title>Storefront</title>
${fakeShopify(state.consent)}
${state.tiktokPixel ? tiktokBaseCode(state.tiktokPixel) : ""}
<script src="/assets/${schema.javascript}" defer></script>
</head><body><h1>${url.pathname}</h1><p>Theme content.</p>
${block}
</body></html>`);
      return;
    }
    state.other.push(`${req.method} ${url.pathname}`);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let store: Awaited<ReturnType<typeof startStorefront>>;

test.beforeAll(async () => {
  store = await startStorefront();
});
test.afterAll(async () => {
  await store?.close();
});
test.beforeEach(() => {
  store.state.consent = "granted";
  store.state.tiktokPixel = null;
  store.state.cart.length = 0;
  store.state.touchpoints.length = 0;
  store.state.other.length = 0;
});

/** Counts the requests the page makes beyond the document and the script. */
function countRequests(page: Page) {
  const counter = { n: 0 };
  page.on("request", (r) => {
    if (r.resourceType() !== "document" && !r.url().includes("/assets/")) counter.n++;
  });
  return counter;
}

/** One page view, settled: consent answered and no network activity left. */
async function view(page: Page, pathAndQuery: string) {
  await page.goto(store.base + pathAndQuery);
  await page.waitForFunction(() => (window as any).__consentLoaded === true);
  await page.waitForLoadState("networkidle");
}

const ourCookies = async (page: Page) =>
  Object.fromEntries((await page.context().cookies()).filter((c) => c.name.startsWith("_tta")).map((c) => [c.name, c]));

test("the block is a body app embed with a deferred script and no stylesheet; it renders its config", async ({ page }) => {
  const schema = schemaOf(readFileSync(BLOCK, "utf8"));
  expect(schema.target).toBe("body");
  expect(schema.stylesheet).toBeUndefined();
  expect(readFileSync(path.join(EXT, "assets", schema.javascript)).length).toBeGreaterThan(0);
  await view(page, "/");
  const config = JSON.parse((await page.locator("#tta-config").textContent())!);
  expect(config).toEqual({ shop: SHOP, proxy: "/apps/ttads/touchpoints", cart: "/cart/update.js" });
  expect(await page.evaluate(() => (window as any).__features)).toEqual([{ name: "consent-tracking-api", version: "0.1" }]);
});

test("landing with ?ttclid=E.C.P.test: cookie set, cart attributes written once, one touchpoint, then nothing", async ({ page }) => {
  const requests = countRequests(page);
  const before = Date.now();
  await view(page, "/products/red-shoe?ttclid=E.C.P.test&utm_source=tiktok&utm_campaign=spring&tt_campaign_id=1789000000000001&email=jane%40example.com");

  // Landing: one request, the cart write (what the order needs first).
  expect(requests.n).toBe(1);
  expect(store.state.cart).toHaveLength(1);
  expect(store.state.cart[0].contentType).toContain("application/json");
  const { attributes } = JSON.parse(store.state.cart[0].body);
  expect(Object.keys(attributes).sort()).toEqual([
    "_tt_ad_id",
    "_tt_adgroup_id",
    "_tt_campaign_id",
    "_tt_consent",
    "_tt_ttclid",
    "_tt_ttclid_at",
    "_tt_ttp",
    "_tt_visitor_id",
  ]);
  expect(attributes._tt_consent).toBe("granted");
  // the campaign travels with the click on the cart, for a checkout before the next page view
  expect(attributes._tt_campaign_id).toBe("1789000000000001");
  expect(attributes._tt_visitor_id).toMatch(VID_RE);
  expect(attributes._tt_ttclid).toBe("E.C.P.test");
  expect(Number(attributes._tt_ttclid_at)).toBeGreaterThanOrEqual(before);
  expect(attributes._tt_ttp).toBe("");

  const cookies = await ourCookies(page);
  expect(cookies._tta_vid.value).toBe(attributes._tt_visitor_id);
  expect(cookies._tta_vid.sameSite).toBe("Lax");
  expect(cookies._tta_vid.expires * 1000 - Date.now()).toBeGreaterThan(364 * 864e5);
  expect(cookies._tta_clk.value).toBe(`${attributes._tt_ttclid_at}.E.C.P.test`);
  expect(cookies._tta_clk.expires * 1000 - Number(attributes._tt_ttclid_at)).toBeGreaterThan(29.9 * 864e5);
  expect(cookies._tta_clk.expires * 1000 - Number(attributes._tt_ttclid_at)).toBeLessThanOrEqual(30 * 864e5 + 1000);
  expect(store.state.touchpoints).toHaveLength(0);

  // Second view: the touchpoint, as text/plain JSON through the app proxy; the cart is not written again.
  requests.n = 0;
  await view(page, "/collections/all");
  expect(requests.n).toBe(1);
  expect(store.state.cart).toHaveLength(1);
  expect(store.state.touchpoints).toHaveLength(1);
  expect(store.state.touchpoints[0].contentType).toMatch(/^text\/plain/);
  expect(JSON.parse(store.state.touchpoints[0].body)).toEqual({
    v: 1,
    visitor_id: attributes._tt_visitor_id,
    ttclid: "E.C.P.test",
    captured_at: Number(attributes._tt_ttclid_at),
    landing_path: "/products/red-shoe?utm_source=tiktok&utm_campaign=spring&tt_campaign_id=1789000000000001",
    utm_source: "tiktok",
    utm_campaign: "spring",
    campaign_id: "1789000000000001",
  });

  // Further views send nothing; the same ttclid again is not a new click.
  requests.n = 0;
  await view(page, "/pages/about");
  await view(page, "/products/red-shoe?ttclid=E.C.P.test");
  expect(requests.n).toBe(0);
  expect(store.state.cart).toHaveLength(1);
  expect(store.state.touchpoints).toHaveLength(1);
  expect(store.state.other).toEqual([]);
});

test("the TikTok pixel's _ttp cookie goes onto the cart", async ({ page }) => {
  await page.context().addCookies([{ name: "_ttp", value: "2F7h37YkS1j57AYSKTI7IHhJPYH", url: store.base }]);
  await view(page, "/?ttclid=E.C.P.withttp");
  expect(store.state.cart).toHaveLength(1);
  expect(JSON.parse(store.state.cart[0].body).attributes._tt_ttp).toBe("2F7h37YkS1j57AYSKTI7IHhJPYH");
});

test("an invalid ttclid is ignored: nothing stored beyond the visitor id, only the day's heartbeat sent", async ({ page }) => {
  await view(page, "/?ttclid=E.C.P.%3Cscript%3E");
  expect(store.state.cart).toHaveLength(0);
  expect(store.state.touchpoints.map((t) => JSON.parse(t.body))).toEqual([{ v: 1, pixels: [] }]);
  expect(Object.keys(await ourCookies(page))).toEqual(["_tta_vid"]);
});

test("heartbeat: once per browser and day, with the TikTok pixel codes the theme loads", async ({ page }) => {
  store.state.tiktokPixel = "CD9079RC77U0N3GBV16Y";
  const requests = countRequests(page);
  await view(page, "/");
  expect(requests.n).toBe(1);
  expect(store.state.touchpoints).toHaveLength(1);
  expect(store.state.touchpoints[0].contentType).toMatch(/^text\/plain/);
  expect(JSON.parse(store.state.touchpoints[0].body)).toEqual({ v: 1, pixels: ["CD9079RC77U0N3GBV16Y"] });
  requests.n = 0;
  await view(page, "/collections/all");
  await view(page, "/pages/about");
  expect(requests.n).toBe(0);
});

test("consent withdrawn after a click: the cart is told (_tt_consent denied, click cleared) and our storage goes", async ({ page }) => {
  await view(page, "/products/red-shoe?ttclid=E.C.P.test&tt_campaign_id=1789000000000001");
  expect(store.state.cart).toHaveLength(1);
  await page.evaluate(() =>
    document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: { analyticsAllowed: true, marketingAllowed: false, saleOfDataAllowed: false } })),
  );
  await expect.poll(() => store.state.cart.length).toBe(2);
  expect(JSON.parse(store.state.cart[1].body).attributes).toEqual({
    _tt_consent: "denied",
    _tt_visitor_id: "",
    _tt_ttclid: "",
    _tt_ttclid_at: "",
    _tt_ttp: "",
    _tt_campaign_id: "",
    _tt_adgroup_id: "",
    _tt_ad_id: "",
  });
  expect(await ourCookies(page)).toEqual({});
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
});

test("consent denied: nothing stored, nothing sent; granting it starts capture", async ({ page }) => {
  store.state.consent = "denied";
  const requests = countRequests(page);
  await view(page, "/products/red-shoe?ttclid=E.C.P.test&utm_source=tiktok");
  await view(page, "/collections/all?ttclid=E.C.P.test");
  expect(requests.n).toBe(0);
  expect(store.state.cart).toHaveLength(0);
  expect(store.state.touchpoints).toHaveLength(0);
  expect(await page.context().cookies()).toEqual([]);
  expect(await page.evaluate(() => localStorage.length)).toBe(0);

  // The visitor accepts the banner on this page (still ?ttclid=E.C.P.test in the URL).
  await page.evaluate(() => (window as any).__grantConsent());
  await expect.poll(() => store.state.cart.length).toBe(1);
  await page.waitForLoadState("networkidle");
  expect(JSON.parse(store.state.cart[0].body).attributes._tt_ttclid).toBe("E.C.P.test");
  expect((await ourCookies(page))._tta_vid.value).toMatch(VID_RE);

  store.state.consent = "granted";
  await view(page, "/");
  expect(store.state.touchpoints).toHaveLength(1);
  expect(JSON.parse(store.state.touchpoints[0].body).landing_path).toBe("/collections/all");
  expect(store.state.cart).toHaveLength(1);
});
