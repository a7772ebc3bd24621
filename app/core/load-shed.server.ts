// Load shedding for webhooks whose work we do before answering (orders/create). Shopify counts a
// delivery not answered within 5 s as failed and delivers it again; an overloaded server that
// keeps accepting would answer late, and do the same order's work twice. So before reading a
// body, the door asks: is there room? When the process cannot keep up it answers 503 with
// Retry-After at once, having done nothing, and Shopify delivers the webhook again later.
//
// Measured signals, per process:
//   - in-flight: webhooks admitted and not yet answered, at most `maxInFlight`;
//   - queue age: the oldest of them has waited longer than `maxAgeMs` (the database is slow:
//     what is admitted now would wait behind it past the deadline);
//   - event-loop delay: the loop's p99 delay over the last second exceeds `maxLoopDelayMs` while
//     at least 8 webhooks are in flight (CPU saturated: every request is late, whatever the
//     database does).
// docs/decisions/0016.
import { monitorEventLoopDelay } from "node:perf_hooks";

/** The loop's delay counts only once this many webhooks are in flight: they are what it delays. */
const LOOP_DELAY_MIN_IN_FLIGHT = 8;

type ShedOptions = { maxInFlight: number; maxAgeMs: number; maxLoopDelayMs: number; now?: () => number; loopDelayMs?: () => number };

type Admission = { admitted: true; release: () => void } | { admitted: false; reason: string; retryAfterS: number };

/** @public used by tests/unit/core/load-shed.test.ts */
export function createLoadShedder(opts: ShedOptions) {
  const now = opts.now ?? (() => performance.now());
  const inFlight = new Map<number, number>();
  let next = 0;
  let shed = 0;
  return {
    admit(): Admission {
      const at = now();
      let oldest = at;
      for (const t of inFlight.values()) if (t < oldest) oldest = t;
      const loopDelay = opts.loopDelayMs?.() ?? 0;
      let reason: string | null = null;
      if (inFlight.size >= opts.maxInFlight) reason = `${inFlight.size} webhooks in flight (limit ${opts.maxInFlight})`;
      else if (at - oldest > opts.maxAgeMs) reason = `oldest webhook in flight for ${Math.round(at - oldest)} ms (limit ${opts.maxAgeMs})`;
      // A late loop alone (a GC pause, a burst of other work) is no reason while few webhooks wait.
      else if (loopDelay > opts.maxLoopDelayMs && inFlight.size >= LOOP_DELAY_MIN_IN_FLIGHT) reason = `event loop delay p99 ${Math.round(loopDelay)} ms (limit ${opts.maxLoopDelayMs})`;
      if (reason) {
        shed++;
        return { admitted: false, reason, retryAfterS: 10 };
      }
      const id = next++;
      inFlight.set(id, at);
      return { admitted: true, release: () => void inFlight.delete(id) };
    },
    stats: () => ({ inFlight: inFlight.size, shed }),
  };
}

let histogram: ReturnType<typeof monitorEventLoopDelay> | null = null;
let lastP99 = 0;

/** The event loop's p99 delay over the last completed second, in ms. */
function loopDelayMs(): number {
  if (!histogram) {
    histogram = monitorEventLoopDelay({ resolution: 20 });
    histogram.enable();
    setInterval(() => {
      lastP99 = histogram!.percentile(99) / 1e6;
      histogram!.reset();
    }, 1_000).unref();
  }
  return lastP99;
}

// 64 in flight with a pool of 10 database connections is a queue about 6 deep; 2.5 s of queue
// leaves half of Shopify's 5 s for the work itself and the network; a loop 1 s late cannot answer
// anything on time.
export const webhookShedder = createLoadShedder({ maxInFlight: 64, maxAgeMs: 2_500, maxLoopDelayMs: 1_000, loopDelayMs });
