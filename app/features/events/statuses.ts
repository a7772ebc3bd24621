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
