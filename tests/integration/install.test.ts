// Installing the app, as Shopify's OAuth does it, through the real /auth route and the library's
// own callback handling: the afterAuth hook records the shop's details and switches the web pixel
// on. Shopify's hosts cannot be reached here, so the shop's two endpoints the library calls (the
// token exchange and the Admin GraphQL API) are answered at the network edge: the token by a
// fixed answer, GraphQL by the admin stand-in the demo uses.
import { createHmac } from "node:crypto";

const SHOP = "install-test.myshopify.com";
const tokenRequests: string[] = [];
const realFetch = globalThis.fetch;
const stand = { url: "" };
// Before any app module loads (so every import below is dynamic): Shopify's library keeps the
// fetch it finds when its node adapter is imported.
vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  if (url.host === SHOP && url.pathname === "/admin/oauth/access_token") {
    tokenRequests.push(await request.text());
    return Response.json({ access_token: "shpat_install_test_offline", scope: "read_orders,read_themes,write_app_proxy,write_pixels,read_customer_events,read_pixels" });
  }
  if (url.host === SHOP && url.pathname.startsWith("/admin/api/")) {
    const headers = new Headers(request.headers);
    headers.set("X-Shopify-Shop-Domain", SHOP);
    return realFetch(`${stand.url}${url.pathname}`, { method: "POST", headers, body: await request.text() });
  }
  return realFetch(input, init);
});
const { APP_URL, call } = await import("../support/requests");
const { startAdminDouble } = await import("~/features/demo/admin-double.server");
const { default: prisma } = await import("~/core/db.server");
const { loader: auth } = await import("~/routes/auth.$");
const shopify = await startAdminDouble({ port: 0, appUrl: APP_URL, apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop: SHOP });
stand.url = shopify.url;

afterAll(async () => {
  vi.unstubAllGlobals();
  await shopify.close();
});

/** Shopify's OAuth callback query, signed with the app's secret as Shopify signs it. */
function signedCallback(state: string) {
  const params = new URLSearchParams({ code: "install-test-code", host: Buffer.from(`admin.shopify.com/store/install-test`).toString("base64url"), shop: SHOP, state, timestamp: String(Math.floor(Date.now() / 1000)) });
  const message = [...params.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join("&");
  params.set("hmac", createHmac("sha256", process.env.SHOPIFY_API_SECRET!).update(message).digest("hex"));
  return params;
}

it("on install, records the shop and switches the web pixel on with the app's URL and a token of the shop's", async () => {
  // Shopify sends the merchant to /auth; the app answers with Shopify's consent URL and a state cookie.
  const begin = await call(auth, new Request(`${APP_URL}/auth?shop=${SHOP}`));
  expect(begin.status).toBe(302);
  const consent = new URL(begin.headers.get("Location")!);
  expect(consent.host).toBe(SHOP);
  const state = consent.searchParams.get("state")!;
  const cookies = begin.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");

  // The merchant approves; Shopify calls back with the code, signed.
  const done = await call(auth, new Request(`${APP_URL}/auth/callback?${signedCallback(state)}`, { headers: { Cookie: cookies } }));
  expect(done.status, await done.clone().text()).toBeGreaterThanOrEqual(300);
  expect(done.status).toBeLessThan(400);
  expect(tokenRequests).toHaveLength(1);

  // The offline session is stored (its token encrypted), the shop's details recorded, and the pixel on.
  const session = await prisma.session.findUnique({ where: { id: `offline_${SHOP}` } });
  expect(session).not.toBeNull();
  expect(session!.accessToken).not.toContain("shpat_");
  expect(await prisma.shop.findUnique({ where: { shop: SHOP } })).toMatchObject({ currency: "USD", ianaTimezone: "America/New_York", contactEmail: "owner@install-test.example.com" });
  const pixel = shopify.pixels.get(SHOP);
  expect(pixel, "webPixelCreate reached the shop").toBeDefined();
  const settings = JSON.parse(pixel!.settings) as { endpoint: string; token: string };
  expect(settings.endpoint).toBe(APP_URL);
  expect((await prisma.webPixel.findUnique({ where: { shop: SHOP } }))?.token).toBe(settings.token);
});
