// How long personal data stays (docs/decisions/0017). Shared with the admin UI, which states it.

/** Events are sent up to 7 days after the order (EVENT_RETRY.horizonDays, our choice); a day more covers a delivery run in progress. */
export const EVENT_PAYLOAD_DAYS = 8;
/** Order records keep the email and phone hashes this long: the longest attribution window. */
export const ORDER_HASH_DAYS = 90;

/** The sentence the Data-sent panel shows about retention. */
export const RETENTION_SENTENCE =
  `After ${EVENT_PAYLOAD_DAYS} days, a day past the last day this app would still send an event, the app keeps only its name, time, order id and value: ` +
  `the hashes, IP address and user agent are deleted. Order records keep the email and phone hashes for ${ORDER_HASH_DAYS} days.`;

/** The signal-health score's daily history (features/alerts/signal-score.server.ts): counts and shares only. */
export const SIGNAL_SCORE_DAYS = 90;
