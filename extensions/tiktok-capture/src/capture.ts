/**
 * TikTok click capture: the storefront half of issue 5 (design: docs/decisions/0007-storefront-capture.md).
 *
 * Built into ../assets/capture.min.js by `node scripts/build-embed.mjs` (entry: ./main.ts). Shopify loads it
 * deferred from the app embed blocks/capture.liquid, which renders the config
 * `<script type="application/json" id="tta-config">{"shop", "proxy", "cart"}</script>`. No config → no-op
 * (the block leaves it out in the theme editor).
 *
 * Consent. Nothing is read from or written to our cookies/localStorage and nothing is sent until Shopify's
 * Customer Privacy API says analytics AND marketing are allowed (the server forwards the click to TikTok:
 * that is advertising). With the sale of data allowed too the cart says `_tt_consent` = "granted"; with it
 * opted out (a US state's right to opt out of sale and sharing) it says "limited", and the server sends that
 * order with TikTok's `limited_data_use` only if the merchant turned Limited Data Use on in Settings, else
 * not at all (docs/decisions/0023-purchase-signal.md). A change between the two on the same page runs
 * capture again, so the cart carries the newer flag. The API is used as it is when present, otherwise
 * loaded with Shopify.loadFeatures. When the API is missing or fails to load, nothing runs (fail closed).
 * `visitorConsentCollected` re-evaluates: a grant starts capture on the same page; a refusal deletes
 * our cookies and localStorage, and if we had stored something and there is a cart, writes the cart's
 * `_tt_consent` = "denied" with our other attributes cleared (the server then sends nothing for it).
 * A visitor who never allowed capture costs no request: their cart carries no flag at all, which the
 * server treats as "no consent signal" (docs/decisions/0018-storefront-truth.md).
 *
 * Each page view (after consent):
 * 1. visitor id: cookie `_tta_vid` (365 days, renewed on each view), else localStorage, else a new one:
 *    "tta1." + 22 base64url chars from crypto.getRandomValues (132 random bits) — VID_RE.
 * 2. click: a valid `ttclid` in the URL (TTCLID_RE) that differs from the stored one is a NEW click:
 *    stored with the capture time (cookie `_tta_clk` = "<ms>.<ttclid>" expiring 30 days after capture,
 *    and localStorage) and its ad ids (tt_campaign_id / tt_adgroup_id / tt_ad_id), and a touchpoint
 *    (TOUCHPOINT_VERSION body) is queued in localStorage.
 *    The same ttclid again keeps its first capture time and queues nothing. Clicks older than 30 days
 *    are dropped (with any queued touchpoint).
 *    landing_path = the path (account/orders/checkouts paths cut, "@" segments masked, ≤ 256 chars) plus only
 *    the UTM and tt_* ad-id parameters that passed validation; the query is left out past 1024 chars.
 *    With these limits a body never passes TOUCHPOINT_MAX_BYTES (4096, the server's cap).
 * 3. `_ttp` is read from TikTok's cookie if the pixel set it (TTP_RE); we never write it.
 * 4. at most ONE request, chosen in this order:
 *    a. cart write, when the cart lacks our visitor id / ttclid / capture time (compared with a hash of
 *       what was last written successfully, which includes the `cart` cookie, so a new cart after checkout
 *       is written again). This comes first because an order can only carry what is on the cart: a shopper
 *       who lands, adds to cart in a drawer and checks out sees a single storefront page. The write
 *       carries `_tt_consent` ("granted" or "limited", part of the hash) and the click's ad ids (`_tt_campaign_id`, `_tt_adgroup_id`,
 *       `_tt_ad_id`), so a one-page checkout still has its campaign.
 *    b. else the queued touchpoint to the app proxy: fetch(keepalive) with a text/plain JSON body
 *       (no preflight). Fire and forget: dequeued when sent.
 *    c. else a cart write when only `_ttp` changed (the pixel usually sets it after our first view).
 *    d. else, once per UTC day per browser, the heartbeat: {v, pixels} to the same proxy path, where
 *       pixels = the TikTok pixel codes this page loaded (keys of `ttq._i`, which TikTok's base code fills
 *       on each ttq.load(code)); no visitor id, nothing personal. A touchpoint counts as that day's heartbeat.
 *    The cart is written only when there is a stored click, or a `_ttp` and an existing cart (the `cart`
 *    cookie): a visitor id alone is never worth a request or a new cart.
 *    So a landing with a new ttclid costs one request (cart write), the next view sends the touchpoint,
 *    later views usually send nothing but the daily heartbeat.
 * localStorage that throws (storage blocked) → nothing runs: we could not tell what was already written.
 */

