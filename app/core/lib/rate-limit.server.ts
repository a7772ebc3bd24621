// Rate limits for both directions, on one algorithm: a sliding-window log per key.
//   - createRateLimiter: inbound floods (the app proxy). Answers at once whether a request fits.
//   - createQuotaLimiter: outbound quota (TikTok's Business API, Basic tier 10 QPS / 600 QPM).
//     Queues a request until it fits, and gives each advertiser only a share of the app's quota,
//     so one shop's backfill cannot starve the others.
//
// Sliding-window log rather than a fixed window or a refilling token bucket: both of those admit
// up to twice the limit across the edge of one of TikTok's fixed windows, and TikTok answers that
// with a rate-limit error. Counting grants in the trailing window never exceeds the limit in any
// window. In-process only: several app instances share one TikTok quota, so each must be
// configured with its share (docs/decisions/0006), and each counts proxy requests on its own.
import { createHash } from "node:crypto";

/** Grant times within the trailing `windowMs`, oldest first. */
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

function positiveInt(name: string, value: number) {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`rate limiter ${name} must be a positive integer, got ${value}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Inbound, per day: how much of a daily allowance each key has used, for shares of a daily cap.

/**
 * Counts per key and UTC day: a count per key, no timestamps, so a day of a busy shop's senders
 * costs tens of bytes each; the table starts over with each UTC day, or past `maxKeys` keys.
 * Keys are hashed, as in createRateLimiter.
 */
export function createDailyShare(opts: { maxKeys?: number } = {}) {
  let day = "";
  const used = new Map<string, number>();
  const keyOf = (key: string) => createHash("sha256").update(key).digest("base64url").slice(0, 22);
  const today = (now: Date) => {
    const d = now.toISOString().slice(0, 10);
    if (d !== day) {
      day = d;
      used.clear();
    }
  };
  return {
    /** True while the key has used less than `share` today. */
    fits(key: string, share: number, now = new Date()) {
      today(now);
      return (used.get(keyOf(key)) ?? 0) < share;
    },
    /** Counts one use against the key's share of today. */
    use(key: string, now = new Date()) {
      today(now);
      const k = keyOf(key);
      if (!used.has(k) && used.size >= (opts.maxKeys ?? 100_000)) used.clear();
      used.set(k, (used.get(k) ?? 0) + 1);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Inbound: at most `limit` requests per key in any `windowMs`.

/**
 * Refused requests are not counted, so a client that keeps trying gets in again as soon as its
 * oldest request leaves the window. Keys are hashed so no IP address is kept in clear, even in
 * memory; past `maxKeys` keys the table starts over rather than grow.
 */
export function createRateLimiter(opts: { limit: number; windowMs: number; maxKeys?: number }) {
  const limit = positiveInt("limit", opts.limit);
  const windows = new Map<string, SlidingWindow>();
  return {
    /** True when the request fits (and is counted); false when it is over the limit. */
    hit(key: string, now = Date.now()): boolean {
      const k = createHash("sha256").update(key).digest("base64url").slice(0, 22);
      let window = windows.get(k);
      if (!window) {
        if (windows.size >= (opts.maxKeys ?? 50_000)) windows.clear();
        windows.set(k, (window = new SlidingWindow(limit, opts.windowMs)));
      }
      if (window.waitMs(now) > 0) return false;
      window.record(now);
      return true;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Outbound: per second and per minute, for the app and for each key (advertiser).

type QuotaLimit = { qps: number; qpm: number };

type QuotaLimiterOptions = QuotaLimit & {
  /** Limit per key (advertiser). Default: half the app limit. `false`: no per-key limit. */
  perKey?: Partial<QuotaLimit> | false;
  /**
   * Added to each window (default 0). The server counts arrivals, not our grants: a request that
   * took longer on the wire than the next one would otherwise land in the same second as it.
   */
  guardMs?: number;
  /** Clock, for tests. */
  now?: () => number;
};

export interface QuotaLimiter {
  /** Resolves when one more request for the app (and for `key`, when given) fits the limits. */
  acquire(key?: string): Promise<void>;
  /** Waiters not yet granted. */
  readonly pending: number;
}

const windowsFor = (limit: QuotaLimit, guardMs: number) => [new SlidingWindow(limit.qps, 1_000 + guardMs), new SlidingWindow(limit.qpm, 60_000 + guardMs)];

type Waiter = { key: string | undefined; resolve: () => void };

export function createQuotaLimiter(options: QuotaLimiterOptions): QuotaLimiter {
  const now = options.now ?? Date.now;
  const guardMs = options.guardMs ?? 0;
  const app = windowsFor({ qps: positiveInt("qps", options.qps), qpm: positiveInt("qpm", options.qpm) }, guardMs);
  const perKey: QuotaLimit | null =
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
    if (!own) keys.set(key, (own = windowsFor(perKey, guardMs)));
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
