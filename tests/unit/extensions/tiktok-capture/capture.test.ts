// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CLICK_COOKIE,
  CLICK_TTL_MS,
  AD_FIELDS,
  CONSENT_DENIED,
  LS_KEY,
  PATH_MAX,
  TOUCHPOINT_MAX_BYTES,
  TTCLID_RE,
  UTM_KEYS,
  UTM_MAX,
  VID_COOKIE,
  VID_RE,
  cartAttributes,
  cartSignature,
  cleanPath,
  consentFlag,
  newVisitorId,
  parseLanding,
  pixelCodes,
  readCookie,
  start,
  step,
  type Privacy,
  type State,
  type Win,
} from "../../../../extensions/tiktok-capture/src/capture";

const NOW = 1_760_000_000_000;
const VID = "tta1.AAAAAAAAAAAAAAAAAAAAAA";
const newId = () => VID;
const rand = (a: Uint8Array) => globalThis.crypto.getRandomValues(a);
const DAY = Math.floor(NOW / 864e5);

describe("parseLanding: ttclid", () => {
  it("accepts TikTok-shaped click ids", () => {
    expect(parseLanding("/", "?ttclid=E.C.P.test").ttclid).toBe("E.C.P.test");
    const real = "E.C.P.CsQBQ3fsJHedzWpvunCeFXyx6BDFj9KKh82rzCL4YPU1GbK1f5gFHbyT2rlM-ViYRlL6a0_Oyqpyz3BVMBSqVDys";
    expect(parseLanding("/", `?a=1&ttclid=${real}`).ttclid).toBe(real);
    expect(parseLanding("/", "?ttclid=E_C_P_abc").ttclid).toBe("E_C_P_abc");
  });

  it("accepts exactly 512 characters and refuses 513", () => {
    expect(parseLanding("/", `?ttclid=${"a".repeat(512)}`).ttclid).toHaveLength(512);
    expect(parseLanding("/", `?ttclid=${"a".repeat(513)}`).ttclid).toBe("");
  });

  it.each([
    ["empty", "?ttclid="],
    ["missing", "?utm_source=tiktok"],
    ["space (a + in the URL)", "?ttclid=E.C.P.a+b"],
    ["percent-encoded space", "?ttclid=E.C.P.a%20b"],
    ["markup", "?ttclid=%3Cscript%3E"],
    ["slash", "?ttclid=E.C.P.a/b"],
    ["equals / base64 padding", "?ttclid=E.C.P.ab%3D%3D"],
    ["quote", "?ttclid=E.C.P.%22x"],
    ["non-ASCII", "?ttclid=E.C.P.%C3%A9"],
    ["newline", "?ttclid=E.C.P.a%0Ab"],
  ])("refuses %s", (_name, search) => {
    expect(parseLanding("/", search).ttclid).toBe("");
  });

  it("uses the first ttclid when the parameter repeats", () => {
    expect(parseLanding("/", "?ttclid=E.C.P.one&ttclid=E.C.P.two").ttclid).toBe("E.C.P.one");
  });

  it("matches the published rule", () => {
    expect(TTCLID_RE.source).toBe("^[A-Za-z0-9._-]{1,512}$");
  });
});

