// The pixel's real code in a runtime like Shopify's (app/features/demo/pixel-runtime.server.ts).
import { CookieJar, createPixelRuntime, type Consent } from "~/features/demo/pixel-runtime.server";
import { CLICK_COOKIE, VID_COOKIE, VID_RE, newVisitorId } from "../../../../extensions/tiktok-capture/src/capture";
import { orderDigits } from "../../../../extensions/tiktok-pixel/src/pixel";

const SHOP = "alpha-test.myshopify.com";
const settings = { endpoint: "https://app.example.com", token: "tok_0123456789abcdefghij" };
const ALL: Consent = { analytics: true, marketing: true, saleOfData: true };
const LANDING = "https://alpha-test.myshopify.com/products/mug?ttclid=E.C.P.click-1&tt_campaign_id=1234567890";
const checkout = (id: unknown) => ({ checkout: { order: { id } } });
const bodies = (rt: ReturnType<typeof createPixelRuntime>, path: string) => rt.requests.filter((r) => r.url.includes(path)).map((r) => JSON.parse(r.body));

describe("web pixel in a Shopify-like runtime", () => {
  it.each([
    ["analytics refused", { ...ALL, analytics: false }],
    ["marketing refused", { ...ALL, marketing: false }],
    ["sale of data refused", { ...ALL, saleOfData: false }],
  ])("stores and sends nothing without consent (%s), and runs the buffered events once consent is given", async (_label, consent) => {
    const rt = createPixelRuntime({ settings, shop: SHOP, url: LANDING, consent });
    await rt.publish("page_viewed");
    await rt.publish("checkout_completed", checkout("gid://shopify/OrderIdentity/5210499102"));
    await rt.settle();
    expect(rt.loaded).toBe(false);
    expect(rt.cookies.values.size).toBe(0);
    expect(rt.storage.size).toBe(0);
    expect(rt.requests).toEqual([]);

    await rt.setConsent(ALL);
    await rt.settle();
    expect(bodies(rt, "/proxy/touchpoints")).toHaveLength(1);
    expect(bodies(rt, "/proxy/checkout")).toEqual([expect.objectContaining({ order_id: "5210499102", ttclid: "E.C.P.click-1" })]);
  });

  it("deletes its cookies and stops when the visitor withdraws consent", async () => {
    const rt = createPixelRuntime({ settings, shop: SHOP, url: LANDING, consent: ALL });
    await rt.publish("page_viewed");
    expect(rt.cookies.get(VID_COOKIE)).toMatch(VID_RE);
    await rt.setConsent({ ...ALL, marketing: false });
    expect(rt.cookies.values.size).toBe(0);
    await rt.publish("checkout_completed", checkout("77"));
    await rt.settle();
    expect(bodies(rt, "/proxy/checkout")).toEqual([]);
  });

  it("keeps the embed's visitor id and click: no second touchpoint, and the checkout carries the embed's click and time", async () => {
    const jar = new CookieJar();
    const vid = newVisitorId((a) => crypto.getRandomValues(a));
    const capturedAt = Date.now() - 60_000;
    // What the theme embed writes (capture.ts setCookie).
    jar.set(`${VID_COOKIE}=${vid};path=/;max-age=31536000;samesite=lax`);
    jar.set(`${CLICK_COOKIE}=${capturedAt}.E.C.P.click-1;path=/;max-age=2592000;samesite=lax`);
    jar.set(`_ttp=2abcDEF_ttp.value;path=/`);
    const rt = createPixelRuntime({ settings, shop: SHOP, url: LANDING, consent: ALL, cookies: jar });
    await rt.publish("page_viewed");
    await rt.publish("checkout_completed", checkout("5210499102"));
    await rt.settle();
    expect(jar.get(VID_COOKIE)).toBe(vid);
    expect(jar.get(CLICK_COOKIE)).toBe(`${capturedAt}.E.C.P.click-1`);
    expect(bodies(rt, "/proxy/touchpoints")).toEqual([]);
    expect(bodies(rt, "/proxy/checkout")).toEqual([
      { order_id: "5210499102", visitor_id: vid, ttclid: "E.C.P.click-1", ttclid_at: capturedAt, ttp: "2abcDEF_ttp.value" },
    ]);
  });

  it("reports a new click once with the embed's touchpoint contract, and each checkout once", async () => {
    const rt = createPixelRuntime({ settings, shop: SHOP, url: LANDING, consent: ALL });
    await rt.publish("page_viewed");
    await rt.publish("page_viewed");
    await rt.publish("page_viewed", {}, "https://alpha-test.myshopify.com/cart");
    await rt.publish("checkout_completed", checkout("gid://shopify/OrderIdentity/5210499102"));
    await rt.publish("checkout_completed", checkout("5210499102"));
    await rt.settle();
    const [touchpoint, ...more] = bodies(rt, "/proxy/touchpoints");
    expect(more).toEqual([]);
    expect(touchpoint).toEqual({
      v: 1,
      visitor_id: rt.cookies.get(VID_COOKIE),
      ttclid: "E.C.P.click-1",
      captured_at: expect.any(Number),
      landing_path: "/products/mug?tt_campaign_id=1234567890",
      campaign_id: "1234567890",
    });
    expect(bodies(rt, "/proxy/checkout")).toHaveLength(1);
    // Identified by the shop and its public token, no other query.
    expect(rt.requests[0].url).toBe(`https://app.example.com/proxy/touchpoints?shop=${SHOP}&t=${settings.token}`);
  });

  it("sends no checkout for a visitor it has never seen, and none for an order id that is not a number", async () => {
    const rt = createPixelRuntime({ settings, shop: SHOP, url: "https://alpha-test.myshopify.com/checkouts/cn/x/thank-you", consent: ALL });
    await rt.publish("checkout_completed", checkout("1001"));
    await rt.settle();
    expect(rt.requests).toEqual([]);
    expect(orderDigits("gid://shopify/OrderIdentity/42")).toBe("42");
    expect(orderDigits("42")).toBe("42");
    expect(orderDigits(42)).toBe("42");
    expect(orderDigits("gid://shopify/Order/abc")).toBe("");
    expect(orderDigits(null)).toBe("");
  });
});
