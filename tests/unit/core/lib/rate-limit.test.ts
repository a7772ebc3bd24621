import { createQuotaLimiter, createRateLimiter } from "~/core/lib/rate-limit.server";

// A controllable clock; the limiter's own waits run on fake timers.
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  // Nothing may be left scheduled once every waiter has been served.
  expect(vi.getTimerCount()).toBe(0);
  vi.useRealTimers();
});

/** Starts `n` acquires and records the (fake) time each was granted. */
function grantTimes(limiter: ReturnType<typeof createQuotaLimiter>, keys: (string | undefined)[]) {
  const times: number[] = new Array(keys.length);
  const all = Promise.all(keys.map((key, i) => limiter.acquire(key).then(() => (times[i] = Date.now()))));
  return { times, all };
}

test("GIVEN 3 QPS WHEN 7 requests arrive at once THEN 3 go now, 3 after a second, 1 after two", async () => {
  const limiter = createQuotaLimiter({ qps: 3, qpm: 600, perKey: false });
  const { times, all } = grantTimes(limiter, Array(7).fill(undefined));
  await vi.runAllTimersAsync();
  await all;
  expect(times).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  expect(limiter.pending).toBe(0);
});

test("never more than qps grants in any one-second window, and never more than qpm in any minute", async () => {
  const limiter = createQuotaLimiter({ qps: 10, qpm: 25, perKey: false });
  const { times, all } = grantTimes(limiter, Array(60).fill(undefined));
  await vi.runAllTimersAsync();
  await all;
  for (const t of times) {
    expect(times.filter((x) => x >= t && x < t + 1000).length).toBeLessThanOrEqual(10);
    expect(times.filter((x) => x >= t && x < t + 60_000).length).toBeLessThanOrEqual(25);
  }
  // 25 in the first minute, the next 25 a minute later, and so on.
  expect(times[24]).toBeLessThan(60_000);
  expect(times[25]).toBeGreaterThanOrEqual(60_000);
});

test("one advertiser gets only its share, and others are not held up behind it", async () => {
  const limiter = createQuotaLimiter({ qps: 4, qpm: 600, perKey: { qps: 2 } });
  const { times, all } = grantTimes(limiter, ["big", "big", "big", "big", "small"]);
  await vi.runAllTimersAsync();
  await all;
  // "big" is capped at 2/s; "small" arrives last but goes at once.
  expect(times).toEqual([0, 0, 1000, 1000, 0]);
});

test("the default per-advertiser share is half the app limit", async () => {
  const limiter = createQuotaLimiter({ qps: 10, qpm: 600 });
  const { times, all } = grantTimes(limiter, Array(6).fill("adv"));
  await vi.runAllTimersAsync();
  await all;
  expect(times).toEqual([0, 0, 0, 0, 0, 1000]);
});

test("a free slot is granted synchronously without scheduling a timer", async () => {
  const limiter = createQuotaLimiter({ qps: 1, qpm: 1 });
  await limiter.acquire("a");
  expect(vi.getTimerCount()).toBe(0);
  const next = limiter.acquire("a");
  expect(limiter.pending).toBe(1);
  expect(vi.getTimerCount()).toBe(1);
  await vi.advanceTimersByTimeAsync(60_000);
  await next;
});

test("invalid limits are refused", () => {
  expect(() => createQuotaLimiter({ qps: 0, qpm: 10 })).toThrow(RangeError);
  expect(() => createQuotaLimiter({ qps: 1.5, qpm: 10 })).toThrow(RangeError);
});

describe("inbound limiter", () => {
  test("GIVEN 3 per minute WHEN a key sends 5 THEN 3 pass, and the next passes once the oldest is a minute old", () => {
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000 });
    expect([0, 10, 20, 30, 40].map((t) => limiter.hit("203.0.113.7", t))).toEqual([true, true, true, false, false]);
    expect(limiter.hit("198.51.100.1", 40)).toBe(true); // another key has its own window
    expect(limiter.hit("203.0.113.7", 59_999)).toBe(false);
    expect(limiter.hit("203.0.113.7", 60_000)).toBe(true);
    expect(limiter.hit("203.0.113.7", 60_001)).toBe(false);
  });

  test("never more than the limit in any window, even across the edge of a fixed one", () => {
    const limiter = createRateLimiter({ limit: 3, windowMs: 1_000 });
    const granted = [900, 950, 999, 1_000, 1_050, 1_900, 1_950, 2_000].filter((t) => limiter.hit("k", t));
    for (const t of granted) expect(granted.filter((x) => x >= t && x < t + 1_000).length).toBeLessThanOrEqual(3);
    expect(granted).toEqual([900, 950, 999, 1_900, 1_950, 2_000]);
  });
});
