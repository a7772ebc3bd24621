// The request plan under a saturated quota: TikTok (the sandbox) enforces a small app-wide quota on
// its own clock, more refreshes are due than it allows, and a merchant presses Sync Now while a new
// shop connects. Their runs finish first, the refreshes follow within the quota, and TikTok never
// has to refuse a request (40100). Both clocks are pinned and moved by the test.
import prisma from "~/core/db.server";
import * as sync from "~/features/spend/sync.server";
import { ADVERTISER_IDS } from "../../sandbox/world";
import { REPORT_PATH, connectShop, startSpendSandbox, type Control } from "./spend-helpers";

// TikTok's quota for this test: 4 requests a minute; the sync's budget is all of it, refreshes get 3.
const QUOTA = { qps: 50, qpm: 4 };
const SHOPS = ["p1", "p2", "p3", "p4", "p5", "p6"].map((s) => `${s}-priority.myshopify.com`);
const NEW_SHOP = "p7-priority.myshopify.com";
const ACCOUNTS = [ADVERTISER_IDS.berlin, ADVERTISER_IDS.pacific, ADVERTISER_IDS.tokyo];

let now = new Date("2030-03-10T20:00:00Z");
let env: Awaited<ReturnType<typeof startSpendSandbox>>;
let control: Control;

beforeAll(async () => {
  env = await startSpendSandbox({ now: () => now, rateLimit: QUOTA });
  control = env.control;
});

afterAll(async () => {
  await env.close();
});

beforeEach(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  await control.reset();
  await prisma.spendRow.deleteMany();
  await prisma.syncRun.deleteMany();
  await prisma.reportQuotaSecond.deleteMany();
  await prisma.tikTokConnection.deleteMany();
});

const tick = (at: Date) => {
  now = at;
  return sync.runDueSyncs({ now: at, budget: QUOTA });
};

