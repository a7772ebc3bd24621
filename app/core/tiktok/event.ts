// One Events API 2.0 `data[]` item as this app sends it: the type app/features/events/build-event.ts
// builds and TikTokClient.trackEvents accepts. Only the fields we fill are declared.
// Contract: POST /open_api/v1.3/event/track/ body `data[]` (/work/shared/ref/tiktok-api.md).

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
}

export interface TikTokContent {
  content_id?: string;
  content_name?: string;
  price?: number;
  quantity?: number;
}

export interface TikTokProperties {
  value: number;
  currency: string;
  content_type: "product";
  /** Absent only on the wizard's test event, which has no order. */
  order_id?: string;
  contents?: TikTokContent[];
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
}