export const VID_RE = /^tta1\.[A-Za-z0-9_-]{22}$/;
export const TTCLID_RE = /^[A-Za-z0-9._-]{1,512}$/;
export const TTP_RE = /^[A-Za-z0-9._-]{1,128}$/;
/** TikTok campaign / ad group / ad ids are decimal numbers; an unreplaced `__AID__` is refused. */
export const AD_ID_RE = /^[0-9]{1,24}$/;
export const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"] as const;
/**
 * Touchpoint fields for TikTok's ad ids; each comes from the URL parameter "tt_" + field and goes on the
 * cart as "_tt_" + field. Ad URLs: ?tt_campaign_id=__CAMPAIGN_ID__&tt_adgroup_id=__AID__&tt_ad_id=__CID__
 */
export const AD_FIELDS = ["campaign_id", "adgroup_id", "ad_id"] as const;
export const UTM_MAX = 200;
/** Longest landing_path (path + kept query); a longer query is left out (its values have their own fields). */
export const PATH_MAX = 1024;
/** Longest path part of landing_path. */
const PATH_PART_MAX = 256;
/** Longest touchpoint body in UTF-8 bytes that the limits above can produce (worst case 4073; a unit test holds this). */
export const TOUCHPOINT_MAX_BYTES = 4096;
export const CLICK_TTL_MS = 30 * 864e5;
const VID_TTL_S = 365 * 86400;
export const TOUCHPOINT_VERSION = 1;
export const LS_KEY = "_tta";
export const VID_COOKIE = "_tta_vid";
export const CLICK_COOKIE = "_tta_clk";

export type Touchpoint = {
  v: number;
  visitor_id: string;
  ttclid: string;
  captured_at: number;
  landing_path: string;
} & Record<string, string | number>;

/**
 * Consent flag values on the cart (`_tt_consent`); the server never sends an order whose cart says "denied",
 * and one that says "limited" only with `limited_data_use` when the merchant allows it.
 */
export const CONSENT_GRANTED = "granted";
export const CONSENT_DENIED = "denied";
export const CONSENT_LIMITED = "limited";
/** TikTok pixel codes as `ttq.load(code)` takes them (e.g. "CD9079RC77U0N3GBV16Y"). */
export const PIXEL_CODE_RE = /^[A-Z0-9]{8,32}$/;
/** A heartbeat with more pixel codes than this is refused. */
export const PIXEL_CODES_MAX = 20;

type CartAttributes = Record<string, string>;


/** What we keep in localStorage under LS_KEY. */
export type State = {
  /** visitor id */
  v?: string;
  /** latest ttclid and its capture time (unix ms) */
  c?: string;
  a?: number;
  /** touchpoint waiting to be sent */
  p?: Touchpoint;
  /** the click's campaign / ad group / ad ids (touchpoint field names), for the cart */
  m?: Record<string, string>;
  /** UTC day number of the last request to the app (heartbeat or touchpoint) */
  h?: number;
  /** hashes of what was last written to the cart: k without `_ttp`, w with it */
  k?: string;
  w?: string;
};

export type Privacy = {
  analyticsProcessingAllowed?: () => boolean;
  marketingAllowed?: () => boolean;
  saleOfDataAllowed?: () => boolean;
};
type ConsentDetail = { analyticsAllowed?: boolean; marketingAllowed?: boolean; saleOfDataAllowed?: boolean };