it("with the quota saturated, Sync Now and a new connection's backfill finish first; refreshes follow; TikTok refuses nothing", async () => {
  // GIVEN six shops that connected this evening, one every two minutes, each with its backfill done
  for (const [i, shop] of SHOPS.entries()) {
    await connectShop(shop, control, ACCOUNTS[i % ACCOUNTS.length]);
    await sync.requestSpendSync(shop, "backfill");
    const { runs } = await tick(new Date(Date.parse("2030-03-10T20:00:00Z") + i * 120_000));
    expect(runs.map((r) => [r.kind, r.status])).toEqual([["backfill", "done"]]);
  }
  // each backfill came before its shop's second of 20:00, so that hour's refresh follows at its second
  for (let r; (r = await prisma.syncRun.findFirst({ where: { status: "queued" }, orderBy: { nextAttemptAt: "asc" } })); ) {
    expect(r).toMatchObject({ kind: "hourly", slot: "2030-03-10T20" });
    await tick(r.nextAttemptAt);
  }
  // all six have spend on recent days: refreshed hourly. At 21:00 the job plans the hour's refreshes
  const planned = await sync.runDueSyncs({ now: (now = new Date("2030-03-10T21:00:00Z")), maxRuns: 0, budget: QUOTA });
  expect(planned.scheduled.sort()).toEqual([...SHOPS].sort());
  expect(await prisma.syncRun.count({ where: { kind: "hourly", status: "queued" } })).toBe(6);
  // each is due at its own second of the hour, spread rather than all at 21:00
  const due = (await prisma.syncRun.findMany({ where: { kind: "hourly", slot: "2030-03-10T21" }, select: { nextAttemptAt: true } })).map((r) => r.nextAttemptAt.getTime());
  expect(new Set(due).size).toBeGreaterThan(1);
  // and Spend & ROAS can say when: hourly, the queued refresh's time, the last completed run as the last refresh
  const p2Run = await prisma.syncRun.findFirstOrThrow({ where: { shop: SHOPS[1], kind: "hourly", slot: "2030-03-10T21" } });
  const p2Last = await prisma.syncRun.findFirstOrThrow({ where: { shop: SHOPS[1], status: "done" }, orderBy: { finishedAt: "desc" } });
  expect(await sync.refreshSchedule(SHOPS[1], now)).toEqual({
    cadence: "hourly",
    nextDueAt: new Date(Math.max(now.getTime(), Date.parse("2030-03-10T21:00:00Z") + sync.hourOffsetMs(SHOPS[1]))).toISOString(),
    lastRefreshedAt: p2Last.finishedAt!.toISOString(),
  });
  expect(p2Run.nextAttemptAt.getTime()).toBe(Date.parse("2030-03-10T21:00:00Z") + sync.hourOffsetMs(SHOPS[1]));

  // WHEN, at the end of the hour with all six refreshes due (one request each, more than a minute's quota),
  // the merchant of p1 presses Sync Now and a new shop connects
  now = new Date("2030-03-10T21:59:59.500Z");
  const syncNow = await sync.requestSpendSync(SHOPS[0], "manual");
  await connectShop(NEW_SHOP, control, ADVERTISER_IDS.berlin);
  const backfill = await sync.requestSpendSync(NEW_SHOP, "backfill");
  const requestsBefore = await control.requestCount(REPORT_PATH);
  const first = await tick(now);

  // THEN the first tick finishes Sync Now (it took over p1's waiting refresh) and the backfill first
  const done = first.runs.filter((r) => r.status === "done");
  expect(done.slice(0, 2).map((r) => [r.runId, r.kind])).toEqual([
    [syncNow.runId, "manual"],
    [backfill.runId, "backfill"],
  ]);
  // and refreshes take only what is left of the minute, short of the urgent runs' share
  expect(first.runs.filter((r) => r.kind === "hourly" && r.status === "waiting").length).toBeGreaterThanOrEqual(3);
  expect((await control.requestCount(REPORT_PATH)) - requestsBefore).toBeLessThanOrEqual(QUOTA.qpm);

  // AND the remaining refreshes finish within the quota as the minute slides on
  for (let i = 1; i <= 12 && (await prisma.syncRun.count({ where: { status: { in: ["queued", "running"] } } })) > 0; i++) {
    await tick(new Date(now.getTime() + 20_000));
  }
  const runs = await prisma.syncRun.findMany({ where: { OR: [{ createdAt: { gte: new Date("2030-03-10T21:00:00Z"), lt: new Date("2030-03-10T22:00:00Z") } }, { id: backfill.runId }] } });
  expect(runs.map((r) => r.status)).toEqual(runs.map(() => "done"));
  expect(runs.map((r) => r.kind).sort()).toEqual(["backfill", "hourly", "hourly", "hourly", "hourly", "hourly", "manual"]);
  const urgentDone = Math.max(...runs.filter((r) => r.kind !== "hourly").map((r) => r.finishedAt!.getTime()));
  expect(runs.filter((r) => r.kind === "hourly").every((r) => r.finishedAt!.getTime() >= urgentDone)).toBe(true);
  // after its refresh in this hour, a shop's next one is due at its second of the next hour
  const p3Done = await prisma.syncRun.findFirstOrThrow({ where: { shop: SHOPS[2], kind: "hourly", status: "done" }, orderBy: { finishedAt: "desc" } });
  const p3Hour = Date.parse(p3Done.finishedAt!.toISOString().slice(0, 13) + ":00:00Z");
  const p3Queued = await prisma.syncRun.findFirst({ where: { shop: SHOPS[2], status: { in: ["queued", "running"] } } });
  const p3Due = p3Queued ? p3Queued.nextAttemptAt.getTime() : p3Hour + 3_600_000 + sync.hourOffsetMs(SHOPS[2]);
  expect(await sync.refreshSchedule(SHOPS[2], now)).toMatchObject({ cadence: "hourly", nextDueAt: new Date(Math.max(now.getTime(), p3Due)).toISOString() });
  // a shop that is not connected has no schedule
  expect(await sync.refreshSchedule("nobody-priority.myshopify.com", now)).toBeNull();

  // TikTok never refused a request for the quota
  expect((await control.requests()).rate_limited).toBe(0);
  expect((await control.requests()).requests.filter((r) => r.path === REPORT_PATH).every((r) => r.code === 0)).toBe(true);
});
