// A runtime like Shopify's web pixel manager, for tests and the demo (issue 13): it runs the
// pixel's real code (extensions/tiktok-pixel/src/pixel.ts) with the APIs a strict pixel gets —
// analytics.subscribe, browser.cookie / localStorage (the top frame's, here a shared jar),
// init.context / init.data, customerPrivacy — and Shopify's consent gating: the pixel is loaded
// only when the visitor allowed every purpose it declares (analytics, marketing, sale of data), and
// events published before that are replayed once it loads (shopify.dev "About web pixels").
import { pixel, type PixelApi } from "../../../extensions/tiktok-pixel/src/pixel";

export type Consent = { analytics: boolean; marketing: boolean; saleOfData: boolean };
type Recorded = { url: string; body: string };
type Handler = (event: never) => unknown;

/** First-party cookies of one browser, shared by the theme embed and the pixel (document.cookie strings). */
export class CookieJar {
  readonly values = new Map<string, string>();
  set(cookie: string) {
    const [pair, ...attrs] = cookie.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const maxAge = attrs.map((a) => /^\s*max-age=(-?\d+)/i.exec(a)).find(Boolean);
    if (maxAge && Number(maxAge[1]) <= 0) this.values.delete(name);
    else this.values.set(name, pair.slice(eq + 1));
  }
  get(name: string) {
    return this.values.get(name) ?? "";
  }
  /** As document.cookie reads. */
  header() {
    return [...this.values].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export function createPixelRuntime(opts: {
  settings: Record<string, unknown>;
  shop: string;
  url: string;
  consent: Consent;
  cookies?: CookieJar;
  /** Where the pixel's requests go; default: recorded only. */
  fetch?: (url: string, init: RequestInit) => Promise<unknown>;
}) {
  const cookies = opts.cookies ?? new CookieJar();
  const storage = new Map<string, string>();
  const handlers = new Map<string, Handler[]>();
  const privacyHandlers: ((e: { customerPrivacy: Record<string, boolean> }) => void)[] = [];
  const buffered: { name: string; event: object }[] = [];
  const requests: Recorded[] = [];
  const pending: Promise<unknown>[] = [];
  let consent = opts.consent;
  let loaded = false;
  let seq = 0;

  const flags = () => ({
    analyticsProcessingAllowed: consent.analytics,
    marketingAllowed: consent.marketing,
    saleOfDataAllowed: consent.saleOfData,
    preferencesProcessingAllowed: false,
  });
  const allowed = () => consent.analytics && consent.marketing && consent.saleOfData;
  const location = (href: string) => {
    const u = new URL(href);
    return { href: u.href, origin: u.origin, protocol: u.protocol, host: u.host, hostname: u.hostname, pathname: u.pathname, search: u.search, hash: u.hash };
  };

  const api = (): PixelApi => ({
    settings: opts.settings,
    analytics: {
      subscribe(name: string, cb: Handler) {
        handlers.set(name, [...(handlers.get(name) ?? []), cb]);
        return () => true;
      },
    },
    browser: {
      cookie: { get: async (name: string) => cookies.get(name), set: async (cookie: string) => (cookies.set(cookie), cookie) },
      localStorage: { getItem: async (k: string) => storage.get(k) ?? null, setItem: async (k: string, v: string) => void storage.set(k, v) },
    },
    init: {
      context: { document: { location: location(opts.url) } },
      data: { shop: { myshopifyDomain: opts.shop } },
      customerPrivacy: flags(),
    },
    customerPrivacy: { subscribe: (_name: string, cb: (e: { customerPrivacy: Record<string, boolean> }) => void) => void privacyHandlers.push(cb) },
  });

  const net = {
    fetch: (url: string, init: RequestInit) => {
      requests.push({ url, body: String(init.body) });
      const p = (opts.fetch ? opts.fetch(url, init) : Promise.resolve({ ok: true })).catch(() => 0);
      pending.push(p);
      return p;
    },
  };

  async function dispatch(name: string, event: object) {
    for (const cb of handlers.get(name) ?? []) await (cb as (e: object) => unknown)(event);
  }

  function load() {
    if (loaded || !allowed()) return false;
    loaded = true;
    pixel(api(), net);
    return true;
  }
  load();

  return {
    cookies,
    storage,
    requests,
    get loaded() {
      return loaded;
    },
    /** Publishes a standard event as Shopify does (context.document.location from `url`). */
    async publish(name: string, data: object = {}, url = opts.url) {
      const event = { id: `evt-${++seq}`, name, seq, timestamp: new Date().toISOString(), context: { document: { location: location(url) } }, data };
      if (!loaded) buffered.push({ name, event });
      else await dispatch(name, event);
    },
    /** The visitor's consent changes: a grant loads the pixel and replays buffered events; a change reaches a loaded pixel. */
    async setConsent(next: Consent) {
      consent = next;
      if (loaded) {
        for (const cb of privacyHandlers) cb({ customerPrivacy: flags() });
        return;
      }
      if (load()) for (const b of buffered.splice(0)) await dispatch(b.name, b.event);
    },
    /** Waits for the pixel's requests to finish. */
    async settle() {
      while (pending.length) await Promise.all(pending.splice(0));
    },
  };
}
