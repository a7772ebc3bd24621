// `npm run worker`: event delivery, spend sync and purges outside the web process, for
// deployments with several app instances (set RUN_JOBS_IN_PROCESS=0 on the web processes).
import { backgroundJobs, runJobs } from "../app/jobs.server";
import { workerId } from "../app/events/outbox.server";

const owner = workerId();
const stop = runJobs(backgroundJobs(owner));
console.log(`worker ${owner}: delivering events and syncing spend`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stop();
    // In-flight work holds leases that expire by themselves; nothing is lost by stopping now.
    process.exit(0);
  });
}
