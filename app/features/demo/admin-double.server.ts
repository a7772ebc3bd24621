// A stand-in for the Shopify admin, for the offline demo and the e2e tests: it plays the part
// of admin.shopify.com by opening the embedded app with a session token signed with the app
// secret, exactly what Shopify does. The app verifies that token through authenticate.admin.
// It also answers the Admin GraphQL API calls the app makes (the demo build routes them here,
// app/features/demo/admin-api.server.ts), in Shopify's response shapes:
// - EmbedStatus: the published theme's config/settings_data.json, with our app embed on, unless a
//   test switched it off: POST /__admin/theme-embed {"enabled": false}.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { APP_HANDLE, EMBED_BLOCK_HANDLE } from "../storefront/embed-status.server";
import { embeddedQuery } from "./shopify-double.server";

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
}) {
  const state = { embedEnabled: true };

  async function adminApi(req: IncomingMessage, res: ServerResponse) {
    if (!req.headers["x-shopify-access-token"]) return json(res, 401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    if (req.headers["x-demo-shop-domain"] !== opts.shop) return json(res, 404, { errors: "Not Found" });
    const { query } = JSON.parse(await readBody(req)) as { query?: string };
    if (query?.includes("query EmbedStatus")) {
      const file = { filename: "config/settings_data.json", body: { content: settingsData(state.embedEnabled) } };
      return json(res, 200, { data: { themes: { nodes: [{ files: { nodes: [file] } }] } } });
    }
    return json(res, 200, { errors: [{ message: "The admin stand-in does not implement this query" }] });
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://admin.local");
    if (req.method === "POST" && /^\/admin\/api\/[^/]+\/graphql\.json$/.test(url.pathname)) {
      adminApi(req, res).catch(() => json(res, 400, { errors: "Bad Request" }));
      return;
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