describe("parseLanding: UTM and ad-id macros", () => {
  it("keeps the five UTM values, trimmed and capped at 200 characters", () => {
    const r = parseLanding(
      "/products/x",
      `?utm_source=tiktok&utm_medium=paid&utm_campaign=%20spring%20&utm_content=${"c".repeat(250)}&utm_term=shoes&utm_id=9`,
    );
    expect(r.fields).toEqual({
      utm_source: "tiktok",
      utm_medium: "paid",
      utm_campaign: "spring",
      utm_content: "c".repeat(200),
      utm_term: "shoes",
    });
  });

  it("drops UTM values that look like an email, are blank or only control characters", () => {
    const r = parseLanding("/", "?utm_source=a%40b.com&utm_medium=%20%20&utm_campaign=%00%07&utm_term=ok%0A");
    expect(r.fields).toEqual({ utm_term: "ok" });
  });

  it("maps tt_campaign_id / tt_adgroup_id / tt_ad_id to campaign_id / adgroup_id / ad_id", () => {
    const r = parseLanding("/", "?tt_campaign_id=1789000000000001&tt_adgroup_id=1789000000000002&tt_ad_id=1789000000000003");
    expect(r.fields).toEqual({ campaign_id: "1789000000000001", adgroup_id: "1789000000000002", ad_id: "1789000000000003" });
  });

  it("refuses unreplaced macros and non-numeric or too long ids", () => {
    const r = parseLanding("/", `?tt_campaign_id=__CAMPAIGN_ID__&tt_adgroup_id=12a&tt_ad_id=${"1".repeat(25)}`);
    expect(r.fields).toEqual({});
    expect(r.path).toBe("/");
  });
});

describe("landing path without PII", () => {
  it("keeps only UTM and ad-id parameters (not the ttclid, which has its own field)", () => {
    const r = parseLanding(
      "/products/red-shoe",
      "?email=jane%40example.com&phone=%2B15551234567&first_name=Jane&token=abc&key=k&variant=1&utm_source=tiktok&ttclid=E.C.P.x&tt_ad_id=42&fbclid=F",
    );
    expect(r.path).toBe("/products/red-shoe?utm_source=tiktok&tt_ad_id=42");
  });

  it("leaves the query out when the landing path would pass 1024 characters", () => {
    const long = "%E2%9C%93".repeat(190); // 190 chars once decoded, 1710 once encoded again
    const r = parseLanding("/p", `?utm_source=tiktok&utm_content=${long}`);
    expect(r.fields.utm_content).toHaveLength(190);
    expect(r.path).toBe("/p");
    expect(parseLanding("/p", "?utm_source=tiktok").path).toBe("/p?utm_source=tiktok");
  });

  it("the largest possible touchpoint body fits in 4096 bytes (the server's cap)", () => {
    // 3-byte characters are the worst case: URL parsing yields well-formed text, so no \uXXXX escapes, and such
    // values are too long for the landing query, which is then left out.
    const big = encodeURIComponent("春".repeat(UTM_MAX));
    const ids = AD_FIELDS.map((k) => `tt_${k}=${"9".repeat(24)}`);
    const search = `?ttclid=${"E".repeat(512)}&${ids.join("&")}&` + UTM_KEYS.map((k) => `${k}=${big}`).join("&");
    const p = step({}, "", "/" + "p".repeat(400), search, NOW, newId, "granted").state.p!;
    expect(Object.keys(p)).toHaveLength(13);
    expect(new Blob([JSON.stringify(p)]).size).toBeLessThanOrEqual(TOUCHPOINT_MAX_BYTES);
    // ASCII that needs escaping in JSON keeps the query; still far under the cap
    const quotes = UTM_KEYS.map((k) => `${k}=${"%22".repeat(60)}`).join("&");
    const q = step({}, "", "/" + "p".repeat(400), `?ttclid=${"E".repeat(512)}&${quotes}`, NOW, newId, "granted").state.p!;
    expect(q.landing_path.length).toBeLessThanOrEqual(PATH_MAX);
    expect(new Blob([JSON.stringify(q)]).size).toBeLessThanOrEqual(TOUCHPOINT_MAX_BYTES);
  });

  it("has no query at all when nothing is kept", () => {
    expect(parseLanding("/collections/all", "?customer_email=a%40b.c&name=Jane").path).toBe("/collections/all");
  });

  it("cuts account, order and checkout paths (they carry tokens)", () => {
    expect(cleanPath("/account/reset/123/9f8e7d-token")).toBe("/account");
    expect(cleanPath("/fr/account/activate/1/tok")).toBe("/fr/account");
    expect(cleanPath("/5550001/orders/0a1b2c3d4e")).toBe("/5550001/orders");
    expect(cleanPath("/checkouts/cn/abc")).toBe("/checkouts");
    expect(cleanPath("/account")).toBe("/account");
  });

  it("masks path segments holding an email and caps the length", () => {
    expect(cleanPath("/pages/jane@example.com/x")).toBe("/pages/-/x");
    expect(cleanPath("/pages/jane%40example.com")).toBe("/pages/-");
    expect(cleanPath("/" + "p".repeat(400))).toHaveLength(256);
  });
});

