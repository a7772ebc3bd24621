// The delivery worker in a process of its own, for the kill -9 tests: it drains in small passes
// (WORKER_CLAIM_LIMIT events per claim) until it is killed. It prints "ready" once its modules
// are loaded, so the parent can time the kill against real work. Env: the parent's (the test
// database's DATABASE_URL, the sandbox's TIKTOK_API_BASE_URL, the same secrets).
import { drainOnce } from "../../app/features/events/worker.server";
import { workerId } from "../../app/features/events/outbox.server";

const limit = Number(process.env.WORKER_CLAIM_LIMIT ?? 100);

const owner = workerId();
process.stdout.write(`ready ${owner}\n`);
for (;;) {
  const out = await drainOnce({ owner, limit });
  if (out.requests + out.expired === 0) await new Promise((resolve) => setTimeout(resolve, 20));
}
