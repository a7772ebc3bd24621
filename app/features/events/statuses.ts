/** Where an order's event stands in the outbox (OutboxEvent.status). */
export const OUTBOX_STATUSES = ["queued", "waiting_reconnect", "awaiting_payment", "sent", "failed", "expired", "cancelled"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** Orders that never get an event: decided once, when the order arrives. */
type UnsentDecision = "not_attributed" | "not_connected" | "test_order" | "left_out" | "no_consent";

/** What can happen to an order, as the Events page shows it (OrderRecord.sendDecision). Shared with the browser bundle. */
export const EVENT_STATUSES = [
  "sent", "queued", "waiting_reconnect", "awaiting_payment", "failed", "expired", "cancelled", "not_attributed", "not_connected", "test_order", "left_out", "no_consent",
] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

// The page's list must be exactly the outbox statuses plus the unsent decisions.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const complete: Same<EventStatus, OutboxStatus | UnsentDecision> = true;
void complete;

/** What each status is called wherever a merchant reads it: the Events list, the order page and the CSV export. */
export const STATUS_TEXT: Record<EventStatus, string> = {
  sent: "Sent",
  queued: "Queued",
  waiting_reconnect: "Waiting for reconnect",
  awaiting_payment: "Waiting for payment",
  cancelled: "Not sent: cancelled",
  failed: "Failed",
  expired: "Expired",
  not_attributed: "Not attributed",
  not_connected: "Not sent: not connected",
  test_order: "Test order",
  left_out: "Left out: order source",
  // Both a buyer who declined marketing and one who opted out of the sale of their data (Limited Data Use off).
  no_consent: "Not sent: shopper declined or opted out",
};