describe("visitor id", () => {
  it("is tta1. plus 22 base64url characters, different each time", () => {
    const ids = new Set(Array.from({ length: 200 }, () => newVisitorId(rand)));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(VID_RE);
    expect(VID_RE.source).toBe("^tta1\\.[A-Za-z0-9_-]{22}$");
  });

  it("is the first 132 bits of 17 random bytes, base64url", () => {
    const sizes: number[] = [];
    expect(newVisitorId((a) => (sizes.push(a.length), a.fill(255)))).toBe("tta1." + "_".repeat(22));
    expect(newVisitorId((a) => a.fill(0))).toBe("tta1." + "A".repeat(22));
    // 0xfb bytes are "+/v7" in base64: "+" and "/" become "-" and "_"
    expect(newVisitorId((a) => a.fill(0xfb))).toBe("tta1.-_v7-_v7-_v7-_v7-_v7-_");
    expect(sizes).toEqual([17]);
  });
});

describe("consent gate", () => {
  const api = (a: boolean, m: boolean, s: boolean): Privacy => ({
    analyticsProcessingAllowed: () => a,
    marketingAllowed: () => m,
    saleOfDataAllowed: () => s,
  });

  it("captures as granted with analytics, marketing and sale of data; as limited with the sale of data opted out; else not at all", () => {
    expect(consentFlag(api(true, true, true))).toBe("granted");
    expect(consentFlag(api(true, true, false))).toBe("limited");
    expect(consentFlag(api(false, true, true))).toBe("");
    expect(consentFlag(api(true, false, true))).toBe("");
    // declined marketing (a consent region) is never "limited", whatever the sale of data says
    expect(consentFlag(api(true, false, false))).toBe("");
    expect(consentFlag(api(false, true, false))).toBe("");
  });

  it("fails closed when the API is missing, incomplete, throws or answers non-booleans", () => {
    expect(consentFlag(undefined)).toBe("");
    expect(consentFlag(null)).toBe("");
    expect(consentFlag({ analyticsProcessingAllowed: () => true, marketingAllowed: () => true })).toBe("");
    expect(
      consentFlag({
        analyticsProcessingAllowed: () => true,
        marketingAllowed: () => {
          throw new Error("not ready");
        },
        saleOfDataAllowed: () => true,
      }),
    ).toBe("");
    expect(consentFlag({ ...api(true, true, true), marketingAllowed: () => "yes" as unknown as boolean })).toBe("");
    // a sale-of-data answer that is not a boolean is not an opt-out either way: only exactly true grants
    expect(consentFlag({ ...api(true, true, true), saleOfDataAllowed: () => "yes" as unknown as boolean })).toBe("limited");
  });

  it("uses the visitorConsentCollected detail when there is one", () => {
    const all = { analyticsAllowed: true, marketingAllowed: true, saleOfDataAllowed: true };
    expect(consentFlag(undefined, all)).toBe("granted");
    expect(consentFlag(undefined, { ...all, saleOfDataAllowed: false })).toBe("limited");
    expect(consentFlag(api(true, true, true), { ...all, marketingAllowed: false })).toBe("");
  });
});

