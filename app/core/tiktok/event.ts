// One Events API 2.0 `data[]` item as this app sends it: the type app/features/events/build-event.ts
// builds and TikTokClient.trackEvents accepts. Only the fields we fill are declared.
// Contract: POST /open_api/v1.3/event/track/ body `data[]`, as TikTok's own Events API template
// builds it (docs/decisions/0015).

export type TikTokEventName = "CompletePayment" | "Purchase";

/** Match keys. email, phone and external_id are SHA-256 hex; the others are sent as captured. */
export interface TikTokUser {
  email?: string;
  phone?: string;
  external_id?: string;
  ttclid?: string;
  ttp?: string;
  ip?: string;
  user_agent?: string;
  /** SHA-256, normalised as TikTok's Segment destination does (docs/decisions/0023). */
  first_name?: string;
  last_name?: string;
  zip_code?: string;
  /** Plain text: letters and digits, lowercased. */
  city?: string;
  state?: string;
  country?: string;
  /** BCP 47, as the storefront had it. */
  locale?: string;
}

export interface TikTokContent {
  /** On each item, as TikTok's template and SDK model put it (docs/decisions/0015). */
  content_type: "product";
  content_id?: string;
  content_name?: string;
  price?: number;
  quantity?: number;
}

export interface TikTokProperties {
  value: number;
  currency: string;
  /** Absent only on the wizard's test event, which has no order. */
  contents?: TikTokContent[];
  /** The same ids as `contents`, for catalog matching (Video Shopping Ads); docs/decisions/0023. */
  content_ids?: string[];
  content_type?: "product";
  /** Units bought: the sum of the line items' quantities. */
  num_items?: number;
}

export interface TikTokEventItem {
  event: TikTokEventName;
  /** Unix seconds. */
  event_time: number;
  /** The Shopify order id: stable across retries and resends, and usable by the browser pixel. */
  event_id: string;
  user: TikTokUser;
  page?: { url: string };
  properties: TikTokProperties;
  /**
   * Only for a buyer who opted out of the sale of their data, with the merchant's Limited Data Use on:
   * TikTok restricts how it processes the event (event-level, as TikTok's Segment destination sends it;
   * docs/decisions/0023).
   */
  limited_data_use?: true;
}
