// When an active shop's hourly refresh comes, around a merchant's Sync Now, and what Spend & ROAS
// says about it; and who starts a Sync Now between the scheduler's minutes: both clocks pinned, moved by the test. The shop is one whose second of the hour
// comes late (past :20), so a Sync Now at :02 is before its slot and one at slot + 5 min after it.
import prisma from "~/core/db.server";
import * as sync from "~/features/spend/sync.server";
import { backgroundJobs } from "~/features/jobs.server";
import { ADVERTISER_IDS } from "../../sandbox/world";
import { REPORT_PATH, connectShop, startSpendSandbox, type Control } from "./spend-helpers";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SHOP = Array.from({ length: 200 }, (_, i) => `late${i}-schedule.myshopify.com`).find((s) => sync.hourOffsetMs(s) > 20 * MINUTE)!;
const H20 = Date.parse("2030-03-10T20:00:00Z");
const H21 = H20 + HOUR;
const SLOT_21 = H21 + sync.hourOffsetMs(SHOP);
const SLOT_22 = SLOT_21 + HOUR;

let now = new Date(H20);
let env: Awaited<ReturnType<typeof startSpendSandbox>>;
let control: Control;

beforeAll(async () => {
  env = await startSpendSandbox({ now: () => now });
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
  await prisma.tikTokConnection.deleteMany();
  // GIVEN a shop connected at 20:00 whose backfill found spend (so it is refreshed hourly),
  // and whose 21:00 refresh the first tick of the hour queued for its slot
  await connectShop(SHOP, control, ADVERTISER_IDS.berlin);
  await sync.requestSpendSync(SHOP, "backfill", new Date(H20));
  expect((await tick(H20)).runs.map((r) => [r.kind, r.status])).toEqual([["backfill", "done"]]);
  expect((await tick(H21)).scheduled).toEqual([SHOP]);
});

const tick = (ms: number) => {
  now = new Date(ms);
  return sync.runDueSyncs({ now });
};
const nextDue = async () => (await sync.refreshSchedule(SHOP, now))?.nextDueAt;
const runs = () => prisma.syncRun.findMany({ orderBy: { createdAt: "asc" }, select: { kind: true, status: true, nextAttemptAt: true } });

it("a Sync Now before the shop's slot in the hour leaves the slot's refresh due, and Spend & ROAS says so", async () => {
  // WHEN the merchant presses Sync Now at 21:02 (it takes over the queued refresh) and it finishes
  now = new Date(H21 + 2 * MINUTE);
  await sync.requestSpendSync(SHOP, "manual", now);
  expect((await tick(now.getTime())).runs.map((r) => [r.kind, r.status])).toEqual([["manual", "done"]]);

  // THEN the page says the next refresh is still this hour's, at the shop's second
  expect(await nextDue()).toBe(new Date(SLOT_21).toISOString());
  // and the next tick queues it for that moment, not before
  const next = await tick(H21 + 3 * MINUTE);
  expect(next.scheduled).toEqual([SHOP]);
  expect(next.runs).toEqual([]);
  expect((await runs()).at(-1)).toEqual({ kind: "hourly", status: "queued", nextAttemptAt: new Date(SLOT_21) });

  // AND at the slot it runs; after it the page and the scheduler agree on the next hour
  expect((await tick(SLOT_21)).runs.map((r) => [r.kind, r.status])).toEqual([["hourly", "done"]]);
  expect(await nextDue()).toBe(new Date(SLOT_22).toISOString());
  expect((await tick(SLOT_21 + MINUTE)).scheduled).toEqual([]);
  expect((await runs()).map((r) => r.kind)).toEqual(["backfill", "manual", "hourly"]);
});

it("a Sync Now after the shop's slot is that hour's refresh: the next one is the next hour's", async () => {
  // GIVEN this hour's refresh ran at the slot
  expect((await tick(SLOT_21)).runs.map((r) => [r.kind, r.status])).toEqual([["hourly", "done"]]);
  // WHEN the merchant presses Sync Now five minutes later
  now = new Date(SLOT_21 + 5 * MINUTE);
  await sync.requestSpendSync(SHOP, "manual", now);
  expect((await tick(now.getTime())).runs.map((r) => [r.kind, r.status])).toEqual([["manual", "done"]]);
  // THEN no further refresh this hour, and the page says the next hour's slot
  expect(await nextDue()).toBe(new Date(SLOT_22).toISOString());
  expect((await tick(SLOT_21 + 6 * MINUTE)).scheduled).toEqual([]);
  // AND the next hour's comes at its slot
  expect((await tick(H21 + HOUR)).scheduled).toEqual([SHOP]);
  expect((await runs()).at(-1)).toEqual({ kind: "hourly", status: "queued", nextAttemptAt: new Date(SLOT_22) });
});