describe("step: storage and change detection", () => {
  const view = (st: State, cookies: string, search = "", path = "/", now = NOW, consent = "granted") =>
    step(st, cookies, path, search, now, newId, consent);
  /** What run() stores after a successful cart write. */
  const written = (r: ReturnType<typeof step>, cart: string) => ({ ...r.state, ...cartSignature(r.attrs, cart) });
  /** What run() stores after sending the queued touchpoint (which is also the day's heartbeat). */
  const sent = (st: State): State => {
    const { p: _sent, ...rest } = st;
    return { ...rest, h: DAY };
  };

  it("a landing with a new ttclid writes the cart first and queues the touchpoint", () => {
    const r = view({}, "", "?ttclid=E.C.P.test&utm_source=tiktok&tt_campaign_id=17&email=x%40y.z", "/products/a");
    expect(r.action).toBe("cart");
    expect(r.attrs).toEqual({
      _tt_consent: "granted",
      _tt_visitor_id: VID,
      _tt_ttclid: "E.C.P.test",
      _tt_ttclid_at: String(NOW),
      _tt_ttp: "",
      _tt_campaign_id: "17",
      _tt_adgroup_id: "",
      _tt_ad_id: "",
    });
    expect(r.state.p).toEqual({
      v: 1,
      visitor_id: VID,
      ttclid: "E.C.P.test",
      captured_at: NOW,
      landing_path: "/products/a?utm_source=tiktok&tt_campaign_id=17",
      utm_source: "tiktok",
      campaign_id: "17",
    });
  });

  it("next view sends the touchpoint, the one after sends nothing", () => {
    const land = view({}, "", "?ttclid=E.C.P.test");
    const second = view(written(land, "c1"), "cart=c1");
    expect(second.action).toBe("app");
    expect(second.state.h).toBe(DAY);
    const { p: _sent, ...afterBeacon } = second.state;
    const third = view(afterBeacon, "cart=c1");
    expect(third.action).toBe("");
    expect(third.state.c).toBe("E.C.P.test");
    expect(third.state.a).toBe(NOW);
  });

  it("a failed cart write (nothing recorded) is retried before the touchpoint", () => {
    const land = view({}, "", "?ttclid=E.C.P.test");
    expect(view(land.state, "").action).toBe("cart");
  });

  it("the same ttclid again keeps its first capture time and queues nothing", () => {
    const land = view({}, "", "?ttclid=E.C.P.test");
    const st = sent(written(land, "c1"));
    const again = view(st, "cart=c1", "?ttclid=E.C.P.test", "/", NOW + 60_000);
    expect(again.action).toBe("");
    expect(again.state.a).toBe(NOW);
    expect(again.state.p).toBeUndefined();
  });

  it("a different ttclid replaces the old one and rewrites the cart", () => {
    const land = view({}, "", "?ttclid=E.C.P.one&tt_campaign_id=11&tt_ad_id=13");
    const st = sent(written(land, "c1"));
    const r = view(st, "cart=c1", "?ttclid=E.C.P.two&tt_adgroup_id=22", "/", NOW + 1000);
    expect(r.action).toBe("cart");
    expect(r.attrs._tt_ttclid).toBe("E.C.P.two");
    // the new click's ad ids replace the old click's, and clear the ones it does not have
    expect([r.attrs._tt_campaign_id, r.attrs._tt_adgroup_id, r.attrs._tt_ad_id]).toEqual(["", "22", ""]);
    expect(r.state.p?.ttclid).toBe("E.C.P.two");
  });

  it("a consent flag that changed (granted → limited) rewrites the cart with the new flag, nothing else queued", () => {
    const land = view({}, "", "?ttclid=E.C.P.test");
    const st = sent(written(land, "c1"));
    expect(view(st, "cart=c1").action).toBe("");
    const r = view(st, "cart=c1", "", "/", NOW, "limited");
    expect(r.action).toBe("cart");
    expect(r.attrs).toMatchObject({ _tt_consent: "limited", _tt_ttclid: "E.C.P.test" });
  });

  it("a new cart (after checkout) is written again", () => {
    const land = view({}, "", "?ttclid=E.C.P.test&tt_campaign_id=17");
    const st = sent(written(land, "c1"));
    const r = view(st, "cart=c2");
    expect(r.action).toBe("cart");
    expect(r.attrs._tt_campaign_id).toBe("17");
  });

  it("_ttp appearing later is written after the queued touchpoint", () => {
    const land = view({}, "", "?ttclid=E.C.P.test");
    const st = written(land, "c1");
    const second = view(st, "cart=c1; _ttp=2F7h37YkS1j57AYSKTI7IHhJPYH");
    expect(second.action).toBe("app");
    const { p: _sent, ...afterBeacon } = second.state;
    const third = view(afterBeacon, "cart=c1; _ttp=2F7h37YkS1j57AYSKTI7IHhJPYH");
    expect(third.action).toBe("cart");
    expect(third.attrs._tt_ttp).toBe("2F7h37YkS1j57AYSKTI7IHhJPYH");
    expect(view(written(third, "c1"), "cart=c1; _ttp=2F7h37YkS1j57AYSKTI7IHhJPYH").action).toBe("");
  });

  it("a malformed _ttp is ignored", () => {
    const r = view({}, "cart=c1; _ttp=a%20b", "?ttclid=E.C.P.x");
    expect(r.attrs._tt_ttp).toBe("");
  });

  it("without a click, writes only a _ttp onto an existing cart; never a bare visitor id", () => {
    const today = { h: DAY };
    expect(view(today, "").action).toBe("");
    expect(view(today, "cart=c1").action).toBe("");
    expect(view(today, "_ttp=abc").action).toBe("");
    const r = view(today, "cart=c1; _ttp=abc");
    expect(r.action).toBe("cart");
    expect(r.attrs).toEqual({
      _tt_consent: "granted",
      _tt_visitor_id: VID,
      _tt_ttclid: "",
      _tt_ttclid_at: "",
      _tt_ttp: "abc",
      _tt_campaign_id: "",
      _tt_adgroup_id: "",
      _tt_ad_id: "",
    });
  });

  it("the heartbeat: once per UTC day, only when no other request is due", () => {
    const first = view({}, "");
    expect(first.action).toBe("app");
    expect(first.state.p).toBeUndefined();
    expect(first.state.h).toBe(DAY);
    expect(view(first.state, "", "", "/", NOW + 1000).action).toBe("");
    const tomorrow = (DAY + 1) * 864e5;
    expect(view(first.state, "", "", "/", tomorrow).action).toBe("app");
    // a landing's cart write comes first; the heartbeat waits
    expect(view({}, "", "?ttclid=E.C.P.x").action).toBe("cart");
  });

  it("a click restored from its cookie keeps the ad ids only if it is the same click", () => {
    const land = view({}, "", "?ttclid=E.C.P.one&tt_ad_id=5");
    const same = view(land.state, `${CLICK_COOKIE}=${NOW}.E.C.P.one`);
    expect(same.attrs._tt_ad_id).toBe("5");
    const other = view(land.state, `${CLICK_COOKIE}=${NOW}.E.C.P.other`);
    expect(other.attrs._tt_ttclid).toBe("E.C.P.other");
    expect(other.attrs._tt_ad_id).toBe("");
  });

  it("reads the visitor id from the cookie, else localStorage, else makes one; refuses foreign ids", () => {
    const other = "tta1.BBBBBBBBBBBBBBBBBBBBBB";
    expect(view({ v: other }, `${VID_COOKIE}=tta1.CCCCCCCCCCCCCCCCCCCCCC`).state.v).toBe("tta1.CCCCCCCCCCCCCCCCCCCCCC");
    expect(view({ v: other }, "").state.v).toBe(other);
    expect(view({ v: "ga1.123" }, `${VID_COOKIE}=evil`).state.v).toBe(VID);
  });

  it("restores the click from the cookie when localStorage lost it", () => {
    const r = view({}, `${CLICK_COOKIE}=${NOW - 1000}.E.C.P.kept`);
    expect(r.state.c).toBe("E.C.P.kept");
    expect(r.state.a).toBe(NOW - 1000);
    expect(r.action).toBe("cart");
    expect(r.state.p).toBeUndefined();
  });

  it("drops a click (and its queued touchpoint) after 30 days", () => {
    const land = view({}, "", "?ttclid=E.C.P.old");
    const later = view(land.state, "", "", "/", NOW + CLICK_TTL_MS);
    expect(later.state.c).toBeUndefined();
    expect(later.state.p).toBeUndefined();
    expect(later.state.m).toBeUndefined();
    expect(later.attrs._tt_ttclid).toBe("");
    expect(later.action).toBe("app"); // the day's heartbeat, not the dropped touchpoint
    expect(view(land.state, "", "", "/", NOW + CLICK_TTL_MS - 1).state.c).toBe("E.C.P.old");
  });
});

