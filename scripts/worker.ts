// `npm run worker`: event delivery, spend sync and purges outside the web process, for
// deployments with several app instances (set RUN_JOBS_IN_PROCESS=0 on the web processes).
import { backgroundJobs, runJobs, type Job } from "../app/features/jobs.server";
import { stopDelivering } from "../app/features/events/worker.server";
import { workerId } from "../app/features/events/outbox.server";
import { env } from "../app/core/env.server";

const owner = workerId();

type Delivery = { sent: number; retried: number; failed: number; waiting: number; expired: number; cancelled: number; held: number; requests: number };
type SpendTick = { scheduled: string[]; runs: { runId: string; shop: string; kind: string; status: string; requests: number }[] };

/** One line per tick that did something, so an operator (and the scale test) can see who did what. */
function describe(name: string, result: unknown): string | null {
  if (name === "deliver-events") {
    const d = result as Delivery;
    if (!d || d.sent + d.retried + d.failed + d.waiting + d.expired + d.cancelled + d.held === 0) return null;
    return `sent=${d.sent} retried=${d.retried} failed=${d.failed} waiting=${d.waiting} expired=${d.expired} cancelled=${d.cancelled} held=${d.held} requests=${d.requests}`;
  }
  if (name === "spend-claim") {
    // Only when it executed something (every 10 s otherwise): test-scale counts who ran each run.
    const s = result as { runs: SpendTick["runs"] };
    if (!s || s.runs.length === 0) return null;
    return `runs=${s.runs.length} [${s.runs.map((r) => `${r.runId}:${r.shop}:${r.kind}:${r.status}:${r.requests}`).join(",")}]`;
  }
  if (name === "spend-sync") {
    const s = result as SpendTick;
    if (!s) return null;
    // Every tick, even an idle one (once a minute): shows that this worker's scheduler ran.
    const runs = s.runs.map((r) => `${r.runId}:${r.shop}:${r.kind}:${r.status}:${r.requests}`).join(",");
    return `scheduled=${s.scheduled.length} runs=${s.runs.length}${runs ? ` [${runs}]` : ""}`;
  }
  return null;
}

const jobs: Job[] = backgroundJobs(owner).map((job) => ({
  ...job,
  run: async () => {
    const result = await job.run();
    const line = describe(job.name, result);
    if (line) console.log(`worker ${owner} ${job.name}: ${line}`);
    return result;
  },
}));

const stop = runJobs(jobs);
console.log(`worker ${owner}: delivering events and syncing spend`);
const GRACE_MS = env().SHUTDOWN_GRACE_MS;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    // Claim nothing new; a running pass records or hands back what it claimed. Whatever is still
    // held after the grace period comes back when its lease runs out: nothing is lost either way.
    console.log(`worker ${owner}: ${signal}, stopping (at most ${GRACE_MS} ms)`);
    stopDelivering();
    await stop({ graceMs: GRACE_MS });
    console.log(`worker ${owner}: stopped`);
    process.exit(0);
  });
}
