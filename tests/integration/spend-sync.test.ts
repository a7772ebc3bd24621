// Spend sync against the in-process TikTok sandbox, both clocks pinned. At 23:30 UTC on
// 2030-03-10 it is already 2030-03-11 in Berlin and Tokyo but still 2030-03-10 in Los Angeles,
// so any confusion of UTC days with ad account days shows up as wrong dates.
import prisma from "~/core/db.server";
import * as sync from "~/features/spend/sync.server";
import { ADVERTISER_IDS, addDays } from "../../sandbox/world";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import {
  REPORT_PATH,
  connectShop,
  expectedRows,
  minimalRequests,
  reportHook,
  sortRows,
  startSpendSandbox,
  storedRows,
  type Control,
} from "./spend-helpers";

const START = new Date("2030-03-10T23:30:00Z");
let now = START;
const at = (ms: number) => new Date(START.getTime() + ms);
const MINUTE = 60_000;

let env: Awaited<ReturnType<typeof startSpendSandbox>>;
let control: Control;

beforeAll(async () => {
  env = await startSpendSandbox({ now: () => now });
  control = env.control;
});

afterAll(async () => {
  await env.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

beforeEach(async () => {
  // The client logs every failed TikTok call; these tests cause some on purpose.
  vi.spyOn(console, "warn").mockImplementation(() => {});
  now = START;
  reportHook.after = null;
  reportHook.count = 0;
  await control.reset();
  await prisma.spendRow.deleteMany();
  await prisma.syncRun.deleteMany();
  await prisma.tikTokConnection.deleteMany();
});

const reportRequests = () => control.requestCount(REPORT_PATH);
const DAY = 24 * 60 * MINUTE;
/** Berlin's rows from the backfill 40 days ago through today. */
const CAUGHT_UP = { start: "2030-01-01", end: "2030-03-11" };

/**
 * A run of two report requests: the shop was backfilled 40 days ago and the app was down since,
 * so Sync Now catches up 43 days (2030-01-28 to 2030-03-11) in two windows. The sandbox's log
 * starts after the backfill. Returns the queued run's id.
 */
async function catchUpRun() {
  now = at(-40 * DAY);
  await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
  await sync.requestSpendSync(TEST_SHOP, "backfill");
  expect((await sync.runDueSyncs({ now })).runs.map((r) => r.status)).toEqual(["done"]);
  now = START;
  await control.reset();
  reportHook.count = 0;
  // the reset forgot the token; the same connection gets a fresh one
  await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
  const { runId } = await sync.requestSpendSync(TEST_SHOP, "manual");
  return runId;
}
const world = () => env.sandbox.world;

describe("backfill", () => {
  it("pulls 30 account-timezone days at both levels with the fewest requests and stores exactly the sandbox's rows", async () => {
    // GIVEN a shop connected to the Berlin (EUR) account
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    // WHEN the wizard's Save queues the backfill and the job runs
    const requested = await sync.requestSpendSync(TEST_SHOP, "backfill");
    expect(requested.queued).toBe(true);
    const { runs } = await sync.runDueSyncs({ now });

    // THEN it ran once, for Berlin's today (already 2030-03-11) and the 29 days before
    expect(runs.map((r) => r.status)).toEqual(["done"]);
    const range = { start: "2030-02-10", end: "2030-03-11" };
    const expected = expectedRows(world(), ADVERTISER_IDS.berlin, range, { today: "2030-03-11" });
    expect(sortRows(await storedRows(TEST_SHOP))).toEqual(sortRows(expected));

    // with the minimal number of report requests: one 30-day window, one page of the ad-group
    // report, which serves both levels (the campaign rows are its sums)
    const minimal = minimalRequests(expected, [range]);
    expect(minimal).toBe(1);
    expect(await reportRequests()).toBe(minimal);
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: requested.runId } });
    expect(run).toMatchObject({ status: "done", kind: "backfill", windowsTotal: 1, windowsDone: 1, requestsMade: 1, error: null, leaseOwner: null });
    expect(sync.parseCursor(run.cursor)?.range).toEqual(range);

    // deleted campaigns and ad groups are there (STATUS_ALL), with their names
    const deleted = world().advertiser(ADVERTISER_IDS.berlin)!.campaigns.find((c) => c.deleted)!;
    expect(await prisma.spendRow.count({ where: { shop: TEST_SHOP, level: "campaign", entityId: deleted.campaignId } })).toBeGreaterThan(20);
    const deletedAdgroup = world().advertiser(ADVERTISER_IDS.berlin)!.adgroups.find((a) => a.deleted && a.adgroupName === "Interest test")!;
    const row = await prisma.spendRow.findFirstOrThrow({ where: { shop: TEST_SHOP, entityId: deletedAdgroup.adgroupId } });
    expect(row).toMatchObject({ name: "Interest test", currency: "EUR", timezone: "Europe/Berlin", advertiserId: ADVERTISER_IDS.berlin });

    // and the sandbox saw STATUS_ALL filtering at both levels
    const log = await control.requests();
    expect(log.requests.filter((r) => r.path === REPORT_PATH).every((r) => r.code === 0)).toBe(true);
  });

  it("a second run changes nothing; a later run re-pulls only the last 3 days", async () => {
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    await sync.requestSpendSync(TEST_SHOP, "backfill");
    await sync.runDueSyncs({ now });
    const before = await prisma.spendRow.findMany({ where: { shop: TEST_SHOP }, orderBy: { id: "asc" } });

    // WHEN the merchant presses Sync Now
    const second = await sync.requestSpendSync(TEST_SHOP, "manual");
    expect(second.queued).toBe(true);
    const { runs } = await sync.runDueSyncs({ now: at(5 * MINUTE) });

    // THEN nothing was created or updated, not even updatedAt
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "done", created: 0, updated: 0, requests: 1 });
    expect(await prisma.spendRow.findMany({ where: { shop: TEST_SHOP }, orderBy: { id: "asc" } })).toEqual(before);
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: second.runId } });
    expect(sync.parseCursor(run.cursor)?.range).toEqual({ start: "2030-03-09", end: "2030-03-11" });
    expect(await reportRequests()).toBe(2);
  });

  it("updates the restated last 3 days on the next hourly run and leaves older days alone", async () => {
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    await sync.requestSpendSync(TEST_SHOP, "backfill");
    await sync.runDueSyncs({ now });
    const older = await prisma.spendRow.findMany({ where: { shop: TEST_SHOP, date: { lt: "2030-03-09" } }, orderBy: { id: "asc" } });

    // GIVEN TikTok restates Berlin's last 3 days (+50%)
    const { restated } = await control.restate({ advertiser_id: ADVERTISER_IDS.berlin, days: 3, factor: 1.5 });
    expect(restated.map((r) => r.date).sort()).toEqual(["2030-03-09", "2030-03-10", "2030-03-11"]);

    // WHEN the next hour's run happens (scheduled by the job itself)
    now = at(40 * MINUTE); // 00:10 UTC, a new UTC hour
    const first = await sync.runDueSyncs({ now });
    expect(first.scheduled).toEqual([TEST_SHOP]);
    // a shop with spend is refreshed hourly, at its own second of the hour (spread, not a wave at :00)
    const due = new Date(Date.parse("2030-03-11T00:00:00Z") + sync.hourOffsetMs(TEST_SHOP));
    if (due > now) {
      expect(first.runs).toEqual([]);
      now = due;
    }
    const runs = [...first.runs, ...(await sync.runDueSyncs({ now })).runs];
    expect(runs.map((r) => [r.kind, r.status])).toEqual([["hourly", "done"]]);

    // THEN the stored rows equal the sandbox's restated numbers, older rows untouched
    const expected = expectedRows(world(), ADVERTISER_IDS.berlin, { start: "2030-02-10", end: "2030-03-11" }, {
      today: "2030-03-11",
      factor: (d) => (d >= "2030-03-09" ? 1.5 : 1),
    });
    expect(sortRows(await storedRows(TEST_SHOP))).toEqual(sortRows(expected));
    expect(runs[0].updated).toBeGreaterThan(0);
    expect(await prisma.spendRow.findMany({ where: { shop: TEST_SHOP, date: { lt: "2030-03-09" } }, orderBy: { id: "asc" } })).toEqual(older);
    const hourly = await prisma.syncRun.findFirstOrThrow({ where: { shop: TEST_SHOP, kind: "hourly" } });
    expect(hourly.slot).toBe("2030-03-11T00");
  });

  it("stores a non-UTC, non-USD account's own days and currency (Tokyo, JPY)", async () => {
    await connectShop(OTHER_SHOP, control, ADVERTISER_IDS.tokyo);
    await sync.requestSpendSync(OTHER_SHOP, "backfill");
    await sync.runDueSyncs({ now });

    // 23:30 UTC on the 10th is 08:30 on the 11th in Tokyo: the 11th is "today" and has spend
    const expected = expectedRows(world(), ADVERTISER_IDS.tokyo, { start: "2030-02-10", end: "2030-03-11" }, { today: "2030-03-11" });
    expect(expected.some((r) => r.date === "2030-03-11")).toBe(true);
    expect(sortRows(await storedRows(OTHER_SHOP))).toEqual(sortRows(expected));
    const rows = await prisma.spendRow.findMany({ where: { shop: OTHER_SHOP } });
    expect(new Set(rows.map((r) => `${r.currency} ${r.timezone}`))).toEqual(new Set(["JPY Asia/Tokyo"]));
    // yen have no minor unit: whole numbers, stored as TikTok sent them
    expect(rows.every((r) => r.spend.isInteger())).toBe(true);
  });

  it("ends at the account's today when that is behind UTC (Los Angeles, still the 10th)", async () => {
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.pacific);
    await sync.requestSpendSync(TEST_SHOP, "backfill");
    await sync.runDueSyncs({ now });
    const dates = (await prisma.spendRow.findMany({ where: { shop: TEST_SHOP }, select: { date: true } })).map((r) => r.date).sort();
    expect(dates.at(-1)).toBe("2030-03-10");
    expect(dates[0]).toBe("2030-02-09");
  });
});

