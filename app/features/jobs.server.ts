// Periodic work: event delivery, spend sync, touchpoint purge. Runs inside the app process by
// default (one process, SQLite); with several instances set RUN_JOBS_IN_PROCESS=0 and run
// `npm run worker` processes instead. Leases in the database keep concurrent runners apart.
import { env } from "~/core/env.server";
import { drainOnce } from "./events/worker.server";
import { workerId } from "./events/outbox.server";
import { purgeExpiredProxySignatures, purgeExpiredTouchpoints } from "~/core/attribution/touchpoints.server";
import { spendJob } from "./spend/sync.server";
import { dropExpiredDeferredEvents } from "./events/late-link.server";

export type Job = { name: string; everyMs: number; run: () => Promise<unknown> };

export function backgroundJobs(owner = workerId()): Job[] {
  return [
    { name: "deliver-events", everyMs: 1_000, run: () => drainOnce({ owner }) },
    spendJob,
    { name: "purge-touchpoints", everyMs: 60 * 60 * 1000, run: () => purgeExpiredTouchpoints() },
    { name: "drop-deferred-events", everyMs: 10 * 60 * 1000, run: () => dropExpiredDeferredEvents() },
    { name: "purge-proxy-signatures", everyMs: 5 * 60 * 1000, run: () => purgeExpiredProxySignatures() },
  ];
}

declare global {
  var backgroundJobsStarted: boolean | undefined;
}

/** Starts every job on its interval; a job never overlaps itself. Returns a stop function. */
export function runJobs(jobs: Job[]) {
  const timers: NodeJS.Timeout[] = [];
  for (const job of jobs) {
    let running = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await job.run();
      } catch (error) {
        console.error(`job ${job.name} failed:`, error instanceof Error ? error.message : error);
      } finally {
        running = false;
      }
    };
    timers.push(setInterval(tick, job.everyMs));
    void tick();
  }
  return () => timers.forEach(clearInterval);
}

export function startBackgroundJobs() {
  if (globalThis.backgroundJobsStarted || !env().RUN_JOBS_IN_PROCESS) return;
  globalThis.backgroundJobsStarted = true;
  runJobs(backgroundJobs()).valueOf();
}
