// SIGTERM during a delivery pass, as a deploy or a scale-down sends it: `npm run worker` stops
// claiming, finishes the batch TikTok is answering, hands back the rows it claimed but did not
// send, and exits well inside the 10 s a platform waits before SIGKILL.
import { spawn } from "node:child_process";
import prisma from "~/core/db.server";
import { drainAll } from "~/features/events/worker.server";
import { TEST_SHOP } from "../support/constants";
import { connectShop, seedQueuedEvents, startWorkerProcessSandbox } from "../support/orders";

const { control, hooks, children } = await startWorkerProcessSandbox();

function startWorker(extraEnv: Record<string, string> = {}) {
  // The real `npm run worker` script, with tsx as a loader so the signal reaches it directly.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { env: { ...process.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

/** Starts the worker and sends it SIGTERM while TikTok handles its first track request; resolves when it exits. */
async function sigtermDuringFirstTrack(extraEnv: Record<string, string> = {}) {
  const { child, output } = startWorker(extraEnv);
  let signalledAt = 0;
  hooks.onTrack = () => {
    hooks.onTrack = null;
    signalledAt = Date.now();
    child.kill("SIGTERM");
  };
  const exit = await new Promise<{ code: number | null; at: number }>((resolve) => child.once("exit", (code) => resolve({ code, at: Date.now() })));
  return { signalledAt, exit, output };
}

it("SIGTERM mid-pass: the worker exits within 10 s, hands back what it had not sent, and nothing is lost or sent twice", { timeout: 60_000 }, async () => {
  // GIVEN 10,000 queued events for one pixel: a pass claims 5,000 and sends them in five requests
  // of 1,000, so a signal during the first request always finds batches still to send.
  const { pixelCode } = await connectShop(TEST_SHOP, control);
  const ids = await seedQueuedEvents({ shop: TEST_SHOP, pixelCode, count: 10_000 });

  // WHEN the worker gets SIGTERM while TikTok is handling its first request
  const { signalledAt, exit, output } = await sigtermDuringFirstTrack();

  // THEN it exited cleanly and soon
  expect(signalledAt, output()).toBeGreaterThan(0);
  expect(exit.code, output()).toBe(0);
  expect(exit.at - signalledAt).toBeLessThan(10_000);
  expect(output()).toContain("stopped");
  // and every row is either recorded as sent or back in the queue with no lease held
  const rows = await prisma.outboxEvent.findMany({ select: { status: true, leaseOwner: true } });
  const sent = rows.filter((r) => r.status === "sent").length;
  expect(sent % 1_000).toBe(0);
  expect(sent).toBeLessThan(5_000);
  expect(rows.filter((r) => r.status === "queued").every((r) => r.leaseOwner === null)).toBe(true);
  expect(rows.filter((r) => r.status !== "sent" && r.status !== "queued")).toEqual([]);

  // AND the next worker sends the rest at once (no waiting for a lease to run out), each event once
  await drainAll();
  const received = (await control.events()).map((e) => e.event.event_id as string);
  expect(new Set(received).size).toBe(10_000);
  expect(received.length).toBe(10_000);
  const receivedIds = new Set(received);
  expect(ids.every((id) => receivedIds.has(id))).toBe(true);
});

it("SIGTERM while TikTok hangs: the worker exits when its grace period ends and hands the batch back, without waiting out the lease", { timeout: 60_000 }, async () => {
  await prisma.outboxEvent.deleteMany();
  await control.reset();
  const { pixelCode } = await connectShop(TEST_SHOP, control);
  await seedQueuedEvents({ shop: TEST_SHOP, pixelCode, count: 50, firstOrderId: 9_100_000_000_000 });
  // TikTok holds every track request open for longer than the client's timeout and the grace period.
  await control.fault({ path: "/event/track/", kind: "timeout", duration_ms: 30_000 });
  const graceMs = 2_000;
  const { signalledAt, exit, output } = await sigtermDuringFirstTrack({ SHUTDOWN_GRACE_MS: String(graceMs), TIKTOK_TIMEOUT_MS: "20000" });
  expect(signalledAt, output()).toBeGreaterThan(0);
  expect(exit.code, output()).toBe(0);
  // It waited for the grace period (the batch was still at TikTok), not for TikTok's 20 s timeout.
  expect(exit.at - signalledAt, output()).toBeLessThan(graceMs + 5_000);
  expect(output()).toContain("handed back to the queue");
  // Every row is queued again with no lease held and no try counted: the next worker sends it at once.
  const rows = await prisma.outboxEvent.findMany({ select: { status: true, leaseOwner: true, attempts: true } });
  expect(rows).toHaveLength(50);
  expect(rows.every((r) => r.status === "queued" && r.leaseOwner === null && r.attempts === 0)).toBe(true);
  await control.reset();
  await connectShop(TEST_SHOP, control);
});
