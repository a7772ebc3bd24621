// The in-process delivery job is woken when an event is queued: an order queued through the signed
// webhook, or by a checkout link that arrives after its order, reaches TikTok without waiting for
// the job's tick (here an hour, so only the nudge can send it).
import { action as checkoutAction } from "~/routes/proxy.checkout";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { backgroundJobs, runJobs } from "~/features/jobs.server";
import { TEST_SHOP } from "../support/constants";
import { appProxyRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();

afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
});
afterEach(() => vi.restoreAllMocks());

async function waitFor(check: () => Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The in-process delivery job with an hour between ticks: only a wake-up can send in time. Counts its passes. */
async function withDeliveryJob(body: (passes: () => number) => Promise<void>) {
  const deliver = backgroundJobs().find((j) => j.name === "deliver-events")!;
  let passes = 0;
  const stop = runJobs([{ ...deliver, everyMs: 60 * 60 * 1000, run: () => (passes++, deliver.run()) }]);
  try {
    // The first tick runs at start and finds nothing.
    expect(await waitFor(async () => passes === 1, 5_000)).toBe(true);
    await body(() => passes);
  } finally {
    await stop({ graceMs: 5_000 });
  }
}

it("sends a queued order at once, not on the next tick", async () => {
  await connectShop(TEST_SHOP, control);
  await withDeliveryJob(async () => {
    const orderId = 5_700_000_000_001;
    const res = await deliverOrder(TEST_SHOP, await demoOrder({ orderId, ttclid: "E.C.P.wake1", createdAt: new Date(Date.now() - 60_000) }));
    expect(res.status).toBe(200);
    const sent = await waitFor(async () => (await control.events()).some((e) => e.event.event_id === String(orderId)), 10_000);
    expect(sent).toBe(true);
  });
});

it("does not wake the job for an order that is not sent", async () => {
  await connectShop(TEST_SHOP, control);
  await withDeliveryJob(async (passes) => {
    // No ttclid anywhere: not attributed, nothing queued.
    const res = await deliverOrder(TEST_SHOP, await demoOrder({ orderId: 5_700_000_000_002, createdAt: new Date(Date.now() - 60_000) }));
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(passes()).toBe(1);
  });
});

it("sends an order queued by a late checkout link at once, not on the next tick", async () => {
  await seedOfflineSession(TEST_SHOP); // installed: the storefront door answers only installed shops
  await connectShop(TEST_SHOP, control);
  await withDeliveryJob(async () => {
    // The shopper landed from a TikTok ad (the storefront recorded the click)...
    const landing = JSON.stringify({ v: 1, visitor_id: "tta1.WAKEWAKEWAKEWAKEWAKE12", ttclid: "E.C.P.wake-late", captured_at: Date.now() - 120_000, landing_path: "/" });
    expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: landing }))).status).toBe(202);
    // ...and bought with Buy it now: the order has no cart attributes, so it is recorded as not attributed...
    const orderId = 5_700_000_000_003;
    expect((await deliverOrder(TEST_SHOP, await demoOrder({ orderId, createdAt: new Date() }))).status).toBe(200);
    // ...and the storefront's checkout beacon, arriving after it, carries the click.
    const beacon = JSON.stringify({ order_id: String(orderId), visitor_id: "tta1.WAKEWAKEWAKEWAKEWAKE12", ttclid: "E.C.P.wake-late", ttclid_at: Date.now() - 120_000 });
    const res = await call(checkoutAction, appProxyRequest({ shop: TEST_SHOP, path: "/proxy/checkout", body: beacon, query: { n: "wake-late" } }));
    expect(res.status).toBe(202);
    const sent = await waitFor(async () => (await control.events()).some((e) => e.event.event_id === String(orderId) && (e.event.user as { ttclid?: string }).ttclid === "E.C.P.wake-late"), 10_000);
    expect(sent).toBe(true);
  });
});