it("a Sync Now before the slot, in an hour whose refresh was not queued yet, does not cancel it either", async () => {
  // GIVEN the 22:00 hour: the tick that would queue the refresh has not run when the merchant presses Sync Now at 22:01
  expect((await tick(SLOT_21)).runs.map((r) => [r.kind, r.status])).toEqual([["hourly", "done"]]);
  now = new Date(H21 + HOUR + MINUTE);
  await sync.requestSpendSync(SHOP, "manual", now);
  const first = await tick(now.getTime());
  expect(first.scheduled).toEqual([]);
  expect(first.runs.map((r) => [r.kind, r.status])).toEqual([["manual", "done"]]);
  // THEN the 22:00 refresh is still due at the slot, on the page and in the scheduler
  expect(await nextDue()).toBe(new Date(SLOT_22).toISOString());
  expect((await tick(H21 + HOUR + 2 * MINUTE)).scheduled).toEqual([SHOP]);
  expect((await runs()).at(-1)).toEqual({ kind: "hourly", status: "queued", nextAttemptAt: new Date(SLOT_22) });
});

describe("the claim-only job", () => {
  it("starts the queued refresh at the shop's second and a Sync Now at once, and schedules nothing itself", async () => {
    // GIVEN this hour's refresh the scheduler queued for the shop's second: 5 s before it, the claim-only job leaves it
    now = new Date(SLOT_21 - 5_000);
    expect(await sync.claimDueSyncs({ now })).toEqual({ runs: [] });
    // and at that second it starts it, without waiting for the scheduler's next minute
    now = new Date(SLOT_21);
    expect((await sync.claimDueSyncs({ now })).runs.map((r) => [r.kind, r.status])).toEqual([["hourly", "done"]]);
    expect((await tick(SLOT_21)).runs).toEqual([]);

    // WHEN at 22:00:30, before the scheduler's first tick of the hour, the merchant presses Sync Now
    now = new Date(H21 + HOUR + 30_000);
    const { runId } = await sync.requestSpendSync(SHOP, "manual", now);
    const claimed = await sync.claimDueSyncs({ now });

    // THEN the claim-only job ran it to the end, and scheduled nothing (the 22:00 refresh is the scheduler's)
    expect(claimed.runs.map((r) => [r.runId, r.kind, r.status])).toEqual([[runId, "manual", "done"]]);
    expect((await runs()).map((r) => [r.kind, r.status])).toEqual([
      ["backfill", "done"],
      ["hourly", "done"],
      ["manual", "done"],
    ]);
    // AND the scheduler's next tick still queues that refresh (Sync Now came before the shop's second)
    expect((await tick(now.getTime() + MINUTE)).scheduled).toEqual([SHOP]);
  });

  it("with the minute's tick at the same moment, a Sync Now is executed once", async () => {
    now = new Date(H21 + 2 * MINUTE);
    const { runId } = await sync.requestSpendSync(SHOP, "manual", now);
    const before = await control.requestCount(REPORT_PATH);
    const [claimed, ticked] = await Promise.all([sync.claimDueSyncs({ now }), sync.runDueSyncs({ now })]);
    const executed = [...claimed.runs, ...ticked.runs].filter((r) => r.runId === runId);
    expect(executed.map((r) => r.status)).toEqual(["done"]);
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.requestsMade).toBeGreaterThan(0);
    expect((await control.requestCount(REPORT_PATH)) - before).toBe(run.requestsMade);
  });

  it("is registered beside the minute's scheduler, every 10 seconds", () => {
    const jobs = backgroundJobs("test");
    expect(jobs.find((j) => j.name === "spend-sync")).toMatchObject({ everyMs: 60_000 });
    expect(jobs.find((j) => j.name === "spend-claim")).toMatchObject({ everyMs: 10_000 });
  });
});
