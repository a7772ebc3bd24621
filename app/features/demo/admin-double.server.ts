// A stand-in for the Shopify admin, for the offline demo and the e2e tests: it plays the part
// of admin.shopify.com by opening the embedded app with a session token signed with the app
// secret, exactly what Shopify does. The app verifies that token through authenticate.admin.
import { createServer, type Server } from "node:http";
import { embeddedQuery } from "./shopify-double.server";

export async function startAdminDouble(opts: {
  port: number;
  host?: string;
  appUrl: string;
  apiKey: string;
  apiSecret: string;
  shop: string;
  tokenTtlSeconds?: number;
}) {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://admin.local");
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
