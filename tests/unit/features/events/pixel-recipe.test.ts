// The Help page's custom pixel, run as Shopify runs a custom pixel (its code with `analytics` in
// scope) against a checkout_completed event shaped as shopify.dev documents it, with a stand-in
// for TikTok's ttq: it must report the purchase with the event name and event_id the server sends.
import { customPixelRecipe } from "~/features/events/pixel-recipe";
import { buildTikTokEvent } from "~/features/events/build-event";
import { parseOrderWebhook } from "~/features/events/order-payload";
import { orderFixture } from "../../../fixtures/orders";

type Track = [event: string, properties: Record<string, unknown>, options: Record<string, unknown>];

function runRecipe(code: string, checkout: unknown) {
  const handlers = new Map<string, (event: unknown) => void>();
  const analytics = { subscribe: (name: string, handler: (event: unknown) => void) => handlers.set(name, handler) };
  const calls: Track[] = [];
  const ttq = { track: (...args: Track) => calls.push(args) };
  new Function("analytics", "ttq", code)(analytics, ttq);
  handlers.get("checkout_completed")?.({ name: "checkout_completed", data: { checkout } });
  return calls;
}

const checkout = (orderId: unknown) => ({
  order: { id: orderId },
  currencyCode: "EUR",
  totalPrice: { amount: 59.9, currencyCode: "EUR" },
  lineItems: [
    { quantity: 2, variant: { id: "gid://shopify/ProductVariant/44012345678901", sku: "TOTE-GRN", product: { id: "gid://shopify/Product/8012345678901" } } },
    { quantity: 1, variant: { id: "44012345678902", sku: null, product: { id: "8012345678902" } } },
  ],
});

describe("the custom pixel recipe on Help", () => {
  it("sends the app's event name with the Shopify order id as event_id, from a GID or a bare number", () => {
    for (const id of ["gid://shopify/OrderIdentity/5324830114101", "5324830114101"]) {
      const [call, ...more] = runRecipe(customPixelRecipe("Purchase", "variant"), checkout(id));
      expect(more).toEqual([]);
      expect(call[0]).toBe("Purchase");
      expect(call[2]).toEqual({ event_id: "5324830114101" });
      expect(call[1]).toMatchObject({ value: 59.9, currency: "EUR", content_type: "product" });
      expect(call[1].contents).toEqual([
        { content_id: "44012345678901", quantity: 2 },
        { content_id: "44012345678902", quantity: 1 },
      ]);
    }
  });

  it("its event_id is the one the server sends for the same order (the web-attributed fixture)", () => {
    const parsed = parseOrderWebhook(orderFixture("web-attributed"));
    if (!parsed.ok) throw new Error(parsed.reason);
    const server = buildTikTokEvent({ order: parsed.order, eventName: "Purchase", shopDomain: "tiktok-bridge-demo.myshopify.com" }).event;
    const [browser] = runRecipe(customPixelRecipe("Purchase", "variant"), checkout(`gid://shopify/OrderIdentity/${parsed.order.orderId}`));
    expect(browser[2].event_id).toBe(server.event_id);
    expect(browser[0]).toBe(server.event);
  });

  it("follows the content id kind of Settings, and a legacy event name", () => {
    const [product] = runRecipe(customPixelRecipe("CompletePayment", "product"), checkout("1"));
    expect(product[0]).toBe("CompletePayment");
    expect((product[1].contents as { content_id: string }[]).map((c) => c.content_id)).toEqual(["8012345678901", "8012345678902"]);
    const [sku] = runRecipe(customPixelRecipe("Purchase", "sku"), checkout("1"));
    expect((sku[1].contents as { content_id: string }[]).map((c) => c.content_id)).toEqual(["TOTE-GRN", ""]);
  });

  it("reports nothing for a checkout without an order id", () => {
    expect(runRecipe(customPixelRecipe("Purchase", "variant"), checkout(null))).toEqual([]);
  });
});
