import { env } from "./env.server";

type Job = { name: string; everyMs: number; run: () => Promise<unknown> };

const jobs: Job[] = [];

/** Modules register their periodic work here; the app process or `npm run worker` runs it. */
export function registerJob(job: Job) {
  if (!jobs.some((j) => j.name === job.name)) jobs.push(job);
}

declare global {
  var backgroundJobsStarted: boolean | undefined;
}

export function startBackgroundJobs({ force = false } = {}) {
  if (globalThis.backgroundJobsStarted) return;
  if (!force && (!env().RUN_JOBS_IN_PROCESS || process.env.VITEST)) return;
  globalThis.backgroundJobsStarted = true;
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
    setInterval(tick, job.everyMs).unref();
    void tick();
  }
}
