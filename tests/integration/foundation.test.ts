import { readFileSync } from "node:fs";
import prisma from "~/core/db.server";
import { apiVersion } from "~/core/shopify.server";
import { action as uninstalled } from "~/routes/webhooks.app.uninstalled";
import { loader as homeLoader } from "~/routes/app._index";
import { loader as health } from "~/routes/healthcheck";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession, webhookRequest, APP_URL } from "../support/requests";

describe("webhook authentication", () => {
  it("accepts app/uninstalled with a valid HMAC and removes the shop's sessions", async () => {
    // GIVEN an installed shop
    await seedOfflineSession(TEST_SHOP);
    expect(await prisma.session.count({ where: { shop: TEST_SHOP } })).toBe(1);
    // WHEN Shopify reports the uninstall
    const res = await call(uninstalled, webhookRequest({ topic: "app/uninstalled", shop: TEST_SHOP, payload: { id: 1, myshopify_domain: TEST_SHOP } }));
    // THEN sessions are gone and the shop is marked uninstalled
    expect(res.status).toBe(200);
    expect(await prisma.session.count({ where: { shop: TEST_SHOP } })).toBe(0);
    expect((await prisma.shop.findUnique({ where: { shop: TEST_SHOP } }))?.uninstalledAt).toBeInstanceOf(Date);
  });

  it("answers 401 to a forged HMAC and writes nothing", async () => {
    await seedOfflineSession(TEST_SHOP);
    const res = await call(
      uninstalled,
      webhookRequest({ topic: "app/uninstalled", shop: TEST_SHOP, payload: { id: 1 }, secret: "not-the-app-secret" }),
    );
    expect(res.status).toBe(401);
    expect(await prisma.session.count({ where: { shop: TEST_SHOP } })).toBe(1);
  });

  it("answers 401 when the HMAC header is missing", async () => {
    await seedOfflineSession(TEST_SHOP);
    const req = webhookRequest({ topic: "app/uninstalled", shop: TEST_SHOP, payload: { id: 1, myshopify_domain: TEST_SHOP } });
    req.headers.delete("X-Shopify-Hmac-Sha256");
    const res = await call(uninstalled, req);
    expect([400, 401]).toContain(res.status);
    expect(await prisma.session.count({ where: { shop: TEST_SHOP } })).toBe(1);
  });

  it("answers 405 to a GET", async () => {
    const res = await call(uninstalled, new Request(`${APP_URL}/webhooks/app/uninstalled`));
    expect(res.status).toBe(405);
  });
});

describe("admin authentication", () => {
  it("serves the home loader's data for a valid session token", async () => {
    await seedOfflineSession(TEST_SHOP);
    const res = await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ shop: TEST_SHOP });
  });

  it("never reaches loader data without a valid token", async () => {
    await seedOfflineSession(TEST_SHOP);
    const forged = adminRequest("/app", { shop: TEST_SHOP, token: "eyJhbGciOiJIUzI1NiJ9.eyJkZXN0IjoieCJ9.bad" });
    const res = await call(homeLoader, forged);
    expect(res.status).not.toBe(200);
    expect(await res.text()).not.toContain(TEST_SHOP);

    const anonymous = await call(homeLoader, new Request(`${APP_URL}/app`, { headers: { "User-Agent": "Mozilla/5.0 Chrome/156" } }));
    expect(anonymous.status).toBeGreaterThanOrEqual(300);
    expect(await anonymous.text()).not.toContain(TEST_SHOP);
  });
});

describe("platform wiring", () => {
  it("healthcheck answers OK after one database query", async () => {
    const res = await call(health, new Request(`${APP_URL}/healthcheck`));
    expect(res.status).toBe(200);
  });

  it("pins the same API version in code and in shopify.app.toml", () => {
    const toml = readFileSync("shopify.app.toml", "utf8");
    expect(toml).toMatch(new RegExp(`api_version = "${apiVersion}"`));
  });

  it("every webhook subscription in shopify.app.toml reaches a route that accepts only its own signed topic", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const toml = readFileSync("shopify.app.toml", "utf8");
    const subscriptions = [...toml.matchAll(/(?:compliance_)?topics = \["([^"]+)"\]\s*\n\s*uri = "([^"]+)"/g)].map((m) => ({ topic: m[1], uri: m[2] }));
    expect(subscriptions.map((s) => s.topic)).toEqual(expect.arrayContaining(["orders/create", "refunds/create", "order_transactions/create", "orders/cancelled", "app/uninstalled"]));
    for (const { topic, uri } of subscriptions) {
      const route = (await import(`~/routes/${uri.slice(1).replaceAll("/", ".")}.tsx`)) as { action?: (args: unknown) => Promise<Response> };
      expect(route.action, `${uri} has no action`).toBeTypeOf("function");
      // Signed with the app secret but under another topic: refused, so the subscription's topic is the route's own.
      const wrongTopic = topic === "orders/create" ? "orders/cancelled" : "orders/create";
      const res = await call(route.action as never, webhookRequest({ topic: wrongTopic, shop: TEST_SHOP, payload: { id: 1, shop_domain: TEST_SHOP, myshopify_domain: TEST_SHOP }, path: uri }));
      expect(res.status, `${uri} accepted ${wrongTopic}`).toBe(400);
    }
  });
});
