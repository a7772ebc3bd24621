/**
 * TikTok web pixel (issue 13, docs/decisions/0019-web-pixel.md): the second way a click reaches the
 * order, beside the theme embed (../../tiktok-capture/src/capture.ts), for shops without the embed
 * and checkouts that do not use the embed's cart (Buy it now, express buttons).
 *
 * Consent: Shopify loads the pixel only when the visitor allowed every purpose the toml declares
 * (analytics, marketing, sale of data). It is checked again from init.customerPrivacy, and a later
 * refusal (visitorConsentCollected) deletes our cookies and stops the pixel.
 *
 * page_viewed: the same first-party cookies as the embed (visitor id `_tta_vid`, click
 * `_tta_clk` = "<ms>.<ttclid>"), so both see one visitor and one click. A ttclid in the URL that
 * differs from the stored one is a new click: stored, and reported once as a touchpoint with the
 * embed's contract (TOUCHPOINT_VERSION body). Other page views send nothing.
 *
 * checkout_completed: {order_id (digits), visitor_id, ttclid, ttclid_at, ttp} once per order, with
 * fetch keepalive (the thank-you or first upsell page may be left at once). The order id is
 * remembered in localStorage so a replayed event does not post again.
 *
 * Requests are text/plain JSON (a CORS "simple" request: no preflight, so one request each).
 */
import {
  CLICK_COOKIE,
  CLICK_TTL_MS,
  newVisitorId,
  parseLanding,
  TOUCHPOINT_VERSION,
  TTCLID_RE,
  TTP_RE,
  VID_COOKIE,
  VID_RE,
} from "../../tiktok-capture/src/capture";

const VID_TTL_S = 365 * 86400;
/** localStorage key: the last order id whose checkout was posted. */
const SENT_KEY = "_tta_o";

type Consent = { analyticsProcessingAllowed?: boolean; marketingAllowed?: boolean; saleOfDataAllowed?: boolean };
type Loc = { pathname: string; search: string; protocol?: string };
type Event = { timestamp?: string; context?: { document?: { location?: Loc } }; data?: { checkout?: { order?: { id?: unknown } | null } } };

/** The part of Shopify's ExtensionApi the pixel uses (kept structural so tests can run it). */
export interface PixelApi {
  settings: Record<string, unknown>;
  analytics: { subscribe(name: string, cb: (event: Event) => void | Promise<void>): unknown };
  browser: {
    cookie: { get(name: string): Promise<string>; set(cookie: string): Promise<unknown> };
    localStorage: { getItem(key: string): Promise<string | null>; setItem(key: string, value: string): Promise<unknown> };
  };
  init: { context?: { document?: { location?: Loc } }; data?: { shop?: { myshopifyDomain?: string } }; customerPrivacy?: Consent };
  customerPrivacy?: { subscribe(name: string, cb: (e: { customerPrivacy?: Consent }) => void): unknown };
}

const allowed = (c: Consent | undefined) => !!(c && c.analyticsProcessingAllowed && c.marketingAllowed && c.saleOfDataAllowed);

/** The order id as the Admin API's digits: Shopify sends a gid://shopify/OrderIdentity/<n> or the bare number. */
export function orderDigits(id: unknown): string {
  const s = String(id == null ? "" : id).split("/").pop() as string;
  return /^[1-9]\d{0,19}$/.test(s) ? s : "";
}

type Net = { fetch: (url: string, init: RequestInit) => Promise<unknown> };

/** `net` is the worker's own fetch; a test runtime passes its own. */
export function pixel(api: PixelApi, net: Net = { fetch: (url, init) => fetch(url, init) }) {
  const { analytics, browser, init, settings } = api;
  const endpoint = String(settings.endpoint || "").replace(/\/+$/, "");
  const shop = (init.data && init.data.shop && init.data.shop.myshopifyDomain) || "";
  if (!/^https?:\/\//.test(endpoint) || !settings.token || !shop) return;
  const query = "?shop=" + encodeURIComponent(shop) + "&t=" + encodeURIComponent(String(settings.token));
  let on = allowed(init.customerPrivacy);
  const loc = (init.context && init.context.document && init.context.document.location) || ({} as Loc);
  const secure = loc.protocol == "http:" ? "" : ";secure";
  const setCookie = (name: string, value: string, maxAgeS: number) =>
    browser.cookie.set(name + "=" + value + ";path=/;max-age=" + maxAgeS + ";samesite=lax" + secure);
  const post = (path: string, body: object) =>
    net.fetch(endpoint + path + query, { method: "POST", body: JSON.stringify(body), keepalive: true }).catch(() => 0);

  if (api.customerPrivacy)
    api.customerPrivacy.subscribe("visitorConsentCollected", (e) => {
      on = allowed(e.customerPrivacy);
      if (!on) {
        setCookie(VID_COOKIE, "", -1);
        setCookie(CLICK_COOKIE, "", -1);
      }
    });

  /** The stored visitor id and click (cookies the embed may have written). */
  const read = async (now: number) => {
    const vid = await browser.cookie.get(VID_COOKIE);
    const m = /^(\d{1,15})\.(.+)$/.exec((await browser.cookie.get(CLICK_COOKIE)) || "");
    const click = m && TTCLID_RE.test(m[2]) && now - +m[1] < CLICK_TTL_MS ? { ttclid: m[2], at: +m[1] } : null;
    return { vid: VID_RE.test(vid) ? vid : "", click };
  };

  analytics.subscribe("page_viewed", async (event) => {
    if (!on) return;
    const now = Date.now();
    const l = (event.context && event.context.document && event.context.document.location) || loc;
    const st = await read(now);
    const vid = st.vid || newVisitorId((a) => crypto.getRandomValues(a));
    await setCookie(VID_COOKIE, vid, VID_TTL_S);
    const landing = parseLanding(l.pathname || "/", l.search || "");
    if (!landing.ttclid || (st.click && st.click.ttclid == landing.ttclid)) return;
    await setCookie(CLICK_COOKIE, now + "." + landing.ttclid, CLICK_TTL_MS / 1000);
    post(
      "/proxy/touchpoints",
      Object.assign({ v: TOUCHPOINT_VERSION, visitor_id: vid, ttclid: landing.ttclid, captured_at: now, landing_path: landing.path }, landing.fields),
    );
  });

  analytics.subscribe("checkout_completed", async (event) => {
    if (!on) return;
    const orderId = orderDigits(event.data && event.data.checkout && event.data.checkout.order && event.data.checkout.order.id);
    const st = await read(Date.now());
    if (!orderId || !st.vid || (await browser.localStorage.getItem(SENT_KEY)) == orderId) return;
    await browser.localStorage.setItem(SENT_KEY, orderId);
    const ttp = await browser.cookie.get("_ttp");
    const body: Record<string, string | number> = { order_id: orderId, visitor_id: st.vid };
    if (st.click) {
      body.ttclid = st.click.ttclid;
      body.ttclid_at = st.click.at;
    }
    if (TTP_RE.test(ttp || "")) body.ttp = ttp;
    post("/proxy/checkout", body);
  });
}
