// Two live workers and a slow TikTok: a pass longer than its lease must not let the second worker
// send rows the first still holds. The pass renews its lease before every request. Leases are
// short here (4 s) so that a slow TikTok (each request answered after 1.5 s) outlasts one over a
// pass's three requests, while each request with its bookkeeping still fits the lease with room
// for a busy machine (at 1.5 s / 0.8 s, a loaded CI host once let the lease lapse mid-pass).
// A small proxy in front of the sandbox adds the delay.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TEST_SHOP } from "../support/constants";
import { connectShop, seedQueuedEvents, startOrdersSandbox } from "../support/orders";

const DELAY_MS = 1_500;
const LEASE_MS = 4_000;

const { sandbox, control } = await startOrdersSandbox();
const proxy: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    if (req.url?.includes("/event/track/")) await new Promise((r) => setTimeout(r, DELAY_MS));
    const upstream = await fetch(`${sandbox.url}${req.url}`, {
      method: req.method,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length", "connection"].includes(k)) as [string, string][]),
      body: req.method === "GET" ? undefined : Buffer.concat(chunks),
    });
    res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
});
await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
process.env.TIKTOK_API_BASE_URL = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

const { default: prisma } = await import("~/core/db.server");
const { drainOnce } = await import("~/features/events/worker.server");

afterAll(async () => {
  proxy.close();
  await sandbox.close();
});

it("a pass that outlasts its lease keeps its rows: a second worker polling meanwhile sends none of them, and each event reaches TikTok once", { timeout: 30_000 }, async () => {
  // GIVEN 2,500 queued events for one pixel: one pass makes three requests of ≤1,000
  const { pixelCode } = await connectShop(TEST_SHOP, control);
  const ids = await seedQueuedEvents({ shop: TEST_SHOP, pixelCode, count: 2_500 });

  // WHEN worker A runs one pass (≈4.5 s against a 4 s lease) while worker B polls every 100 ms
  const started = Date.now();
  let aDone = false;
  const a = drainOnce({ owner: "worker-a", leaseMs: LEASE_MS }).finally(() => (aDone = true));
  const bSent: number[] = [];
  while (!aDone) {
    await new Promise((r) => setTimeout(r, 100));
    const out = await drainOnce({ owner: "worker-b", leaseMs: LEASE_MS });
    bSent.push(out.sent);
  }
  const outA = await a;
  const passMs = Date.now() - started;

  // THEN the pass really outlasted the lease, and A sent everything
  expect(outA).toMatchObject({ sent: 2_500, requests: 3 });
  expect(passMs).toBeGreaterThan(LEASE_MS);
  // and B sent nothing A held
  expect(bSent.reduce((s, n) => s + n, 0)).toBe(0);
  // and TikTok got each event exactly once
  const received = (await control.events()).map((e) => e.event.event_id as string);
  expect(received.length).toBe(ids.length);
  expect(new Set(received).size).toBe(ids.length);
  expect(await prisma.outboxEvent.count({ where: { status: "sent" } })).toBe(2_500);
});