describe("interruptions", () => {
  it("resumes a rate-limited (40100) catch-up where it stopped, without re-fetching finished pages", async () => {
    const runId = await catchUpRun();
    // GIVEN TikTok answers 40100 to the request after the first one
    reportHook.after = async (n) => {
      if (n === 1) await control.fault({ path: "/report/integrated/get/", kind: "rate_limit", count: 1 });
    };
    const first = await sync.runDueSyncs({ now });
    reportHook.after = null;

    // THEN the run waits with its place kept
    expect(first.runs[0]).toMatchObject({ status: "waiting" });
    let run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "queued", windowsDone: 1, windowsTotal: 2, requestsMade: 2, leaseOwner: null });
    expect(run.error).toMatch(/rate limit/i);
    expect(run.nextAttemptAt.getTime()).toBeGreaterThan(now.getTime());
    expect(sync.parseCursor(run.cursor)).toMatchObject({ unit: 1, page: 1, waitingFor: "rate_limit" });

    // AND it is not retried before its time
    expect((await sync.runDueSyncs({ now: at(MINUTE / 2 - 1) })).runs).toHaveLength(0);

    // WHEN the wait is over
    const second = await sync.runDueSyncs({ now: at(MINUTE) });
    expect(second.runs.map((r) => [r.runId, r.status, r.requests])).toEqual([[runId, "done", 1]]);
    run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "done", windowsDone: 2, requestsMade: 3, error: null });

    // THEN minimal + the one refused request, and every row is there
    const log = await control.requests();
    const reports = log.requests.filter((r) => r.path === REPORT_PATH);
    expect(reports.map((r) => r.code)).toEqual([0, 40100, 0]);
    const expected = expectedRows(world(), ADVERTISER_IDS.berlin, CAUGHT_UP, { today: "2030-03-11" });
    expect(sortRows(await storedRows(TEST_SHOP))).toEqual(sortRows(expected));
  });

  it("the database connection drops while a page is stored: the run is not failed, keeps its place, and the next tick finishes it", async () => {
    const runId = await catchUpRun();
    // GIVEN the database drops the connection under the write of the second window's page (after the
    // first window's ad-group and campaign rows; pg's unwrapped error, as when PostgreSQL restarts)
    const createMany = prisma.spendRow.createMany;
    let calls = 0;
    prisma.spendRow.createMany = ((...args: Parameters<typeof createMany>) =>
      ++calls === 3 ? Promise.reject(new Error("Connection terminated unexpectedly")) : createMany.apply(prisma.spendRow, args)) as typeof createMany;
    try {
      await expect(sync.runDueSyncs({ now })).rejects.toThrow(/Connection terminated/);
    } finally {
      prisma.spendRow.createMany = createMany;
    }
    // THEN the merchant sees no failed sync: the run is free for the next tick, with its first page kept
    let run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "running", leaseOwner: null, error: null, windowsDone: 1 });
    // WHEN the next tick comes
    const next = await sync.runDueSyncs({ now: at(MINUTE) });
    expect(next.runs.map((r) => [r.runId, r.status])).toEqual([[runId, "done"]]);
    run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "done", error: null });
    // THEN every row is there, and only the page whose write failed was asked for twice
    const expected = expectedRows(world(), ADVERTISER_IDS.berlin, CAUGHT_UP, { today: "2030-03-11" });
    expect(sortRows(await storedRows(TEST_SHOP))).toEqual(sortRows(expected));
    expect(await reportRequests()).toBe(3);
  });

  it("a revoked token flips the connection to needs_reconnect; the run waits and resumes after reconnect", async () => {
    const runId = await catchUpRun();
    // GIVEN the merchant revokes access in TikTok between two report requests
    reportHook.after = async (n) => {
      if (n === 1) await control.fault({ path: "/report/integrated/get/", kind: "revoke", count: 1 });
    };
    await sync.runDueSyncs({ now });
    reportHook.after = null;

    // THEN the connection needs a reconnect and the run keeps its place
    const connection = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } });
    expect(connection.status).toBe("needs_reconnect");
    expect(connection.lastAuthError).toMatch(/revoked/);
    let run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "queued", windowsDone: 1, leaseOwner: null });
    expect(run.error).toMatch(/reconnect/i);

    // AND nothing is tried while disconnected, however long we wait, and no hourly run piles up
    const idle = await sync.runDueSyncs({ now: at(3 * 60 * MINUTE) });
    expect(idle).toEqual({ scheduled: [], runs: [] });
    expect(await reportRequests()).toBe(2);

    // WHEN the merchant reconnects (the connect flow stores a new token and calls afterConnected)
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    const again = await sync.requestSpendSync(TEST_SHOP, "manual");
    expect(again).toEqual({ queued: false, runId });
    const resumed = await sync.runDueSyncs({ now: at(3 * 60 * MINUTE) });

    // THEN the same run finishes from where it stopped: one more request, all rows
    expect(resumed.runs.map((r) => [r.runId, r.status, r.requests])).toEqual([[runId, "done", 1]]);
    run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "done", windowsDone: 2, error: null, slot: null });
    const expected = expectedRows(world(), ADVERTISER_IDS.berlin, CAUGHT_UP, { today: "2030-03-11" });
    expect(sortRows(await storedRows(TEST_SHOP))).toEqual(sortRows(expected));
  });

  it("an invalid request fails the run with TikTok's message and frees the shop for the next run", async () => {
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    // An account the token was not granted for: TikTok refuses with a 4xxxx request error.
    await prisma.tikTokConnection.update({ where: { shop: TEST_SHOP }, data: { advertiserId: ADVERTISER_IDS.tokyo } });
    const { runId } = await sync.requestSpendSync(TEST_SHOP, "backfill");
    const { runs } = await sync.runDueSyncs({ now });
    expect(runs[0].status).toBe("failed");
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "failed", slot: null, leaseOwner: null });
    expect(run.error).toMatch(/TikTok refused/);
    expect((await sync.requestSpendSync(TEST_SHOP, "manual")).queued).toBe(true);
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining("failed"), expect.objectContaining({ code: 40001 }));
  });
});