type Config = { proxy: string; cart: string };

export interface Win {
  document: Document;
  location: { pathname: string; search: string; protocol: string };
  localStorage: Storage;
  fetch: (url: string, init: RequestInit) => Promise<{ ok: boolean }>;
  crypto: { getRandomValues: (a: Uint8Array) => Uint8Array };
  /** TikTok's browser pixel, when the theme loads it (its base code records each ttq.load(code) in _i). */
  ttq?: { _i?: object };
  Shopify?: {
    customerPrivacy?: Privacy;
    loadFeatures?: (features: { name: string; version: string }[], cb: (error?: unknown) => void) => void;
  };
}

// ---------------------------------------------------------------------------------------------
// Pure parts

/** A UTM value fit to keep: control characters removed, at most UTM_MAX chars, trimmed; none with "@" (an email). */
function cleanUtm(value: string | null): string {
  // eslint-disable-next-line no-control-regex
  const v = (value || "").replace(/[\0-\x1f\x7f]/g, "").slice(0, UTM_MAX).trim();
  return /@/.test(v) ? "" : v;
}

/** A landing path without PII: account/order/checkout paths cut to their first part, "@" segments masked. */
export function cleanPath(pathname: string): string {
  return pathname
    .replace(/\/(account|orders|checkouts)\/.*/, "/$1")
    .replace(/[^/]*(@|%40)[^/]*/gi, "-")
    .slice(0, PATH_PART_MAX);
}

/** ttclid (if valid), UTM and ad-id fields, and the landing path with only those parameters kept. */
export function parseLanding(pathname: string, search: string) {
  const q = new URLSearchParams(search);
  const keep = new URLSearchParams();
  const fields: Record<string, string> = {};
  for (const k of UTM_KEYS) {
    const v = cleanUtm(q.get(k));
    if (v) keep.set(k, (fields[k] = v));
  }
  for (const k of AD_FIELDS) {
    const v = q.get("tt_" + k) || "";
    if (AD_ID_RE.test(v)) keep.set("tt_" + k, (fields[k] = v));
  }
  const t = q.get("ttclid") || "";
  const path = cleanPath(pathname);
  const full = path + "?" + keep;
  return { ttclid: TTCLID_RE.test(t) ? t : "", fields, path: full.length > path.length + 1 && full.length <= PATH_MAX ? full : path };
}

/**
 * The cart's consent flag for what Shopify's Customer Privacy API says (each value exactly true):
 * analytics and marketing and sale of data → "granted"; analytics and marketing but the sale of data opted
 * out (a US state's opt-out) → "limited", which the server sends with TikTok's `limited_data_use` only when
 * the merchant turned that on, and otherwise not at all; anything else, a missing API included → "" (no capture).
 */
export function consentFlag(cp: Privacy | null | undefined, detail?: ConsentDetail | null): string {
  let v;
  try {
    // A missing API or function throws here: fail closed.
    const p = cp as Required<Privacy>;
    v = detail
      ? [detail.analyticsAllowed, detail.marketingAllowed, detail.saleOfDataAllowed]
      : [p.analyticsProcessingAllowed(), p.marketingAllowed(), p.saleOfDataAllowed()];
  } catch {
    return "";
  }
  return v[0] === true && v[1] === true ? (v[2] === true ? CONSENT_GRANTED : CONSENT_LIMITED) : "";
}

/** "tta1." + 22 base64url characters: the first 132 bits of 17 random bytes. */
export function newVisitorId(getRandomValues: (a: Uint8Array) => Uint8Array): string {
  return "tta1." + btoa(String.fromCharCode(...getRandomValues(new Uint8Array(17)))).slice(0, 22).replace(/\+/g, "-").replace(/\//g, "_");
}

export function readCookie(cookies: string, name: string): string {
  const m = new RegExp("(?:^|;) *" + name + "=([^;]*)").exec(cookies);
  return m ? m[1] : "";
}

/** 32-bit djb2-xor hash, base 36: enough to notice a change without storing the cart token. */
function hash(s: string): string {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) >>> 0;
  return h.toString(36);
}

