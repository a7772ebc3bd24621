// What becomes of events held while TikTok needs reconnecting, as a merchant reads it: the two
// horizons of send-horizon.server.ts (docs/decisions/0023 §1). Shared with the browser bundle, for
// pages that do not know which horizon applies to the store, so they state both.
import { EVENT_RETRY } from "~/core/retry-policy";

/** Completes "… sent when you reconnect, ": both rules. */
export const HELD_EVENTS_EXCEPT =
  `except those of orders more than ${EVENT_RETRY.dedupWindowHours} hours old by then where the app knows a browser pixel reports purchases to the TikTok pixel ` +
  `(TikTok would count them twice), and more than ${EVENT_RETRY.horizonDays} days old otherwise, which expire`;

/** The same clause where the store's held events all have one horizon (Home knows which, stats.server.ts). */
export const HELD_EVENTS_EXCEPT_DAYS = `except those of orders more than ${EVENT_RETRY.horizonDays} days old by then, which expire`;
export const HELD_EVENTS_EXCEPT_DEDUP =
  `except those of orders more than ${EVENT_RETRY.dedupWindowHours} hours old by then, which expire: ` +
  `the app knows a browser pixel reports purchases to the TikTok pixel, so TikTok would count them twice`;
