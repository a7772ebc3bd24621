// Every field the event builder (build-event.ts) can put in an order's event, what it holds and
// when it is left out: the one list Help's "Data sent to TikTok" panel shows. build-event.test.ts
// builds an event with every input present and requires its fields to be exactly these paths.
// A plain module (no node:crypto) so the panel can import it.

/** What the rows rest on, listed under Help's table (docs/decisions/0023, Sources). */
export const FIELD_SOURCES = {
  segment:
    "TikTok's Events API destination for Segment, maintained by TikTok: github.com/segmentio/action-destinations, packages/destination-actions/src/destinations/tiktok-conversions/reportWebEvent/, " +
    "utils.ts (the user fields, locale, limited_data_use, content_ids, num_items) and formatter.ts (names and postal code hashed without spaces, lowercased; city, state and country letters and digits, lowercased), at commit 970a17ee.",
  parameters: "TikTok's Events API 2.0 parameters page (business-api.tiktok.com/portal/docs?id=1771101151059969): content_ids with contents and content_type for catalog matching and Video Shopping Ads.",
  template: "TikTok's Events API template for Google Tag Manager: github.com/tiktok/gtm-template-eapi, template.js (content_type on each contents item), at commit 089e34ee.",
  dedup: "TikTok's \"Event deduplication\" help article (ads.tiktok.com/help/article/event-deduplication): a browser and a server event with the same pixel, event name and event_id count once.",
} as const;

interface SentField {
  /** Path in the Events API `data[]` item; `[]` marks each element of a list. */
  path: string;
  holds: string;
  /** When the field is not in the event; null when it always is. */
  leftOut: string | null;
  /** Where TikTok defines the field or sends it this way, when it is more than the Events API's own name for the data. */
  sources?: readonly (keyof typeof FIELD_SOURCES)[];
}

export const EVENT_FIELDS: readonly SentField[] = [
  { path: "event", holds: "The purchase event name you chose; your browser pixel must use the same one.", leftOut: null, sources: ["dedup"] },
  { path: "event_time", holds: "When the order was placed (Unix seconds).", leftOut: null },
  { path: "event_id", holds: "The Shopify order ID, so TikTok can count a purchase once when your browser pixel reports it with the same ID.", leftOut: null, sources: ["dedup"] },
  { path: "user.email", holds: "SHA-256 of the email address, trimmed and lowercased. The address itself is never sent or stored.", leftOut: "No email on the order." },
  { path: "user.phone", holds: "SHA-256 of the phone number in international format (+countrycode). Never sent or stored in clear.", leftOut: "No phone number that can be read as an international number." },
  { path: "user.external_id", holds: "SHA-256 of the random visitor ID the storefront embed keeps in the shopper's browser (not a fingerprint).", leftOut: "The cart has no visitor ID from the embed." },
  { path: "user.ttclid", holds: "TikTok's click ID from the ad the shopper came from.", leftOut: "The order is not attributed to a TikTok click." },
  { path: "user.ttp", holds: "TikTok's browser pixel cookie (_ttp), as the embed found it.", leftOut: "The cart has no _ttp value." },
  { path: "user.first_name", holds: "SHA-256 of the buyer's first name, lowercased with every space removed (as TikTok's own Segment destination normalises it).", leftOut: "No first name on the billing, shipping or customer address.", sources: ["segment"] },
  { path: "user.last_name", holds: "SHA-256 of the buyer's last name, normalised the same way.", leftOut: "No last name on the billing, shipping or customer address.", sources: ["segment"] },
  { path: "user.zip_code", holds: "SHA-256 of the postal code, lowercased with every space removed.", leftOut: "No postal code on the billing, shipping or customer address.", sources: ["segment"] },
  { path: "user.city", holds: "The city, as letters and digits only, lowercased; not hashed, as TikTok's own destination sends it.", leftOut: "No city on the billing, shipping or customer address.", sources: ["segment"] },
  { path: "user.state", holds: "The province or state code (else its name), as letters and digits only, lowercased; not hashed.", leftOut: "No province or state on the addresses.", sources: ["segment"] },
  { path: "user.country", holds: "The two-letter country code, lowercased; not hashed.", leftOut: "No country on the addresses.", sources: ["segment"] },
  { path: "user.locale", holds: "The buyer's storefront language (Shopify's customer_locale, such as en-US).", leftOut: "The order has no customer_locale (admin and point of sale orders).", sources: ["segment"] },
  { path: "user.ip", holds: "The buyer's IP address from the order's browser details.", leftOut: "Not an online checkout (point of sale, draft or another source), no browser IP on the order, or a private or placeholder address." },
  { path: "user.user_agent", holds: "The buyer's browser user agent from the order's browser details.", leftOut: "Not an online checkout (point of sale, draft or another source), or no browser user agent on the order." },
  { path: "properties.value", holds: "The order total after discounts, sent once at order time; later refunds are not sent.", leftOut: null },
  { path: "properties.currency", holds: "The store currency.", leftOut: null },
  { path: "properties.contents[].content_type", holds: "Always product, on each line as TikTok's own template sends it.", leftOut: null, sources: ["template"] },
  { path: "properties.contents[].content_id", holds: "Each line's variant ID, product ID or SKU, as chosen in Settings; it must be the id your TikTok catalog uses.", leftOut: "The line has no id of the chosen kind." },
  { path: "properties.contents[].content_name", holds: "Each line's product title.", leftOut: "The line has no title." },
  { path: "properties.contents[].price", holds: "Each line's unit price.", leftOut: "The line has no readable price." },
  { path: "properties.contents[].quantity", holds: "Each line's quantity.", leftOut: "The line has no readable quantity." },
  { path: "properties.content_ids[]", holds: "The same ids as the lines' content_id, as TikTok asks for catalog matching and Video Shopping Ads.", leftOut: "No line has an id of the chosen kind.", sources: ["parameters", "segment"] },
  { path: "properties.content_type", holds: "Always product.", leftOut: "The order has no lines." },
  { path: "properties.num_items", holds: "How many units were bought: the lines' quantities added up.", leftOut: "No line has a readable quantity.", sources: ["segment"] },
  { path: "limited_data_use", holds: "true, for a buyer who opted out of the sale of their data in your store's privacy banner, when Limited Data Use is on in Settings: it asks TikTok to restrict how it processes the event.", leftOut: "Every other order (Limited Data Use is off by default).", sources: ["segment"] },
  { path: "page.url", holds: "The storefront page the shopper landed on, with only utm_* parameters kept (and ttclid when it is the click the order was attributed to) and personal paths removed.", leftOut: "The order has no landing page (POS and draft orders)." },
];
