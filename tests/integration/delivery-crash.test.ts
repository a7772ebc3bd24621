// Crash safety: the worker runs in a child process and is killed with SIGKILL at random moments
// while it sends a 3,000-event backlog in batches of 50: on the k-th /event/track/ request (k
// random), either at once, after TikTok stored the batch and before its answer leaves (the worst
// moment: TikTok has the events, the worker never learns it), or a few milliseconds later (while
// it records the outcome or claims the next batch). After the last kill an in-process worker
// finishes. Nothing may be lost; a duplicate may only be the same
// event, with the same event_id (TikTok drops it).
import { spawn, type ChildProcess } from "node:child_process";
import prisma from "~/core/db.server";
import { drainAll } from "~/features/events/worker.server";
import { TEST_SHOP } from "../support/constants";
import { connectShop, seedQueuedEvents, startWorkerProcessSandbox, timePasses } from "../support/orders";

const { control, hooks, children } = await startWorkerProcessSandbox();

function startWorkerChild(): Promise<ChildProcess> {
  // tsx as a loader in this one process: tsx's CLI would fork the script into a grandchild that a
  // SIGKILL of the CLI leaves running.
  const child = spawn(process.execPath, ["--import", "tsx", "tests/support/worker-child.ts"], {
    env: { ...process.env, WORKER_CLAIM_LIMIT: "50" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker child did not start:\n${output}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`worker child exited (${code}):\n${output}`)));
  });
}

/** SIGKILL on the n-th event request from now: at once (before TikTok's answer) or `delayMs` later. */
function killOnRequest(child: ChildProcess, n: number, delayMs: number) {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let seen = 0;
  hooks.onTrack = () => {
    if (++seen !== n) return;
    hooks.onTrack = null;
    if (delayMs === 0) child.kill("SIGKILL");
    else setTimeout(() => child.kill("SIGKILL"), delayMs);
  };
  return exited;
}

it("SIGKILL of the worker mid-batch, five times: every order reaches TikTok, none is left queued, duplicates carry the same event_id", { timeout: 120_000 }, async () => {
  // GIVEN 3,000 attributed orders queued for one pixel
  const { pixelCode } = await connectShop(TEST_SHOP, control);
  const ids = await seedQueuedEvents({ shop: TEST_SHOP, pixelCode, count: 3_000 });

  // WHEN a worker process is killed -9 five times, each time a random number of requests in
  const killedWithLeases: number[] = [];
  for (let round = 0; round < 5; round++) {
    const child = await startWorkerChild();
    await killOnRequest(child, 1 + Math.floor(Math.random() * 10), round % 2 === 0 ? 0 : Math.floor(Math.random() * 15));
    killedWithLeases.push(await prisma.outboxEvent.count({ where: { leaseOwner: { not: null } } }));
    // the dead worker's leases run out (60 s) before anyone else picks its rows up
    await timePasses(TEST_SHOP);
  }
  // and a healthy worker takes over
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await drainAll();

  // THEN every order's event reached TikTok at least once and nothing is left to do
  const received = await control.events();
  const receivedIds = new Set(received.map((e) => e.event.event_id as string));
  expect(ids.filter((id) => !receivedIds.has(id))).toEqual([]);
  expect(await prisma.outboxEvent.groupBy({ by: ["status"], _count: true })).toEqual([{ status: "sent", _count: 3_000 }]);
  expect(await prisma.orderRecord.count({ where: { sendDecision: { not: "sent" } } })).toBe(0);
  // and any event sent twice is the same event: same event_id, same content
  const stored = new Map((await prisma.outboxEvent.findMany({ select: { eventId: true, payload: true } })).map((e) => [e.eventId, JSON.parse(e.payload)]));
  for (const e of received) expect(e.event).toEqual(stored.get(e.event.event_id as string));
  // The three kills before TikTok's answer left a stored-but-unrecorded batch each: those 150
  // events were sent again, proof the kills hit the worst moment and it stayed harmless.
  expect(killedWithLeases.filter((_, round) => round % 2 === 0).every((n) => n > 0)).toBe(true);
  expect(received.length - receivedIds.size).toBeGreaterThanOrEqual(150);
});
