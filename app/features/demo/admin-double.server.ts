// A stand-in for the Shopify admin, for the offline demo and the e2e tests: it plays the part
// of admin.shopify.com by opening the embedded app with a session token signed with the app
// secret, exactly what Shopify does. The app verifies that token through authenticate.admin.
// It also answers the Admin GraphQL API calls the app makes, in Shopify's response shapes:
// - the web pixel operations (webPixelCreate, webPixelUpdate, webPixel), validating settings
//   against the extension's declared fields as Shopify does;
// - ShopDetails: the store's currency, time zone and contact email;
// - EmbedStatus: the published theme's config/settings_data.json, with our app embed on, unless a
//   test switched it off: POST /__admin/theme-embed {"enabled": false}.
// Offline calls reach it through SHOPIFY_ADMIN_API_URL; the demo build routes the library's own
// requests here too (app/features/demo/admin-api.server.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { APP_HANDLE, EMBED_BLOCK_HANDLE } from "../storefront/embed-status.server";
import { embeddedQuery } from "./shopify-double.server";

type StoredPixel = { id: string; settings: string };

/** The web pixel settings fields of extensions/tiktok-pixel/shopify.extension.toml and their min lengths. */
const PIXEL_FIELDS: Record<string, number> = { endpoint: 8, token: 16 };

function settingsErrors(settings: unknown): string[] {
  let parsed: unknown;
  try {
    parsed = typeof settings === "string" ? JSON.parse(settings) : settings;
  } catch {
    return ["settings is not JSON"];
  }
  if (!parsed || typeof parsed !== "object") return ["settings must be an object"];
  const errors = Object.entries(PIXEL_FIELDS)
    .filter(([k, min]) => typeof (parsed as Record<string, unknown>)[k] !== "string" || ((parsed as Record<string, string>)[k]).length < min)
    .map(([k]) => `${k} is invalid`);
  for (const k of Object.keys(parsed)) if (!(k in PIXEL_FIELDS)) errors.push(`${k} is not a declared setting`);
  return errors;
}

