// Issue 27's low findings, through Remix's own request handler over the production route manifest
// (tests/support/remix-app.ts): the exit-iframe page (L1), the framing and sniffing headers of
// pages (L5/L6) and the web pixel's CORS preflight (L9).
import { embeddedQuery } from "~/features/demo/shopify-double.server";
import { TEST_SHOP } from "../support/constants";
import { APP_URL, seedOfflineSession } from "../support/requests";
import { productionApp } from "../support/remix-app";

const app = await productionApp();
beforeAll(() => seedOfflineSession(TEST_SHOP));
const CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36";
const get = (path: string, init: RequestInit = {}) =>
  app(new Request(`${APP_URL}${path}`, { ...init, headers: { "User-Agent": CHROME, ...(init.headers ?? {}) } }));
const STORE = TEST_SHOP.replace(".myshopify.com", "");

describe("L1: /auth/exit-iframe sends the top window only to this app or the shop's admin", () => {
  const exit = (destination: string, shop: string | null = TEST_SHOP) => {
    const q = new URLSearchParams({ exitIframe: destination });
    if (shop) q.set("shop", shop);
    return get(`/auth/exit-iframe?${q}`);
  };
  /** The URL the library's page opens in the top window, or null when it opens none. */
  const openedUrl = async (res: Response) => {
    const m = (await res.text()).match(/window\.open\(("[^"]*")/);
    return m ? (JSON.parse(m[1]) as string) : null;
  };

  it.each([
    ["an outside site", "https://evil.example/x"],
    ["an outside site without a scheme", "//evil.example/x"],
    ["a host that only starts like the app's", "https://app.example.com.evil.example/x"],
    ["credentials before the app's host", "https://app.example.com@evil.example/x"],
    ["a script URL", "javascript:alert(1)"],
    ["another shop's admin on admin.shopify.com", "https://admin.shopify.com/store/beta-test/apps"],
    ["admin.shopify.com outside any store", "https://admin.shopify.com/"],
    ["another shop's own admin", "https://beta-test.myshopify.com/admin/charges"],
    ["the shop's storefront, not its admin", `https://${TEST_SHOP}/pages/x`],
    ["an empty destination", ""],
  ])("refuses %s with a clear 400 page that opens nothing", async (_, destination) => {
    const res = await exit(destination);
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await res.clone().text();
    expect(html).toContain("Redirect refused");
    expect(await openedUrl(res)).toBeNull();
  });

  it("refuses the shop's admin when the request names no valid shop", async () => {
    expect((await exit(`https://admin.shopify.com/store/${STORE}/apps`, null)).status).toBe(400);
    expect((await exit(`https://admin.shopify.com/store/${STORE}/apps`, "not a shop")).status).toBe(400);
  });

  it.each([
    ["the app's OAuth restart (what the library itself sends)", `/auth?shop=${TEST_SHOP}`, `${APP_URL}/auth?shop=${TEST_SHOP}`],
    ["an absolute app URL", `${APP_URL}/app/connect`, `${APP_URL}/app/connect`],
    ["the shop's admin on admin.shopify.com", `https://admin.shopify.com/store/${STORE}/apps/x`, `https://admin.shopify.com/store/${STORE}/apps/x`],
    ["the shop's own admin", `https://${TEST_SHOP}/admin/charges/1/confirm`, `https://${TEST_SHOP}/admin/charges/1/confirm`],
  ])("opens %s in the top window", async (_, destination, opened) => {
    const res = await exit(destination);
    expect(res.status).toBe(200);
    expect(await openedUrl(res)).toBe(opened);
  });
});

describe("L5/L6: every HTML page says who may frame it, and admin documents are not sniffed", () => {
  const csp = (res: Response) => res.headers.get("Content-Security-Policy") ?? "";

  it("an admin document may be framed by its shop and the Shopify admin only, and has nosniff", async () => {
    const q = embeddedQuery({ apiKey: process.env.SHOPIFY_API_KEY!, apiSecret: process.env.SHOPIFY_API_SECRET!, shop: TEST_SHOP });
    const res = await get(`/app/help?${q}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(await res.clone().text()).toContain("Help");
    expect(csp(res)).toMatch(new RegExp(`frame-ancestors https://${TEST_SHOP.replace(/\./g, "\\.")} https://admin\\.shopify\\.com`));
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it.each([
    ["the login page", "/auth/login"],
    ["the 404 page", "/no-such-page"],
    ["a /tiktok/start refusal", "/tiktok/start?state=forged"],
    ["a /tiktok/callback refusal", "/tiktok/callback?state=forged&auth_code=x"],
  ])("%s, which names no shop, may be framed by no one, and has nosniff", async (_, path) => {
    const res = await get(path);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.status === 200 || res.status >= 400).toBe(true);
    expect(csp(res)).toContain("frame-ancestors 'none'");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("the 404 page is a 404", async () => {
    expect((await get("/no-such-page")).status).toBe(404);
  });
});

describe("L9: the web pixel's endpoints answer a CORS preflight", () => {
  it.each(["/proxy/touchpoints", "/proxy/checkout"])("OPTIONS %s: 204 with the pixel's CORS headers and no body", async (path) => {
    const res = await get(`${path}?shop=${TEST_SHOP}&t=any-token`, {
      method: "OPTIONS",
      headers: { Origin: "https://extensions.shopifycdn.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Methods")).toContain("POST");
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("content-type");
    expect(await res.text()).toBe("");
  });

  it("GET is still refused with 405", async () => {
    expect((await get(`/proxy/touchpoints?shop=${TEST_SHOP}&t=x`)).status).toBe(405);
  });
});