describe("readCookie", () => {
  it("finds exact names only", () => {
    expect(readCookie("x_ttp=1; _ttp=2; cart=3", "_ttp")).toBe("2");
    expect(readCookie("_ttp=2", "_ttp")).toBe("2");
    expect(readCookie("a_cart=1", "cart")).toBe("");
  });
});

// ---------------------------------------------------------------------------------------------
// start()/run() against happy-dom's document, cookies and localStorage.

type Fake = {
  win: Win;
  fetch: ReturnType<typeof vi.fn>;
  consent: { allowed: boolean; saleOfData?: boolean };
};

function clearAll() {
  for (const c of document.cookie.split(";")) {
    const name = c.split("=")[0].trim();
    if (name) document.cookie = `${name}=;path=/;max-age=-1`;
  }
  localStorage.clear();
  document.body.innerHTML = "";
}

function fake(opts: { search?: string; allowed?: boolean; api?: "loaded" | "loadable" | "none"; config?: boolean; ttq?: Win["ttq"] } = {}): Fake {
  if (opts.config !== false) {
    document.body.innerHTML = `<script type="application/json" id="tta-config">{"shop":"alpha-test.myshopify.com","proxy":"/apps/ttads/touchpoints","cart":"/cart/update.js"}</script>`;
  }
  const consent: { allowed: boolean; saleOfData?: boolean } = { allowed: opts.allowed ?? true };
  const privacy: Privacy = {
    analyticsProcessingAllowed: () => consent.allowed,
    marketingAllowed: () => consent.allowed,
    saleOfDataAllowed: () => consent.saleOfData ?? consent.allowed,
  };
  const fetch = vi.fn(async (url: string) => {
    if (url === "/cart/update.js") document.cookie = "cart=c-token;path=/";
    return { ok: true };
  });
  const Shopify: Win["Shopify"] = {};
  const api = opts.api ?? "loadable";
  if (api === "loaded") Shopify.customerPrivacy = privacy;
  if (api === "loadable") {
    Shopify.loadFeatures = (features, cb) => {
      expect(features).toEqual([{ name: "consent-tracking-api", version: "0.1" }]);
      Shopify.customerPrivacy = privacy;
      cb();
    };
  }
  const win: Win = {
    document,
    location: { pathname: "/products/a", search: opts.search ?? "", protocol: "http:" },
    localStorage,
    fetch: fetch as unknown as Win["fetch"],
    crypto: { getRandomValues: rand },
    ttq: opts.ttq,
    Shopify,
  };
  return { win, fetch, consent };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const listeners: Array<() => void> = [];

describe("start: consent, storage, requests", () => {
  beforeEach(() => {
    clearAll();
    const add = document.addEventListener.bind(document);
    vi.spyOn(document, "addEventListener").mockImplementation((type: string, fn: any, o?: any) => {
      listeners.push(() => document.removeEventListener(type, fn, o));
      add(type, fn, o);
    });
  });
  afterEach(() => {
    while (listeners.length) listeners.pop()!();
    vi.restoreAllMocks();
    clearAll();
  });

  it("with consent: sets the cookies and localStorage and writes the cart once", async () => {
    const f = fake({ search: "?ttclid=E.C.P.test" });
    start(f.win);
    await flush();
    expect(readCookie(document.cookie, VID_COOKIE)).toMatch(VID_RE);
    expect(readCookie(document.cookie, CLICK_COOKIE)).toMatch(/^\d+\.E\.C\.P\.test$/);
    expect(f.fetch).toHaveBeenCalledTimes(1);
    const [url, init] = f.fetch.mock.calls[0];
    expect(url).toBe("/cart/update.js");
    expect(init.keepalive).toBe(true);
    expect(JSON.parse(init.body).attributes).toMatchObject({ _tt_consent: "granted", _tt_ttclid: "E.C.P.test", _tt_ttp: "" });
    const st = JSON.parse(localStorage.getItem(LS_KEY)!);
    expect(st.k).toBeTruthy();
    expect(st.p.ttclid).toBe("E.C.P.test");

    // next page view: the touchpoint, as text (no Content-Type header, so no preflight), with keepalive
    const g = fake({});
    start(g.win);
    await flush();
    expect(g.fetch).toHaveBeenCalledTimes(1);
    const [bUrl, bInit] = g.fetch.mock.calls[0];
    expect(bUrl).toMatch(/^\/apps\/ttads\/touchpoints\?n=[A-Za-z0-9_-]{22}$/);
    expect(typeof bInit.body).toBe("string");
    expect(bInit.headers).toBeUndefined();
    expect(bInit.keepalive).toBe(true);
    expect(JSON.parse(bInit.body)).toMatchObject({ v: 1, ttclid: "E.C.P.test", landing_path: "/products/a" });

    // the touchpoint was also today's heartbeat: nothing more today
    const h = fake({});
    start(h.win);
    await flush();
    expect(h.fetch).not.toHaveBeenCalled();
  });

  it("the daily heartbeat reports the TikTok pixel codes the page loaded, and nothing personal", async () => {
    const ttq = { _i: { CD9079RC77U0N3GBV16Y: [], C4ABCDEFGHIJKLMNOPQR: [], "not a code": [] } };
    const f = fake({ ttq });
    start(f.win);
    await flush();
    expect(f.fetch).toHaveBeenCalledTimes(1);
    const [url, init] = f.fetch.mock.calls[0];
    expect(url).toMatch(/^\/apps\/ttads\/touchpoints\?n=/);
    expect(JSON.parse(init.body)).toEqual({ v: 1, pixels: ["CD9079RC77U0N3GBV16Y", "C4ABCDEFGHIJKLMNOPQR"] });
    const g = fake({ ttq });
    start(g.win);
    await flush();
    expect(g.fetch).not.toHaveBeenCalled();
    expect(pixelCodes({})).toEqual([]);
    expect(pixelCodes({ ttq: {} })).toEqual([]);
  });

  it.each(["loaded", "loadable"] as const)("consent denied (%s API): nothing stored, nothing sent", async (api) => {
    const f = fake({ search: "?ttclid=E.C.P.test", allowed: false, api });
    start(f.win);
    await flush();
    expect(document.cookie).toBe("");
    expect(localStorage.length).toBe(0);
    expect(f.fetch).not.toHaveBeenCalled();
  });

  it("no Customer Privacy API at all: fails closed", async () => {
    const f = fake({ search: "?ttclid=E.C.P.test", api: "none" });
    start(f.win);
    await flush();
    expect(document.cookie).toBe("");
    expect(localStorage.length).toBe(0);
    expect(f.fetch).not.toHaveBeenCalled();
  });

  it("loadFeatures reporting an error: fails closed", async () => {
    const f = fake({ search: "?ttclid=E.C.P.test", api: "none" });
    f.win.Shopify!.loadFeatures = (_features, cb) => cb(new Error("blocked"));
    start(f.win);
    await flush();
    expect(localStorage.length).toBe(0);
    expect(f.fetch).not.toHaveBeenCalled();
  });

  it("no config element (theme editor): does nothing", async () => {
    const f = fake({ search: "?ttclid=E.C.P.test", config: false });
    start(f.win);
    await flush();
    expect(localStorage.length).toBe(0);
    expect(f.fetch).not.toHaveBeenCalled();
  });

  it("starts when visitorConsentCollected grants consent, once", async () => {
    const f = fake({ search: "?ttclid=E.C.P.test", allowed: false });
    start(f.win);
    await flush();
    expect(f.fetch).not.toHaveBeenCalled();
    f.consent.allowed = true;
    const all = { analyticsAllowed: true, marketingAllowed: true, saleOfDataAllowed: true, preferencesAllowed: false };
    document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: all }));
    document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: all }));
    await flush();
    expect(f.fetch).toHaveBeenCalledTimes(1);
    expect(readCookie(document.cookie, VID_COOKIE)).toMatch(VID_RE);
  });

  it("forgets everything when consent is withdrawn, and tells the cart: _tt_consent denied, our attributes cleared", async () => {
    const f = fake({ search: "?ttclid=E.C.P.test&tt_campaign_id=17" });
    start(f.win);
    await flush();
    expect(localStorage.length).toBe(1);
    expect(readCookie(document.cookie, "cart")).toBe("c-token");
    f.consent.allowed = false;
    document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: { analyticsAllowed: true, marketingAllowed: false } }));
    expect(readCookie(document.cookie, VID_COOKIE)).toBe("");
    expect(readCookie(document.cookie, CLICK_COOKIE)).toBe("");
    expect(localStorage.length).toBe(0);
    expect(f.fetch).toHaveBeenCalledTimes(2);
    const [url, init] = f.fetch.mock.calls[1];
    expect(url).toBe("/cart/update.js");
    expect(JSON.parse(init.body).attributes).toEqual({
      _tt_consent: "denied",
      _tt_visitor_id: "",
      _tt_ttclid: "",
      _tt_ttclid_at: "",
      _tt_ttp: "",
      _tt_campaign_id: "",
      _tt_adgroup_id: "",
      _tt_ad_id: "",
    });
    // nothing of ours is left, so a later refusal costs no request
    document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: { analyticsAllowed: false } }));
    expect(f.fetch).toHaveBeenCalledTimes(2);
  });

  it("a visitor who opts out of the sale of data on the page keeps capture, and the cart is rewritten as limited, not forgotten", async () => {
    const f = fake({ search: "?ttclid=E.C.P.test&tt_campaign_id=17" });
    start(f.win);
    await flush();
    expect(f.fetch).toHaveBeenCalledTimes(1);
    expect(JSON.parse(f.fetch.mock.calls[0][1].body).attributes._tt_consent).toBe("granted");
    f.consent.saleOfData = false;
    const limited = { analyticsAllowed: true, marketingAllowed: true, saleOfDataAllowed: false };
    document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: limited }));
    await flush();
    expect(f.fetch).toHaveBeenCalledTimes(2);
    const [url, init] = f.fetch.mock.calls[1];
    expect(url).toBe("/cart/update.js");
    expect(JSON.parse(init.body).attributes).toMatchObject({ _tt_consent: "limited", _tt_ttclid: "E.C.P.test", _tt_campaign_id: "17" });
    expect(readCookie(document.cookie, VID_COOKIE)).toMatch(VID_RE);
    // the same answer again changes nothing
    document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail: limited }));
    await flush();
    expect(f.fetch).toHaveBeenCalledTimes(2);
  });

  it("a refusal with nothing of ours stored writes nothing, even with a cart", async () => {
    document.cookie = "cart=c-other;path=/";
    const f = fake({ search: "?ttclid=E.C.P.test", allowed: false });
    start(f.win);
    await flush();
    expect(f.fetch).not.toHaveBeenCalled();
    expect(localStorage.length).toBe(0);
    expect(cartAttributes({}, "", CONSENT_DENIED)._tt_consent).toBe("denied");
  });

  it("storage that throws: does nothing", async () => {
    const f = fake({ search: "?ttclid=E.C.P.test" });
    f.win.localStorage = {
      getItem: () => {
        throw new DOMException("blocked", "SecurityError");
      },
    } as unknown as Storage;
    expect(() => start(f.win)).not.toThrow();
    await flush();
    expect(document.cookie).toBe("");
    expect(f.fetch).not.toHaveBeenCalled();
  });
});
