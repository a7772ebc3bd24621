// Pagination and date windows against a sandbox advertiser with 150 ad groups: the sync must
// walk every page of every ≤30-day window at both levels, and not one request more.
import prisma from "~/core/db.server";
import * as sync from "~/features/spend/sync.server";
import { ADVERTISER_IDS } from "../../sandbox/world";
import { TEST_SHOP } from "../support/constants";
import { REPORT_PATH, connectShop, expectedRows, minimalRequests, sortRows, startSpendSandbox, storedRows, type Control } from "./spend-helpers";

const DAY = 86_400_000;
const TODAY_NOON = new Date("2030-06-15T12:00:00Z");
let now = TODAY_NOON;

let env: Awaited<ReturnType<typeof startSpendSandbox>>;
let control: Control;

beforeAll(async () => {
  env = await startSpendSandbox({ now: () => now, world: { bigAdvertiserAdgroups: 150 } });
  control = env.control;
});

afterAll(async () => {
  await env.close();
});

it("walks every page of the ad-group report (campaign rows rolled up from it), then catches up a 63-day gap in three windows, with the minimal requests", async () => {
  // GIVEN the big (UTC, USD) account connected 60 days ago and backfilled then
  now = new Date(TODAY_NOON.getTime() - 60 * DAY);
  await connectShop(TEST_SHOP, control, ADVERTISER_IDS.big);
  await sync.requestSpendSync(TEST_SHOP, "backfill");
  const first = await sync.runDueSyncs({ now });
  const firstRange = { start: "2030-03-18", end: "2030-04-16" };
  const firstRows = expectedRows(env.sandbox.world, ADVERTISER_IDS.big, firstRange, { today: "2030-04-16" });
  const adgroupRows = firstRows.filter((r) => r.level === "adgroup").length;
  expect(adgroupRows).toBeGreaterThan(3_000); // more than three pages of 1,000
  expect(first.runs[0]).toMatchObject({ status: "done", requests: minimalRequests(firstRows, [firstRange]) });
  // one ad-group report, page by page, serves both levels
  expect(first.runs[0].requests).toBe(Math.ceil(adgroupRows / 1_000));

  // WHEN the app was down (or disconnected) for two months and syncs again
  now = TODAY_NOON;
  await control.reset();
  await connectShop(TEST_SHOP, control, ADVERTISER_IDS.big);
  const { runId } = await sync.requestSpendSync(TEST_SHOP, "manual");
  const second = await sync.runDueSyncs({ now });

  // THEN it re-pulls from 2 days before the last covered day through today: 63 days, 3 windows
  const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
  const cursor = sync.parseCursor(run.cursor)!;
  expect(cursor.range).toEqual({ start: "2030-04-14", end: "2030-06-15" });
  const windows = [
    { start: "2030-04-14", end: "2030-05-13" },
    { start: "2030-05-14", end: "2030-06-12" },
    { start: "2030-06-13", end: "2030-06-15" },
  ];
  expect([...new Map(cursor.units.map((u) => [u.start, { start: u.start, end: u.end }])).values()]).toEqual(windows);
  expect(run.windowsTotal).toBe(3);
  const secondRows = expectedRows(env.sandbox.world, ADVERTISER_IDS.big, cursor.range, { today: "2030-06-15" });
  const minimal = minimalRequests(secondRows, windows);
  expect(second.runs[0]).toMatchObject({ status: "done", requests: minimal });
  expect(await control.requestCount(REPORT_PATH)).toBe(minimal);
  expect(run.requestsMade).toBe(minimal);

  // AND the stored rows are the union of both ranges, exactly as TikTok reports them
  const all = expectedRows(env.sandbox.world, ADVERTISER_IDS.big, { start: firstRange.start, end: "2030-06-15" }, { today: "2030-06-15" });
  expect(sortRows(await storedRows(TEST_SHOP))).toEqual(sortRows(all));
});