/** Hashes of the attributes plus the cart cookie: k without `_ttp`, w with it. */
export function cartSignature(attrs: CartAttributes, cartCookie: string) {
  const k = hash([attrs._tt_consent, attrs._tt_visitor_id, attrs._tt_ttclid, attrs._tt_ttclid_at, cartCookie].join("|"));
  return { k, w: hash(k + "|" + attrs._tt_ttp) };
}

/** "app": the queued touchpoint, else the day's heartbeat, to the app proxy. */
type Step = { state: State; attrs: CartAttributes; action: "cart" | "app" | "" };

/**
 * What we put on the cart: visitor id, click, capture time, `_ttp`, the click's ad ids and the consent
 * flag. Empty values clear what an earlier write left; with an empty state (consent refused) that is
 * everything but the flag.
 */
export function cartAttributes(st: State, ttp: string, consent: string): CartAttributes {
  const attrs: CartAttributes = {
    _tt_consent: consent,
    _tt_visitor_id: st.v || "",
    _tt_ttclid: st.c || "",
    _tt_ttclid_at: st.c ? "" + st.a : "",
    _tt_ttp: ttp,
  };
  for (const k of AD_FIELDS) attrs["_tt_" + k] = (st.m || {})[k] || "";
  return attrs;
}

/** One page view: the state to store, the cart attributes, and the one request to make (if any). */
export function step(
  saved: State,
  cookies: string,
  pathname: string,
  search: string,
  now: number,
  newId: () => string,
  consent: string,
): Step {
  const st: State = Object.assign({}, saved);
  const vid = readCookie(cookies, VID_COOKIE);
  st.v = VID_RE.test(vid) ? vid : VID_RE.test(st.v || "") ? st.v : newId();
  const clk = /^(\d{1,15})\.(.+)$/.exec(readCookie(cookies, CLICK_COOKIE));
  if (clk && TTCLID_RE.test(clk[2])) {
    if (clk[2] != st.c) delete st.m;
    st.c = clk[2];
    st.a = +clk[1];
  }
  if (!st.c || !TTCLID_RE.test(st.c) || !(now - (st.a as number) < CLICK_TTL_MS)) {
    delete st.c;
    delete st.a;
    delete st.p;
    delete st.m;
  }
  const landing = parseLanding(pathname, search);
  const f = landing.fields;
  if (landing.ttclid && landing.ttclid !== st.c) {
    st.c = landing.ttclid;
    st.a = now;
    st.p = Object.assign({ v: TOUCHPOINT_VERSION, visitor_id: st.v as string, ttclid: st.c, captured_at: now, landing_path: landing.path }, f);
    st.m = f;
  }
  const ttp = readCookie(cookies, "_ttp");
  const attrs = cartAttributes(st, TTP_RE.test(ttp) ? ttp : "", consent);
  const cart = readCookie(cookies, "cart");
  const sig = cartSignature(attrs, cart);
  const wanted = !!st.c || !!(attrs._tt_ttp && cart);
  // |0 floors: both are positive and far below 2^31.
  const day = (now / 864e5) | 0;
  const action = wanted && st.k !== sig.k ? "cart" : st.p ? "app" : wanted && st.w !== sig.w ? "cart" : st.h != day ? "app" : "";
  if (action == "app") st.h = day;
  return { state: st, attrs, action };
}

/** The TikTok pixel codes this page loaded (keys of the base code's ttq._i), valid ones only. */
export function pixelCodes(w: Pick<Win, "ttq">): string[] {
  return Object.keys((w.ttq && w.ttq._i) || {}).filter((c) => PIXEL_CODE_RE.test(c));
}

// ---------------------------------------------------------------------------------------------
// Effects

function setCookie(w: Win, name: string, value: string, maxAgeS: number) {
  w.document.cookie =
    name + "=" + value + ";path=/;max-age=" + maxAgeS + ";samesite=lax" + (w.location.protocol == "https:" ? ";secure" : "");
}

