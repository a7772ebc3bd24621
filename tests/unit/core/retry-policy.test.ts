import { backoffMs, EVENT_RETRY, SPEND_RETRY, type BackoffPolicy } from "~/core/retry-policy";

describe("backoffMs", () => {
  const policy = { baseMs: 4_000, capMs: 60 * 60_000, jitter: 0.5, minMs: 1_000 };

  it("doubles per attempt up to the cap, waiting between half and all of the delay", () => {
    expect([1, 2, 3].map((a) => backoffMs(a, policy, () => 0))).toEqual([2_000, 4_000, 8_000]);
    expect([1, 2, 3].map((a) => backoffMs(a, policy, () => 0.999_999))).toEqual([3_999, 7_999, 15_999]);
    expect(backoffMs(40, policy, () => 0.999_999)).toBeLessThanOrEqual(60 * 60_000);
    expect(backoffMs(40, policy, () => 0)).toBe(30 * 60_000);
  });

  it("without jitter waits exactly the delay; never less than minMs", () => {
    const exact = { baseMs: 30_000, capMs: 15 * 60_000, jitter: 0 };
    expect([1, 2, 3, 6, 10].map((a) => backoffMs(a, exact, () => 0.7))).toEqual([30_000, 60_000, 120_000, 900_000, 900_000]);
    expect(backoffMs(1, { baseMs: 100, capMs: 1_000, jitter: 0.5, minMs: 1_000 }, () => 0)).toBe(1_000);
  });
});

/** How long `tries` consecutive failures take: the waits between them, all at the low or the high end. */
const spanHours = (policy: BackoffPolicy, tries: number, end: "low" | "high") => {
  let ms = 0;
  for (let attempt = 1; attempt < tries; attempt++) ms += backoffMs(attempt, policy, () => (end === "low" ? 0 : 0.999_999));
  return ms / 3_600_000;
};

describe("the horizons the policy states", () => {
  it("an outage is retried until the horizon, an hour apart at most; 10 unknown-code tries span 17 to 34 minutes", () => {
    const { backoff, maxConsecutiveFailures } = EVENT_RETRY;
    expect(maxConsecutiveFailures.retryable).toBeUndefined();
    expect(maxConsecutiveFailures.rate_limited).toBeUndefined();
    expect(backoffMs(100, backoff, () => 0.999_999)).toBeLessThan(60 * 60_000);
    // tries in the 47 hours of the deduplication window, at the slowest: still dozens
    let tries = 0;
    for (let spent = 0; spent < EVENT_RETRY.dedupWindowHours * 3_600_000; tries++) spent += backoffMs(tries + 1, backoff, () => 0.999_999);
    expect(tries).toBeGreaterThan(45);
    expect(spanHours(backoff, maxConsecutiveFailures.unknown!, "low") * 60).toBeCloseTo(17, 0);
    expect(spanHours(backoff, maxConsecutiveFailures.unknown!, "high") * 60).toBeCloseTo(34, 0);
  });

  it("a spend run's 6 tries wait 15.5 minutes in all", () => {
    expect(spanHours(SPEND_RETRY.backoff, SPEND_RETRY.maxConsecutiveFailures, "low") * 60).toBeCloseTo(15.5, 5);
  });
});
