// The signal-health score: orders come in as signed webhooks, are sent to the sandbox, the job
// scores the day, and Home shows the score, its trend and what would raise it; the retention job
// keeps 90 days of it.
import prisma from "~/core/db.server";
import { drainAll } from "~/features/events/worker.server";
import { computeSignalScores } from "~/features/alerts/signal-score.server";
import { purgeExpiredPersonalData } from "~/features/privacy/retention.server";
import { backgroundJobs } from "~/features/jobs.server";
import { loader as homeLoader } from "~/routes/app._index";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());
beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await prisma.signalScoreDay.deleteMany();
});
afterEach(() => vi.restoreAllMocks());

/** The weights ADR 0025 states, written out here so the test checks the arithmetic, not a copy of it. */
const WEIGHTS: Record<string, number> = { ttclid: 30, email: 20, phone: 15, external_id: 10, ttp: 10, ip: 5, user_agent: 5 };
const NAME_ADDRESS = ["first_name", "last_name", "zip_code", "city", "state", "country"];
const pointsOf = (keys: string[]) => keys.reduce((s, k) => s + (WEIGHTS[k] ?? 0), 0) + (keys.some((k) => NAME_ADDRESS.includes(k)) ? 5 : 0);

let nextOrder = 5_950_000_000_000;
/** An online order; `click` adds a TikTok click, `phone: false` a buyer who gave no phone. */
async function order(opts: { click: boolean; phone: boolean }) {
  const orderId = nextOrder++;
  const raw = JSON.parse(
    await demoOrder({ orderId, visitorId: `tta1.${String(orderId).padStart(22, "0")}`, ttclid: opts.click ? `E.C.P.score${orderId}` : undefined, createdAt: new Date(Date.now() - 60_000) }),
  ) as { customer: { phone: string | null } };
  if (!opts.phone) raw.customer.phone = null;
  expect((await deliverOrder(TEST_SHOP, JSON.stringify(raw))).status).toBe(200);
}

const home = async () => (await (await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).json()).signalHealth;

describe("signal-health score", () => {
  it("scores the day's sent events with the stated weights, and Home shows it with what would raise it", async () => {
    await connectShop(TEST_SHOP, control, { sendMode: "all" });
    await order({ click: true, phone: false });
    await order({ click: true, phone: false });
    await order({ click: false, phone: false });
    await order({ click: false, phone: true });
    await drainAll();
    expect(await prisma.outboxEvent.count({ where: { status: "sent" } })).toBe(4);
    expect(await home()).toBeNull(); // not scored yet: Home shows no card rather than a made-up number
    await computeSignalScores();

    const orders = await prisma.orderRecord.findMany({ select: { matchKeys: true } });
    const expected = Math.round(orders.reduce((s, o) => s + pointsOf(JSON.parse(o.matchKeys) as string[]), 0) / orders.length);
    const health = await home();
    expect(health.score).toBe(expected);
    expect(health.events).toBe(4);
    // The card states the weights it scores with: the ones the ADR gives.
    expect(health.weights).toEqual({ ...WEIGHTS, name_address: 5 });
    expect(health.previous).toBeNull();
    expect(health.coverage.phone).toBeCloseTo(0.25);
    expect(health.coverage.ttclid).toBeCloseTo(0.5);
    expect(health.advice.join(" ")).toMatch(/TikTok click id \(\+15\)/);
    expect(health.advice.join(" ")).toMatch(/Collect phone numbers at checkout \(\+11\)/);
    const today = new Date().toISOString().slice(0, 10);
    expect(health.days).toEqual([{ day: today, score: expected, events: 4 }]);
  });

  it("shows the trend against the 7 days before", async () => {
    await connectShop(TEST_SHOP, control, { sendMode: "all" });
    await order({ click: true, phone: true });
    await drainAll();
    await computeSignalScores();
    const now = (await home()).score;
    // A day scored ten days ago (what the job wrote then).
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    await prisma.signalScoreDay.create({ data: { shop: TEST_SHOP, day: tenDaysAgo, score: now - 12, events: 20, coverage: "{}", embedSeen: true } });
    const health = await home();
    expect(health.previous).toBe(now - 12);
    expect(health.days.map((d: { day: string }) => d.day)).toEqual([tenDaysAgo, new Date().toISOString().slice(0, 10)]);
  });

  it("is kept 90 days by the retention job, and scored every 15 minutes", async () => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    for (const n of [89, 91]) await prisma.signalScoreDay.create({ data: { shop: TEST_SHOP, day: day(n), score: 50, events: 1, coverage: "{}" } });
    await purgeExpiredPersonalData();
    expect((await prisma.signalScoreDay.findMany({ select: { day: true } })).map((r) => r.day)).toEqual([day(89)]);
    expect(backgroundJobs("test").find((j) => j.name === "signal-score")).toMatchObject({ everyMs: 15 * 60 * 1000 });
  });
});
