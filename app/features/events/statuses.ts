/** What can happen to an order, as the Events page shows it (OrderRecord.sendDecision). Shared with the browser bundle. */
export const EVENT_STATUSES = ["sent", "queued", "waiting_reconnect", "failed", "expired", "not_attributed", "not_connected", "test_order"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