/** POST /admin/api/<version>/graphql.json: the web pixel operations, per shop. */
function adminGraphql(req: IncomingMessage, res: ServerResponse, pixels: Map<string, StoredPixel>, other: (query: string) => unknown | null) {
  const shop = String(req.headers["x-shopify-shop-domain"] ?? "");
  const send = (body: unknown, status = 200) => res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  if (!req.headers["x-shopify-access-token"] || !shop) return send({ errors: "[API] Invalid API key or access token" }, 401);
  let raw = "";
  req.on("data", (c: Buffer) => (raw += c.toString()));
  req.on("end", () => {
    let body: { query?: string; variables?: Record<string, { settings?: unknown } | string> };
    try {
      body = JSON.parse(raw);
    } catch {
      return send({ errors: [{ message: "body is not JSON" }] }, 400);
    }
    const query = body.query ?? "";
    const answered = other(query);
    if (answered !== null) return send(answered);
    const vars = body.variables ?? {};
    const input = vars.webPixel as { settings?: unknown } | undefined;
    const existing = pixels.get(shop);
    const payload = (name: string, pixel: StoredPixel | null, errors: string[]) =>
      send({ data: { [name]: { webPixel: pixel, userErrors: errors.map((message) => ({ code: "INVALID", field: ["settings"], message })) } } });
    if (/webPixelCreate\s*\(/.test(query)) {
      if (existing) return send({ data: { webPixelCreate: { webPixel: null, userErrors: [{ code: "TAKEN", field: null, message: "Web pixel is taken." }] } } });
      const errors = settingsErrors(input?.settings);
      if (errors.length) return payload("webPixelCreate", null, errors);
      const pixel = { id: `gid://shopify/WebPixel/${pixels.size + 1}`, settings: String(input!.settings) };
      pixels.set(shop, pixel);
      return payload("webPixelCreate", pixel, []);
    }
    if (/webPixelUpdate\s*\(/.test(query)) {
      if (!existing || existing.id !== vars.id) return payload("webPixelUpdate", null, ["Web pixel not found"]);
      const errors = settingsErrors(input?.settings);
      if (errors.length) return payload("webPixelUpdate", null, errors);
      existing.settings = String(input!.settings);
      return payload("webPixelUpdate", existing, []);
    }
    if (/webPixel\s*\{/.test(query)) {
      if (!existing) return send({ data: { webPixel: null }, errors: [{ message: "No web pixel was found for this app." }] });
      return send({ data: { webPixel: existing } });
    }
    return send({ errors: [{ message: "The Shopify stand-in answers only the web pixel operations" }] }, 400);
  });
}


/** settings_data.json as Shopify writes it: a comment header, then `current` with the app embed blocks. */
function settingsData(embedEnabled: boolean) {
  const current = {
    colors_accent_1: "#121212",
    blocks: {
      "14230977409389285452": {
        type: `shopify://apps/${APP_HANDLE}/blocks/${EMBED_BLOCK_HANDLE}/8a3f0c52-3d1e-4a57-9d2e-0c6a1b7f4e21`,
        disabled: !embedEnabled,
        settings: {},
      },
    },
  };
  return `/*
 * ------------------------------------------------------------
 * IMPORTANT: The contents of this file are auto-generated.
 * ------------------------------------------------------------
 */
${JSON.stringify({ current, presets: { Default: {} } }, null, 2)}`;
}

async function readBody(req: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));

export async function startAdminDouble(opts: {
  port: number;
  host?: string;
  appUrl: string;
  apiKey: string;
  apiSecret: string;
  shop: string;
  tokenTtlSeconds?: number;
  shopEmail?: string;
}) {
  const pixels = new Map<string, StoredPixel>();
  // The store's contact email (Admin API shop.email), fictional.
  const state = { embedEnabled: true, shopEmail: opts.shopEmail ?? `owner@${opts.shop.replace(/\.myshopify\.com$/, "")}.example.com` };

  /** Queries other than the web pixel's: the shop's own details (ShopDetails) and the published theme's settings (EmbedStatus). */
  const otherQuery = (query: string) => {
    if (query.includes("query ShopDetails")) return { data: { shop: { currencyCode: "USD", ianaTimezone: "America/New_York", email: state.shopEmail } } };
    if (!query.includes("query EmbedStatus")) return null;
    const file = { filename: "config/settings_data.json", body: { content: settingsData(state.embedEnabled) } };
    return { data: { themes: { nodes: [{ files: { nodes: [file] } }] } } };
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://admin.local");
    if (req.method === "POST" && /^\/admin\/api\/[^/]+\/graphql\.json$/.test(url.pathname)) {
      // The demo build's routed requests name the shop in X-Demo-Shop-Domain (the URL's host is gone).
      const routed = req.headers["x-demo-shop-domain"];
      if (routed !== undefined) {
        if (routed !== opts.shop) return json(res, 404, { errors: "Not Found" });
        req.headers["x-shopify-shop-domain"] = opts.shop;
      }
      return adminGraphql(req, res, pixels, otherQuery);
    }
    if (req.method === "POST" && url.pathname === "/__admin/theme-embed") {
      readBody(req)
        .then((body) => {
          state.embedEnabled = (JSON.parse(body) as { enabled?: unknown }).enabled === true;
          res.writeHead(204).end();
        })
        .catch(() => json(res, 400, { error: "Body must be JSON {enabled: boolean}" }));
      return;
    }
    // /store/<store>/apps/<api key>/<app path> is where the app sends merchants back to (after OAuth).
    const match = /^\/store\/[^/]+\/apps\/[^/]+(\/.*)?$/.exec(url.pathname);
    const appPath = match ? match[1] || "/app" : url.pathname === "/" ? "/app" : null;
    if (!appPath) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
      return;
    }
    const query = embeddedQuery({
      apiKey: opts.apiKey,
      apiSecret: opts.apiSecret,
      shop: opts.shop,
      // Shopify's tokens last a minute and App Bridge renews them; without App Bridge the page
      // keeps the one it was opened with, so the stand-in issues a long one.
      ttlSeconds: opts.tokenTtlSeconds ?? 12 * 60 * 60,
    });
    const extra = url.search ? `&${url.searchParams.toString()}` : "";
    res.writeHead(302, { Location: `${opts.appUrl}${appPath}?${query}${extra}`, "Cache-Control": "no-store" }).end();
  });
  await new Promise<void>((resolve) => server.listen(opts.port, opts.host ?? "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    /** The web pixels the app created, by shop. */
    pixels,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
