// Issue 12, probes 1 and 2: what one leaked signed webhook body, or one huge unsigned body, can do.
// Shopify's HMAC covers only the body, so the attacker below holds a genuinely signed body and
// sets every header as they like. Each refusal must leave every table as it was.
import { orderFixture } from "../fixtures/orders";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { APP_URL, call, seedOfflineSession, webhookRequest } from "../support/requests";
import { captureConsole, shopSnapshot, type CapturedLogs } from "../support/fuzz";
import { connectShop, deliverOrder, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
const { default: prisma } = await import("~/core/db.server");
const { WEBHOOK_MAX_BYTES } = await import("~/core/webhook.server");
const routes = {
  "app/uninstalled": (await import("~/routes/webhooks.app.uninstalled")).action,
  "shop/redact": (await import("~/routes/webhooks.shop.redact")).action,
  "customers/redact": (await import("~/routes/webhooks.customers.redact")).action,
  "customers/data_request": (await import("~/routes/webhooks.customers.data_request")).action,
  "orders/create": (await import("~/routes/webhooks.orders.create")).action,
};
type Topic = keyof typeof routes;

afterAll(() => sandbox.close());
let logs: CapturedLogs;
beforeEach(async () => {
  logs = captureConsole();
  for (const t of ["outboxEvent", "orderRecord", "touchpoint", "tikTokConnection", "session", "shop", "processedWebhook", "rejectedWebhook"] as const)
    await (prisma[t] as unknown as { deleteMany: () => Promise<unknown> }).deleteMany();
  for (const shop of [TEST_SHOP, OTHER_SHOP]) {
    await seedOfflineSession(shop);
    await connectShop(shop, control, { sendMode: "all" });
    expect((await deliverOrder(shop, orderFixture("web-attributed"))).status).toBe(200);
  }
});
afterEach(() => logs.restore());

/** Sends `rawBody`, validly signed, to `route`'s URL with the given topic and shop headers. */
const send = (route: Topic, opts: { topic?: string; shop: string; rawBody: string; webhookId?: string; eventId?: string }) =>
  call(routes[route], webhookRequest({ topic: opts.topic ?? route, shop: opts.shop, payload: null, rawBody: opts.rawBody, path: `/webhooks/${route}`, webhookId: opts.webhookId, eventId: opts.eventId }));

const snapshot = async () => ({ test: await shopSnapshot(prisma, TEST_SHOP), other: await shopSnapshot(prisma, OTHER_SHOP) });
const shopPayload = (shop: string) => JSON.stringify({ id: 548380009, name: "Store", domain: "shop.example.com", myshopify_domain: shop });

describe("probe 1: a leaked signed body cannot wipe or disconnect a shop", () => {
  it.each(["shop/redact", "app/uninstalled", "customers/redact"] as const)(
    "another store's orders/create body sent to %s with the victim's shop header: 400, nothing written, the reason logged",
    async (route) => {
      const before = await snapshot();
      // the topic header left as Shopify sent it, and rewritten to the route's topic
      for (const topic of ["orders/create", route]) {
        const res = await send(route, { topic, shop: TEST_SHOP, rawBody: orderFixture("web-attributed") });
        expect(res.status).toBe(400);
      }
      expect(await snapshot()).toEqual(before);
      expect(logs.text()).toMatch(new RegExp(`webhook ${route} refused \\(400\\): Topic orders/create is not accepted`));
      expect(logs.text()).toMatch(new RegExp(`webhook ${route} refused \\(400\\): Body has no`));
      expect(logs.text()).not.toContain("@example.com");
    },
  );

  it("a body naming one shop is refused under another shop's header, on every topic that names the shop", async () => {
    const before = await snapshot();
    const cases: [Topic, string][] = [
      ["app/uninstalled", shopPayload(OTHER_SHOP)],
      ["shop/redact", JSON.stringify({ shop_id: 1, shop_domain: OTHER_SHOP })],
      ["customers/redact", JSON.stringify({ shop_id: 1, shop_domain: OTHER_SHOP, customer: { id: 1, email: "ada@example.com" }, orders_to_redact: [] })],
      ["customers/data_request", JSON.stringify({ shop_id: 1, shop_domain: OTHER_SHOP, customer: { id: 1 }, orders_requested: [], data_request: { id: 9 } })],
      ["app/uninstalled", JSON.stringify({ id: 1, domain: `${"beta-test"}.myshopify.com`, myshopify_domain: TEST_SHOP })],
    ];
    for (const [route, rawBody] of cases) {
      const res = await send(route, { shop: TEST_SHOP, rawBody });
      expect(res.status, `${route} ${rawBody}`).toBe(400);
    }
    expect(await snapshot()).toEqual(before);
    expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toMatchObject({ status: "connected" });
  });

  it("the route's own topic and shop are accepted: app/uninstalled disconnects, with a custom primary domain", async () => {
    expect((await send("app/uninstalled", { shop: TEST_SHOP, rawBody: shopPayload(TEST_SHOP) })).status).toBe(200);
    expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toMatchObject({ status: "disconnected" });
    expect(await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: OTHER_SHOP } })).toMatchObject({ status: "connected" });
  });

  it("shop/redact is refused with 409 while the shop is installed, and right after an uninstall; nothing is deleted", async () => {
    const redact = () => send("shop/redact", { shop: TEST_SHOP, rawBody: JSON.stringify({ shop_id: 1, shop_domain: TEST_SHOP }) });
    const before = await snapshot();
    expect((await redact()).status).toBe(409);
    expect(await snapshot()).toEqual(before);
    expect((await send("app/uninstalled", { shop: TEST_SHOP, rawBody: shopPayload(TEST_SHOP) })).status).toBe(200);
    const afterUninstall = await snapshot();
    expect((await redact()).status).toBe(409);
    expect(await snapshot()).toEqual(afterUninstall);
    expect(await prisma.orderRecord.count({ where: { shop: TEST_SHOP } })).toBe(1);
    expect(logs.text()).toMatch(/shop\/redact refused \(409\).*still has the app installed/);
    expect(logs.text()).toMatch(/shop\/redact refused \(409\).*uninstalled 0\.0 h ago/);
  });

  it("app/uninstalled replayed with the same webhook id or event id after a reinstall is acknowledged and does nothing", async () => {
    // GIVEN an uninstall, then the merchant reinstalls and connects again
    const first = { webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", eventId: "1f2e3d4c-0000-4000-8000-000000000001" };
    expect((await send("app/uninstalled", { shop: TEST_SHOP, rawBody: shopPayload(TEST_SHOP), ...first })).status).toBe(200);
    await seedOfflineSession(TEST_SHOP);
    await connectShop(TEST_SHOP, control, { sendMode: "all" });
    const before = await snapshot();
    // WHEN the old delivery arrives again (a retry, or a replay)
    for (const ids of [first, { webhookId: first.webhookId }, { eventId: first.eventId, webhookId: "another-delivery-of-the-same-event" }]) {
      const res = await send("app/uninstalled", { shop: TEST_SHOP, rawBody: shopPayload(TEST_SHOP), ...ids });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("Already processed");
    }
    // THEN the reinstalled shop stays connected and installed
    expect(await snapshot()).toEqual(before);
  });

  it("customers/redact with an id already processed removes nothing more", async () => {
    const body = JSON.stringify({ shop_id: 1, shop_domain: TEST_SHOP, customer: { id: 7012345678901, email: "ada.lovelace@example.com" }, orders_to_redact: [] });
    expect((await send("customers/redact", { shop: TEST_SHOP, rawBody: body, webhookId: "w-1" })).status).toBe(200);
    expect(await prisma.processedWebhook.count({ where: { webhookId: "w-1", topic: "customers/redact" } })).toBe(1);
    const before = await snapshot();
    expect(await (await send("customers/redact", { shop: TEST_SHOP, rawBody: body, webhookId: "w-1" })).text()).toBe("Already processed");
    expect(await snapshot()).toEqual(before);
  });
});

