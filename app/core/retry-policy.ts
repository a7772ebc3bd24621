// The app's retry policy, in one place: what each kind of failure does, how many tries it gets,
// how long it waits between them, and how far it goes before giving up. The table with the
// reasons for each number is docs/decisions/0022-retry-policy.md; change a number there and here
// together. The classes are TikTok's answer as core/tiktok/errors.ts classifies it.

export type BackoffPolicy = {
  /** Delay before the first retry (before jitter). Doubles with every further attempt. */
  baseMs: number;
  capMs: number;
  /**
   * Share of the delay left to chance: 0 waits exactly the delay; 0.5 waits between half and all
   * of it, so retries after a shared outage spread out instead of stampeding TikTok together.
   */
  jitter: number;
  /** Never sooner than this. */
  minMs?: number;
};

/** Exponential backoff with jitter, capped. `attempts` counts failures so far (1 after the first). */
export function backoffMs(attempts: number, policy: BackoffPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempts - 1), 30));
  const spread = ceiling * policy.jitter;
  return Math.max(policy.minMs ?? 0, Math.floor(ceiling - spread + random() * spread));
}

const MINUTE_MS = 60_000;

/**
 * Purchase events (the outbox, features/events/worker.server.ts).
 * - `auth`: no tries counted; the events wait as waiting_reconnect until the merchant reconnects.
 * - `rate_limited` and `retryable` (TikTok or a gateway failed): retried with the capped backoff, no
 *   count; only the horizon ends them (features/events/send-horizon.server.ts).
 * - `unknown` (a code not in TikTok's table): 10 consecutive tries, 17 to 34 minutes.
 * - `invalid`: failed at once with TikTok's message (a batch is split until the culprit stands alone).
 * - an error of ours in one shop: that shop's events are held and tried again SHOP_PROBLEM_RETRY_MS later.
 * - the database unavailable: the pass ends and hands its rows back at once (core/db-errors.ts).
 * A failed event goes again only on the merchant's Resend, with the same event_id.
 */
export const EVENT_RETRY = {
  /** 4 s, 8 s, 16 s ... up to an hour after each failure, of which between half and all is waited. */
  backoff: { baseMs: 4_000, capMs: 60 * MINUTE_MS, jitter: 0.5, minMs: 1_000 } satisfies BackoffPolicy,
  /** Consecutive failures of one class before the event is failed visibly; counted per class. */
  maxConsecutiveFailures: { unknown: 10 } as Partial<Record<"auth" | "rate_limited" | "retryable" | "invalid" | "unknown", number>>,
  shopProblemRetryMs: 2 * MINUTE_MS,
  /**
   * The horizon: an event whose order is older than this is expired, never sent. TikTok publishes
   * no limit of its own on event age; 7 days is this app's choice (docs/decisions/0016).
   */
  horizonDays: 7,
  /**
   * The horizon where the storefront loads the event's pixel, so a browser copy of the purchase
   * exists: TikTok drops a server copy that arrives within 48 h of the browser's and counts one
   * that arrives later a second time (its "Event deduplication" article). 47 h leaves an hour for
   * clocks and a batch in flight (docs/decisions/0023).
   */
  dedupWindowHours: 47,
} as const;

/**
 * Spend sync (features/spend/sync.server.ts), one run per shop.
 * - `auth`: the run waits for the reconnect, then resumes from its cursor.
 * - `rate_limited`: retried with the backoff, no count.
 * - `retryable` and `unknown`: 6 consecutive tries (5 waits, 15.5 minutes in all), then the run
 *   fails and the next hourly run starts over.
 * - `invalid`: the run fails with TikTok's message.
 */
export const SPEND_RETRY = {
  /** 30 s, 1 min, 2 min ... up to 15 min; exact, since runs are already spread by the schedule. */
  backoff: { baseMs: 30_000, capMs: 15 * MINUTE_MS, jitter: 0 } satisfies BackoffPolicy,
  maxConsecutiveFailures: 6,
} as const;

/**
 * Alert emails (features/alerts/alert-mail.server.ts): any failure of the mail server is retried
 * with the backoff, 30 s, 1 min, 2 min ... up to 30 min, for a day; then the email is failed. The
 * incident stays in the app whatever happens to its email.
 */
export const ALERT_RETRY = {
  backoff: { baseMs: 30_000, capMs: 30 * MINUTE_MS, jitter: 0.2 } satisfies BackoffPolicy,
  giveUpAfterMs: 24 * 60 * MINUTE_MS,
} as const;

/**
 * SQLite's write lock held by another process (core/db.server.ts): a short synchronous wait in
 * SQLite's busy handler, then up to 3 asynchronous retries; a few hundred ms in all, well inside
 * Shopify's 5 s webhook deadline. After that the statement fails as database-unavailable.
 */
export const SQLITE_BUSY_RETRY = {
  busyTimeoutMs: 100,
  backoff: { baseMs: 25, capMs: 200, jitter: 0.5 } satisfies BackoffPolicy,
  retries: 3,
} as const;
