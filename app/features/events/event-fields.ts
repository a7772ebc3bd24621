// Every field the event builder (build-event.ts) can put in an order's event, what it holds and
// when it is left out: the one list Home's "Data sent to TikTok" panel shows. build-event.test.ts
// builds an event with every input present and requires its fields to be exactly these paths.
// A plain module (no node:crypto) so the panel can import it.

interface SentField {
  /** Path in the Events API `data[]` item; `[]` marks each element of a list. */
  path: string;
  holds: string;
  /** When the field is not in the event; null when it always is. */
  leftOut: string | null;
}

export const EVENT_FIELDS: readonly SentField[] = [
  { path: "event", holds: "The purchase event name you chose; your browser pixel must use the same one.", leftOut: null },
  { path: "event_time", holds: "When the order was placed (Unix seconds).", leftOut: null },
  { path: "event_id", holds: "The Shopify order ID, so TikTok can count a purchase once when your browser pixel reports it with the same ID.", leftOut: null },
  { path: "user.email", holds: "SHA-256 of the email address, trimmed and lowercased. The address itself is never sent or stored.", leftOut: "No email on the order." },
  { path: "user.phone", holds: "SHA-256 of the phone number in international format (+countrycode). Never sent or stored in clear.", leftOut: "No phone number that can be read as an international number." },
  { path: "user.external_id", holds: "SHA-256 of the random visitor ID the storefront embed keeps in the shopper's browser (not a fingerprint).", leftOut: "The cart has no visitor ID from the embed." },
  { path: "user.ttclid", holds: "TikTok's click ID from the ad the shopper came from.", leftOut: "The order is not attributed to a TikTok click." },
  { path: "user.ttp", holds: "TikTok's browser pixel cookie (_ttp), as the embed found it.", leftOut: "The cart has no _ttp value." },
  { path: "user.ip", holds: "The buyer's IP address from the order's browser details.", leftOut: "Not an online checkout (point of sale, draft or another source), no browser IP on the order, or a private or placeholder address." },
  { path: "user.user_agent", holds: "The buyer's browser user agent from the order's browser details.", leftOut: "Not an online checkout (point of sale, draft or another source), or no browser user agent on the order." },
  { path: "properties.value", holds: "The order total after discounts, sent once at order time; later refunds are not sent.", leftOut: null },
  { path: "properties.currency", holds: "The store currency.", leftOut: null },
  { path: "properties.contents[].content_type", holds: "Always product, on each line as TikTok's own template sends it.", leftOut: null },
  { path: "properties.contents[].content_id", holds: "Each line's variant ID, else its SKU, else its product ID.", leftOut: "The line has none of these." },
  { path: "properties.contents[].content_name", holds: "Each line's product title.", leftOut: "The line has no title." },
  { path: "properties.contents[].price", holds: "Each line's unit price.", leftOut: "The line has no readable price." },
  { path: "properties.contents[].quantity", holds: "Each line's quantity.", leftOut: "The line has no readable quantity." },
  { path: "page.url", holds: "The storefront page the shopper landed on, with only ttclid and utm_* parameters kept and personal paths removed.", leftOut: "The order has no landing page (POS and draft orders)." },
];