/** A body of `total` bytes produced on demand; counts what the app pulled from it. */
function hugeStream(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const counter = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close();
      counter.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      counter.cancelled = true;
    },
  });
  return { stream, counter };
}

describe("probe 2: a 200 MB unsigned body is refused before it is buffered", () => {
  const TOTAL = 200 * 1024 * 1024;
  const post = (path: string, body: ReadableStream<Uint8Array>, declared: boolean) =>
    new Request(`${APP_URL}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": TEST_SHOP, ...(declared ? { "Content-Length": String(TOTAL) } : {}) },
      body,
      duplex: "half",
    } as RequestInit);

  it.each(Object.keys(routes) as Topic[])("%s: 413 by Content-Length without reading, and 413 after at most the cap when undeclared", async (route) => {
    const declared = hugeStream(TOTAL);
    const res = await call(routes[route], post(`/webhooks/${route}`, declared.stream, true));
    expect(res.status).toBe(413);
    expect(declared.counter.pulled).toBeLessThanOrEqual(64 * 1024 * 2); // the stream's own read-ahead, nothing more

    const undeclared = hugeStream(TOTAL);
    const res2 = await call(routes[route], post(`/webhooks/${route}`, undeclared.stream, false));
    expect(res2.status).toBe(413);
    expect(undeclared.counter.pulled).toBeLessThanOrEqual(WEBHOOK_MAX_BYTES + 3 * 64 * 1024);
    expect(undeclared.counter.cancelled).toBe(true);
  });
});

describe("issue 27 L7: the HMAC is checked over the bytes Shopify sent", () => {
  it("a signed orders/create body holding bytes that are not valid UTF-8 is accepted (200), and the same body signed wrongly is refused (401)", async () => {
    const { createHmac } = await import("node:crypto");
    const json = Buffer.from(JSON.stringify({ ...JSON.parse(orderFixture("web-attributed")), id: 7_300_000_000_001, note: "XX" }));
    // The note's "XX" becomes 0xC3 0x28: not UTF-8, so decoding and re-encoding would change the bytes.
    const at = json.indexOf("XX");
    json[at] = 0xc3;
    json[at + 1] = 0x28;
    const sign = (secret: string) => createHmac("sha256", secret).update(json).digest("base64");
    const request = (hmac: string) =>
      new Request(`${APP_URL}/webhooks/orders/create`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": TEST_SHOP, "X-Shopify-API-Version": "2026-10", "X-Shopify-Webhook-Id": "wh-l7", "X-Shopify-Hmac-Sha256": hmac },
        body: new Uint8Array(json),
      });
    expect((await call(routes["orders/create"], request(sign("not-the-app-secret")))).status).toBe(401);
    expect((await call(routes["orders/create"], request(sign(process.env.SHOPIFY_API_SECRET!)))).status).toBe(200);
  });
});