function load(w: Win): State {
  return JSON.parse(w.localStorage.getItem(LS_KEY) || "{}");
}

function save(w: Win, st: State) {
  w.localStorage.setItem(LS_KEY, JSON.stringify(st));
}

/** POSTs the attributes to the cart; `then` runs after Shopify accepted them. */
function postCart(w: Win, cfg: Config, attributes: CartAttributes, then = () => {}) {
  w.fetch(cfg.cart, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ attributes }), keepalive: true })
    .then((r) => r.ok && then())
    .catch(() => 0);
}

/**
 * Consent refused or withdrawn: deletes everything we stored in this browser. If we had stored
 * something (so we may have written a click to the cart) and there is a cart, the cart is told
 * too: our attributes cleared and `_tt_consent` = "denied", which the server honours on every path.
 */
function forget(w: Win, cfg: Config) {
  // -1, not 0: every engine deletes at max-age <= 0, but some compare expiry to "now" strictly.
  for (const name of [VID_COOKIE, CLICK_COOKIE]) setCookie(w, name, "", -1);
  try {
    if (w.localStorage.getItem(LS_KEY) && readCookie(w.document.cookie, "cart")) postCart(w, cfg, cartAttributes({}, "", CONSENT_DENIED));
    w.localStorage.removeItem(LS_KEY);
  } catch {
    /* storage blocked: nothing of ours there */
  }
}

/**
 * One page view's capture (consent already checked). Nothing may break the storefront: any throw ends it,
 * localStorage that throws (storage blocked) included, before anything was sent.
 */
function run(w: Win, cfg: Config, consent: string, now = Date.now()) {
  try {
    const saved = load(w);
    const d = w.document;
    const newId = () => newVisitorId((a) => w.crypto.getRandomValues(a));
    const { state: st, attrs, action } = step(saved, d.cookie, w.location.pathname, w.location.search, now, newId, consent);
    setCookie(w, VID_COOKIE, st.v as string, VID_TTL_S);
    setCookie(w, CLICK_COOKIE, st.c ? st.a + "." + st.c : "", st.c ? (((st.a as number) + CLICK_TTL_MS - now) / 1000) | 0 : 0);
    if (action == "app") {
      // A touchpoint, or once a day the heartbeat; either tells the app the embed runs.
      const body = JSON.stringify(st.p || { v: TOUCHPOINT_VERSION, pixels: pixelCodes(w) });
      delete st.p;
      // A fresh nonce in the query, which Shopify's proxy signs: each signature then covers one
      // request, and the app refuses a replayed signature carrying another body.
      const url = cfg.proxy + "?n=" + newId().slice(5);
      w.fetch(url, { method: "POST", body, keepalive: true }).catch(() => 0);
    }
    save(w, st);
    if (action == "cart") postCart(w, cfg, attrs, () => save(w, Object.assign(load(w), cartSignature(attrs, readCookie(d.cookie, "cart")))));
  } catch {
    /* never break the storefront */
  }
}

/** Reads the config, then runs capture whenever consent allows it (now or after visitorConsentCollected). */
export function start(w: Win) {
  let cfg: Config;
  try {
    cfg = JSON.parse((w.document.getElementById("tta-config") as HTMLElement).textContent as string);
  } catch {
    return;
  }
  // The flag capture last ran with: a change (granted ↔ limited) runs it again, so the cart says the new one.
  let ran = "";
  const go = (detail?: ConsentDetail) => {
    const flag = consentFlag((w.Shopify || {}).customerPrivacy, detail);
    if (flag) {
      if (flag != ran) run(w, cfg, (ran = flag));
    } else {
      ran = "";
      forget(w, cfg);
    }
  };
  w.document.addEventListener("visitorConsentCollected", (e) => go((e as CustomEvent<ConsentDetail>).detail));
  const S = w.Shopify;
  if (S && S.customerPrivacy) go();
  else if (S && S.loadFeatures) {
    S.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], (error) => error || go());
  }
}