describe("scheduling and leases", () => {
  it("one hourly run per connection per UTC hour, however many instances tick", async () => {
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    await connectShop(OTHER_SHOP, control, ADVERTISER_IDS.pacific);
    // WHEN two instances tick at the same moment, then again a minute later
    const [a, b] = await Promise.all([sync.runDueSyncs({ now, owner: "instance-a" }), sync.runDueSyncs({ now, owner: "instance-b" })]);
    const c = await sync.runDueSyncs({ now: at(MINUTE), owner: "instance-c" });

    // THEN each shop got exactly one run for hour 2030-03-10T23, executed once (no spend yet: the
    // daily refresh of an idle shop)
    const runs = await prisma.syncRun.findMany({ orderBy: { shop: "asc" } });
    expect(runs.map((r) => [r.shop, r.kind, r.slot, r.status])).toEqual([
      [TEST_SHOP, "daily", "2030-03-10T23", "done"],
      [OTHER_SHOP, "daily", "2030-03-10T23", "done"],
    ].sort((x, y) => x[0].localeCompare(y[0])));
    expect([...a.runs, ...b.runs, ...c.runs].filter((r) => r.status === "done")).toHaveLength(2);
    expect(c).toEqual({ scheduled: [], runs: [] });
    // 30 days each (nothing was completed before): 1 request per shop
    expect(await reportRequests()).toBe(2);

    // AND the next hour brings the next run: the first one found spend, so the shops are refreshed hourly now
    const next = await sync.runDueSyncs({ now: at(31 * MINUTE) });
    expect(next.scheduled.sort()).toEqual([TEST_SHOP, OTHER_SHOP].sort());
    expect(await prisma.syncRun.count({ where: { kind: "hourly" } })).toBe(2);
  });

  it("does not schedule an hourly run while a backfill is queued; after it, the hour's refresh waits for the shop's second", async () => {
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    await sync.requestSpendSync(TEST_SHOP, "backfill");
    const first = await sync.runDueSyncs({ now });
    expect(first.scheduled).toEqual([]);
    expect(first.runs.map((r) => r.kind)).toEqual(["backfill"]);
    // The backfill finished at 23:30, before this shop's second of the hour: that slot's refresh
    // is still due (spend-schedule.test.ts), queued for its second, not run now.
    const slot = Date.parse("2030-03-10T23:00:00Z") + sync.hourOffsetMs(TEST_SHOP);
    expect(slot).toBeGreaterThan(at(10 * MINUTE).getTime());
    const later = await sync.runDueSyncs({ now: at(10 * MINUTE) });
    expect(later).toEqual({ scheduled: [TEST_SHOP], runs: [] });
    expect(await prisma.syncRun.findMany({ where: { kind: "hourly" }, select: { status: true, nextAttemptAt: true } })).toEqual([{ status: "queued", nextAttemptAt: new Date(slot) }]);
  });

  it("leaves a run leased by another instance alone and takes it over, from its cursor, once the lease expires", async () => {
    const runId = await catchUpRun();
    // GIVEN instance A claimed the run, finished its first window, and died holding the lease
    const claimed = await sync.claimNextRun("instance-a", now);
    expect(claimed?.id).toBe(runId);
    const connection = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } });
    const plan = await sync.planRun({ shop: TEST_SHOP, kind: "manual" }, connection, now);
    expect(plan.units).toHaveLength(2);
    await prisma.syncRun.update({
      where: { id: runId },
      data: { windowsTotal: 2, windowsDone: 1, requestsMade: 1, cursor: JSON.stringify({ ...plan, unit: 1, page: 1 }) },
    });
    expect(await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "running", leaseOwner: "instance-a" });

    // WHEN instance B ticks while A's lease is live: nothing
    expect((await sync.runDueSyncs({ now: at(MINUTE), owner: "instance-b" })).runs).toEqual([]);
    // WHEN A's lease has expired: B takes over and does only what was left
    const after = await sync.runDueSyncs({ now: at(sync.LEASE_MS + MINUTE), owner: "instance-b" });
    expect(after.runs.map((r) => [r.runId, r.status, r.requests])).toEqual([[runId, "done", 1]]);
    expect(await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "done", windowsDone: 2, leaseOwner: null });
    const log = await control.requests();
    expect(log.requests.filter((r) => r.path === REPORT_PATH)).toHaveLength(1);
  });

  it("Sync Now twice queues one run; the second request returns it", async () => {
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    const [x, y] = await Promise.all([sync.requestSpendSync(TEST_SHOP, "manual"), sync.requestSpendSync(TEST_SHOP, "manual")]);
    const z = await sync.requestSpendSync(TEST_SHOP, "manual");
    expect([x, y, z].filter((r) => r.queued)).toHaveLength(1);
    expect(new Set([x.runId, y.runId, z.runId]).size).toBe(1);
    expect(await prisma.syncRun.count({ where: { shop: TEST_SHOP } })).toBe(1);
    // once it is done, Sync Now queues a new one
    await sync.runDueSyncs({ now });
    expect((await sync.requestSpendSync(TEST_SHOP, "manual")).queued).toBe(true);
  });

  it("closes runs of a shop that disconnected", async () => {
    await connectShop(TEST_SHOP, control, ADVERTISER_IDS.berlin);
    const { runId } = await sync.requestSpendSync(TEST_SHOP, "backfill");
    await prisma.tikTokConnection.update({ where: { shop: TEST_SHOP }, data: { status: "disconnected", accessTokenEnc: null } });
    await sync.runDueSyncs({ now });
    expect(await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } })).toMatchObject({ status: "failed", slot: null });
    expect(await reportRequests()).toBe(0);
  });
});

