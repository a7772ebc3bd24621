// The custom pixel a merchant pastes into Shopify's Customer events so that their browser's TikTok
// purchase carries what this app's server event carries: the same event name and, as event_id, the
// Shopify order id (docs/decisions/0023, item 6). TikTok merges or drops the second copy of a
// purchase only when pixel, event name and event_id agree. A plain module: Help renders it, and a
// unit test runs it against a checkout_completed event shaped as Shopify documents it.
import type { ContentIdKind } from "./build-event";

/** Shopify's web pixel ids may be GIDs (gid://shopify/OrderIdentity/<n>); TikTok gets the digits, as the server sends. */
const LAST_SEGMENT = `String(id || "").split("/").pop()`;

const CONTENT_ID: Record<ContentIdKind, string> = {
  variant: "item.variant && item.variant.id",
  product: "item.variant && item.variant.product && item.variant.product.id",
  sku: "item.variant && item.variant.sku",
};

/** The code to paste after TikTok's pixel base code, for this connection's event name and content id kind. */
export function customPixelRecipe(eventName: string, contentId: ContentIdKind): string {
  const contentIdExpression = contentId === "sku" ? CONTENT_ID.sku : `digits(${CONTENT_ID[contentId]})`;
  return `// After TikTok's pixel base code (it ends with ttq.load("<your pixel ID>"); ttq.page();):
const digits = (id) => ${LAST_SEGMENT};
analytics.subscribe("checkout_completed", (event) => {
  const checkout = event.data.checkout;
  const orderId = digits(checkout.order && checkout.order.id);
  if (!orderId) return;
  ttq.track(
    ${JSON.stringify(eventName)},
    {
      value: Number(checkout.totalPrice.amount),
      currency: checkout.currencyCode,
      content_type: "product",
      contents: checkout.lineItems.map((item) => ({ content_id: String(${contentIdExpression} || ""), quantity: item.quantity })),
    },
    { event_id: orderId },
  );
});
`;
}
