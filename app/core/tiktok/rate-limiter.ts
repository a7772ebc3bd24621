// Keeps this process inside TikTok's per-app quota (Basic tier: 10 QPS / 600 QPM) and gives
// each advertiser only a share of it, so one shop's backfill cannot starve the others.
//
// Sliding-window log rather than a refilling token bucket: a bucket that allows a burst of
// `limit` admits up to twice the limit inside one of TikTok's fixed windows, and TikTok
// answers that with 40100. Counting grants in the trailing window never exceeds the limit in
// any window. In-process only: several app instances share one TikTok quota, so each must be
// configured with its share (docs/decisions/0006).

export type RateLimit = { qps: number; qpm: number };

export type RateLimiterOptions = RateLimit & {
  /** Limit per key (advertiser). Default: half the app limit. `false`: no per-key limit. */
  perKey?: Partial<RateLimit> | false;
  /** Clock, for tests. */
  now?: () => number;
};

export interface RateLimiter {
  /** Resolves when one more request for the app (and for `key`, when given) fits the limits. */
  acquire(key?: string): Promise<void>;
  /** Waiters not yet granted. */
  readonly pending: number;
}

class SlidingWindow {
  private stamps: number[] = [];
  private head = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private prune(now: number) {
    while (this.head < this.stamps.length && this.stamps[this.head] <= now - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.stamps.length) {
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }

  /** Milliseconds until one more grant fits; 0 when it fits now. */
  waitMs(now: number): number {
    this.prune(now);
    const inWindow = this.stamps.length - this.head;
    if (inWindow < this.limit) return 0;
    return this.stamps[this.head + inWindow - this.limit] + this.windowMs - now;
  }

  record(now: number) {
    this.stamps.push(now);
  }

  idle(now: number) {
    this.prune(now);
    return this.stamps.length === this.head;
  }
}

const windowsFor = (limit: RateLimit) => [new SlidingWindow(limit.qps, 1_000), new SlidingWindow(limit.qpm, 60_000)];

type Waiter = { key: string | undefined; resolve: () => void };

function positiveInt(name: string, value: number) {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`rate limiter ${name} must be a positive integer, got ${value}`);
  return value;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const app = windowsFor({ qps: positiveInt("qps", options.qps), qpm: positiveInt("qpm", options.qpm) });
  const perKey: RateLimit | null =
    options.perKey === false
      ? null
      : {
          qps: positiveInt("perKey.qps", options.perKey?.qps ?? Math.ceil(options.qps / 2)),
          qpm: positiveInt("perKey.qpm", options.perKey?.qpm ?? Math.ceil(options.qpm / 2)),
        };
  const keys = new Map<string, SlidingWindow[]>();
  const queue: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let grants = 0;

  const windowsOf = (key: string | undefined) => {
    if (key === undefined || !perKey) return app;
    let own = keys.get(key);
    if (!own) keys.set(key, (own = windowsFor(perKey)));
    return [...app, ...own];
  };

  const waitMs = (key: string | undefined, at: number) => Math.max(0, ...windowsOf(key).map((w) => w.waitMs(at)));

  const grant = (key: string | undefined, at: number) => {
    for (const w of windowsOf(key)) w.record(at);
    // Forget advertisers that have been quiet for a minute so the map stays small.
    if (++grants % 256 === 0) for (const [k, ws] of keys) if (ws.every((w) => w.idle(at))) keys.delete(k);
  };

  const drain = () => {
    timer = null;
    const at = now();
    let soonest = Infinity;
    // First come, first served among waiters that fit; a waiter held back only by its own
    // advertiser's share does not block other advertisers behind it.
    for (let i = 0; i < queue.length; ) {
      const waiter = queue[i];
      const wait = waitMs(waiter.key, at);
      if (wait === 0) {
        grant(waiter.key, at);
        queue.splice(i, 1);
        waiter.resolve();
      } else {
        soonest = Math.min(soonest, wait);
        i++;
      }
    }
    if (queue.length > 0) timer = setTimeout(drain, soonest);
  };

  return {
    acquire(key) {
      if (queue.length === 0) {
        const at = now();
        if (waitMs(key, at) === 0) {
          grant(key, at);
          return Promise.resolve();
        }
      }
      return new Promise<void>((resolve) => {
        queue.push({ key, resolve });
        // Re-run the queue now rather than at the next timer: earlier waiters get first pick,
        // and a newcomer for an advertiser with room need not wait for someone else's slot.
        if (timer !== null) clearTimeout(timer);
        drain();
      });
    },
    get pending() {
      return queue.length;
    },
  };
}