describe("dates", () => {
  it("accountToday uses the account's zone", () => {
    expect(sync.accountToday("Asia/Tokyo", START)).toBe("2030-03-11");
    expect(sync.accountToday("America/Los_Angeles", START)).toBe("2030-03-10");
    expect(sync.accountToday("Not/AZone", START)).toBe("2030-03-10");
    expect(addDays("2030-03-11", -29)).toBe("2030-02-10");
  });
});

describe("history", () => {
  it("drops finished runs once they are older than gap detection looks back", async () => {
    const old = new Date(START.getTime() - (sync.KEEP_FINISHED_RUNS_DAYS + 1) * 86_400_000);
    const recent = new Date(START.getTime() - 5 * 86_400_000);
    await prisma.syncRun.createMany({
      data: [
        { shop: TEST_SHOP, kind: "hourly", slot: "old", status: "done", finishedAt: old },
        { shop: TEST_SHOP, kind: "hourly", slot: "recent", status: "done", finishedAt: recent },
        { shop: TEST_SHOP, kind: "backfill", status: "queued" },
      ],
    });
    await sync.runDueSyncs({ now });
    expect((await prisma.syncRun.findMany()).map((r) => r.slot ?? r.kind).sort()).toEqual(["backfill", "recent"]);
  });
});
