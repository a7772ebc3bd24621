// Periodic work: event delivery, spend sync, touchpoint purge, retention. Runs inside the app process by
// default (one process, SQLite); with several instances set RUN_JOBS_IN_PROCESS=0 and run
// `npm run worker` processes instead. Leases in the database keep concurrent runners apart.
import { env } from "~/core/env.server";
import { drainOnce, handBackRunningPasses, stopDelivering } from "./events/worker.server";
import { workerId } from "./events/outbox.server";
import { onEventQueued } from "./events/wake.server";
import { expireUnpaidEvents } from "./events/payment.server";
import { purgeExpiredProxySignatures, purgeExpiredTouchpoints } from "~/core/attribution/touchpoints.server";
import { spendClaimJob, spendJob } from "./spend/sync.server";
import { purgeExpiredPersonalData } from "./privacy/retention.server";
import { dropExpiredDeferredEvents } from "./events/late-link.server";
import { detectCoverageDrops, detectIncidents } from "./alerts/detect.server";
import { onAlertQueued, sendDueAlerts } from "./alerts/alert-mail.server";
import { computeSignalScores } from "./alerts/signal-score.server";

export type Job = {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
  /** Subscribes `nudge` to whatever should run the job before its next tick; returns the unsubscribe. */
  wake?: (nudge: () => void) => () => void;
};

/**
 * How long a nudge waits before the job runs: orders arriving together go in one pass (one TikTok
 * request per pixel), and at most a few passes a second compete with the webhooks for the database.
 */
const WAKE_DELAY_MS = 100;

export function backgroundJobs(owner = workerId()): Job[] {
  return [
    // Woken when ingest queues an event in this process: an order reaches TikTok within a pass
    // instead of waiting for the tick. The tick still drains whatever other processes queued.
    { name: "deliver-events", everyMs: 1_000, run: () => drainOnce({ owner }), wake: onEventQueued },
    // The minute's tick schedules refreshes; the claim-only job starts whatever is due (a Sync Now
    // or a new connection's backfill first, then refreshes at their second) within 10 s on any
    // instance (docs/decisions/0008).
    spendJob,
    spendClaimJob,
    { name: "purge-touchpoints", everyMs: 60 * 60 * 1000, run: () => purgeExpiredTouchpoints() },
    { name: "drop-deferred-events", everyMs: 10 * 60 * 1000, run: () => dropExpiredDeferredEvents() },
    { name: "purge-proxy-signatures", everyMs: 5 * 60 * 1000, run: () => purgeExpiredProxySignatures() },
    { name: "purge-personal-data", everyMs: 60 * 60 * 1000, run: () => purgeExpiredPersonalData() },
    { name: "expire-unpaid", everyMs: 5 * 60 * 1000, run: () => expireUnpaidEvents() },
    // Incidents the jobs above recorded as state; delivery opens its own at once (docs/decisions/0025).
    { name: "detect-incidents", everyMs: 30_000, run: () => detectIncidents() },
    { name: "detect-coverage-drops", everyMs: 60 * 60 * 1000, run: () => detectCoverageDrops() },
    // Today's and yesterday's signal-health score, from the events sent (docs/decisions/0025).
    { name: "signal-score", everyMs: 15 * 60 * 1000, run: () => computeSignalScores() },
    // Woken when an incident queues an email; the tick retries failed sends when due.
    { name: "send-alerts", everyMs: 10_000, run: () => sendDueAlerts({ owner }), wake: onAlertQueued },
  ];
}

declare global {
  var backgroundJobsStarted: boolean | undefined;
  var stopBackgroundJobsHook: ((opts: { graceMs: number }) => Promise<void>) | undefined;
}

/**
 * Starts every job on its interval; a job never overlaps itself. The returned stop function
 * claims nothing new and resolves once the ticks that were running have finished (a delivery
 * pass records or hands back every row it claimed), or after `graceMs`, whichever comes first:
 * then a pass still waiting for TikTok hands its rows back (handBackRunningPasses).
 */
export function runJobs(jobs: Job[]) {
  const timers: NodeJS.Timeout[] = [];
  const unsubscribe: (() => void)[] = [];
  const running = new Set<Promise<void>>();
  let stopped = false;
  for (const job of jobs) {
    let busy = false;
    // A nudge while a pass runs: run again right after it, since the pass may have claimed
    // before the new row was committed.
    let again = false;
    let wakeTimer: NodeJS.Timeout | undefined;
    const tick = () => {
      if (busy || stopped) return;
      busy = true;
      const done = job
        .run()
        .then(() => undefined)
        .catch((error) => console.error(`job ${job.name} failed:`, error instanceof Error ? error.message : error))
        .finally(() => {
          busy = false;
          running.delete(done);
          if (again) {
            again = false;
            nudge();
          }
        });
      running.add(done);
    };
    const nudge = () => {
      if (stopped || wakeTimer) return;
      if (busy) {
        again = true;
        return;
      }
      wakeTimer = setTimeout(() => {
        wakeTimer = undefined;
        tick();
      }, WAKE_DELAY_MS);
    };
    timers.push(setInterval(tick, job.everyMs));
    if (job.wake) {
      unsubscribe.push(job.wake(nudge));
      unsubscribe.push(() => clearTimeout(wakeTimer));
    }
    tick();
  }
  return async ({ graceMs }: { graceMs: number } = { graceMs: 8_000 }) => {
    stopped = true;
    timers.forEach(clearInterval);
    unsubscribe.forEach((fn) => fn());
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const finished = await Promise.race([Promise.allSettled([...running]).then(() => true), grace]);
    clearTimeout(timer);
    if (!finished) {
      const handedBack = await handBackRunningPasses().catch(() => 0);
      if (handedBack) console.log(`jobs: grace period over; ${handedBack} event(s) still waiting for TikTok handed back to the queue`);
    }
  };
}

export function startBackgroundJobs() {
  if (globalThis.backgroundJobsStarted || !env().RUN_JOBS_IN_PROCESS) return;
  globalThis.backgroundJobsStarted = true;
  globalThis.stopBackgroundJobsHook = runJobs(backgroundJobs());
}

/** For the server's SIGTERM handler (scripts/serve.mjs): stop claiming, let running work finish. */
export async function stopBackgroundJobs(opts: { graceMs: number }) {
  stopDelivering();
  await globalThis.stopBackgroundJobsHook?.(opts);
}
