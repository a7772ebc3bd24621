// Spend sync: pulls daily spend at campaign and ad-group level from TikTok's integrated report
// into SpendRow. A run is a SyncRun row; its plan (date windows × levels) and resume point live
// in SyncRun.cursor, so a run stopped by a rate limit, a crash or an expired token continues
// where it stopped. Scheduling and leases are database facts (docs/decisions/0008):
//   - hourly runs carry slot = the UTC hour, unique per shop → one per connection per hour;
//   - on-demand runs (backfill, manual) carry slot = "active" while queued or running, unique
//     per shop → a second click cannot start a second run, even on another instance;
//   - a worker claims a run with a conditional update of leaseOwner/leaseUntil and renews the
//     lease after every page; every write is conditional on still holding it.
import { randomUUID } from "node:crypto";
import { Prisma, type SyncRun, type TikTokConnection } from "@prisma/client";
import prisma from "~/core/db.server";
import { env } from "~/core/env.server";
import { NotConnected, withTikTok } from "~/core/connection/session.server";
import { MAX_REPORT_DAYS, MAX_REPORT_PAGE_SIZE, type IntegratedReportParams } from "~/core/tiktok/client.server";
import { TikTokApiError } from "~/core/tiktok/errors";
import { addDays, dayIn, isKnownTimeZone, maxDate, minDate, splitWindows, startOfUtcHour, utcHourSlot } from "./dates";
import { spendValues, storeSpendRows, type SpendLevel } from "./store.server";

export type SyncKind = "backfill" | "manual" | "hourly";

/** Days pulled by the first sync after connecting (today included). */
export const BACKFILL_DAYS = 30;
/** Days re-pulled by every later run: TikTok restates recent days. */
export const RESTATE_DAYS = 3;
/** A run after a long gap (app down, account disconnected) catches up at most this far back. */
export const MAX_CATCHUP_DAYS = 90;
export const LEASE_MS = 2 * 60_000;
/** Finished runs are history for the dashboard and for gap detection (which looks back 90 days). */
export const KEEP_FINISHED_RUNS_DAYS = MAX_CATCHUP_DAYS + 10;
const ACTIVE_SLOT = "active";
const MAX_RETRYABLE_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 15 * 60_000;

const LEVELS: Record<SpendLevel, Pick<IntegratedReportParams, "dataLevel" | "dimensions" | "metrics" | "filtering">> = {
  campaign: {
    dataLevel: "AUCTION_CAMPAIGN",
    dimensions: ["campaign_id", "stat_time_day"],
    metrics: ["spend", "impressions", "clicks", "conversion", "currency", "campaign_name"],
    // Without this TikTok leaves out deleted campaigns, and the money they spent.
    filtering: [{ field_name: "campaign_status", filter_type: "IN", filter_value: JSON.stringify(["STATUS_ALL"]) }],
  },
  adgroup: {
    dataLevel: "AUCTION_ADGROUP",
    dimensions: ["adgroup_id", "stat_time_day"],
    metrics: ["spend", "impressions", "clicks", "conversion", "currency", "adgroup_name", "campaign_id"],
    filtering: [{ field_name: "adgroup_status", filter_type: "IN", filter_value: JSON.stringify(["STATUS_ALL"]) }],
  },
};

type Unit = { level: SpendLevel; start: string; end: string };

/** SyncRun.cursor: the run's plan and where it stands. */
export type SyncCursor = {
  advertiserId: string;
  timezone: string;
  range: { start: string; end: string };
  units: Unit[];
  /** Index into units of the next request, and its page. */
  unit: number;
  page: number;
  /** Consecutive failed attempts (reset by every page that arrives). */
  attempts: number;
  /** Why the run is waiting, when it is. */
  waitingFor?: "reconnect" | "rate_limit" | "retry";
};

export const workerId = () => `spend-${process.pid}-${randomUUID().slice(0, 8)}`;

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

export function parseCursor(raw: string | null): SyncCursor | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(raw) as SyncCursor;
    return Array.isArray(c.units) && typeof c.unit === "number" ? c : null;
  } catch {
    return null;
  }
}

function backoffMs(attempts: number) {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** The account's "today". An unknown zone falls back to UTC: at worst one day early or late. */
export function accountToday(timezone: string | null, now: Date): string {
  return dayIn(timezone && isKnownTimeZone(timezone) ? timezone : "UTC", now);
}

// ---------------------------------------------------------------------------------------------
// Requesting runs

const ACTIVE = { in: ["queued", "running"] };

/**
 * Queues a run for the shop unless one is already queued or running (then that one is returned,
 * queued: false). A run that stopped because the token died is resumed, not replaced.
 */
export async function requestSpendSync(shop: string, kind: SyncKind): Promise<{ queued: boolean; runId: string }> {
  const now = new Date();
  const active = await prisma.syncRun.findFirst({ where: { shop, status: ACTIVE }, orderBy: { createdAt: "asc" } });
  if (active) {
    const cursor = parseCursor(active.cursor);
    if (cursor?.waitingFor === "reconnect") {
      // The merchant reconnected (or asked again): resume now instead of at the old retry time.
      await prisma.syncRun.updateMany({
        where: { id: active.id, status: "queued" },
        data: { nextAttemptAt: now, cursor: JSON.stringify({ ...cursor, waitingFor: undefined, attempts: 0 }) },
      });
    }
    return { queued: false, runId: active.id };
  }
  try {
    const run = await prisma.syncRun.create({ data: { shop, kind, slot: ACTIVE_SLOT, status: "queued", nextAttemptAt: now } });
    startSoon();
    return { queued: true, runId: run.id };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another request (maybe on another instance) queued one a moment ago.
    const other = await prisma.syncRun.findFirst({ where: { shop, slot: ACTIVE_SLOT }, select: { id: true } });
    if (!other) throw error;
    return { queued: false, runId: other.id };
  }
}

/**
 * Creates this hour's run for every connected shop that has neither an active run nor a run
 * that started or finished in this UTC hour. Safe to call from any number of instances: the
 * unique (shop, slot) lets exactly one create succeed.
 */
export async function scheduleHourly(now = new Date()): Promise<string[]> {
  const slot = utcHourSlot(now);
  const hourStart = startOfUtcHour(now);
  const connected = await prisma.tikTokConnection.findMany({
    where: { status: "connected", advertiserId: { not: null }, accessTokenEnc: { not: null } },
    select: { shop: true },
  });
  if (connected.length === 0) return [];
  const shops = connected.map((c) => c.shop);
  const busy = await prisma.syncRun.findMany({
    where: {
      shop: { in: shops },
      OR: [{ status: ACTIVE }, { slot }, { createdAt: { gte: hourStart } }, { finishedAt: { gte: hourStart } }],
    },
    select: { shop: true },
    distinct: ["shop"],
  });
  const skip = new Set(busy.map((b) => b.shop));
  const created: string[] = [];
  for (const shop of shops) {
    if (skip.has(shop)) continue;
    try {
      await prisma.syncRun.create({ data: { shop, kind: "hourly", slot, status: "queued", nextAttemptAt: now, createdAt: now } });
      created.push(shop);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return created;
}

// ---------------------------------------------------------------------------------------------
// Planning

/** The end of the range the last completed run for this advertiser covered, if any. */
async function lastCoveredDay(shop: string, advertiserId: string): Promise<string | null> {
  const done = await prisma.syncRun.findMany({
    where: { shop, status: "done" },
    orderBy: { finishedAt: "desc" },
    take: 20,
    select: { cursor: true },
  });
  for (const run of done) {
    const c = parseCursor(run.cursor);
    if (c && c.advertiserId === advertiserId) return c.range.end;
  }
  return null;
}

/**
 * A backfill covers the last 30 days. Any other run re-pulls the last 3 days, reaching further
 * back when the previous completed run ended earlier (a gap while the app was down or
 * disconnected), and pulls 30 days when nothing was ever completed for this ad account.
 */
export async function planRun(run: Pick<SyncRun, "shop" | "kind">, connection: Pick<TikTokConnection, "advertiserId" | "advertiserTimezone">, now: Date): Promise<SyncCursor> {
  const advertiserId = connection.advertiserId!;
  const timezone = connection.advertiserTimezone ?? "UTC";
  const today = accountToday(timezone, now);
  let start = addDays(today, -(BACKFILL_DAYS - 1));
  if (run.kind !== "backfill") {
    const covered = await lastCoveredDay(run.shop, advertiserId);
    if (covered) start = maxDate(addDays(today, -(MAX_CATCHUP_DAYS - 1)), minDate(addDays(today, -(RESTATE_DAYS - 1)), addDays(covered, -(RESTATE_DAYS - 1))));
  }
  const units: Unit[] = [];
  for (const w of splitWindows(start, today, MAX_REPORT_DAYS)) {
    units.push({ level: "campaign", ...w }, { level: "adgroup", ...w });
  }
  return { advertiserId, timezone, range: { start, end: today }, units, unit: 0, page: 1, attempts: 0 };
}

// ---------------------------------------------------------------------------------------------
// Claiming and running

/** Runs whose shop is no longer connected at all cannot ever finish: close them. */
async function closeOrphanRuns(now: Date) {
  const active = await prisma.syncRun.findMany({ where: { status: ACTIVE }, select: { shop: true }, distinct: ["shop"] });
  if (active.length === 0) return;
  const live = await prisma.tikTokConnection.findMany({
    where: { shop: { in: active.map((a) => a.shop) }, status: { not: "disconnected" }, accessTokenEnc: { not: null } },
    select: { shop: true },
  });
  const liveShops = new Set(live.map((l) => l.shop));
  const orphans = active.map((a) => a.shop).filter((s) => !liveShops.has(s));
  if (orphans.length === 0) return;
  await prisma.syncRun.updateMany({
    where: { shop: { in: orphans }, status: ACTIVE, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    data: { status: "failed", slot: null, error: "TikTok was disconnected before this sync finished.", finishedAt: now, leaseOwner: null, leaseUntil: null },
  });
}

/** Hourly runs add 24 rows a day per shop: drop finished ones once gap detection cannot use them. */
async function pruneFinishedRuns(now: Date) {
  await prisma.syncRun.deleteMany({
    where: { status: { in: ["done", "failed"] }, finishedAt: { lt: new Date(now.getTime() - KEEP_FINISHED_RUNS_DAYS * 86_400_000) } },
  });
}

/** Claims one due run for `owner`, or returns null. Runs of shops that need a reconnect wait. */
export async function claimNextRun(owner: string, now: Date, skipIds: string[] = []): Promise<SyncRun | null> {
  const connected = await prisma.tikTokConnection.findMany({ where: { status: "connected" }, select: { shop: true } });
  if (connected.length === 0) return null;
  const expiredOrFree = [{ leaseUntil: null }, { leaseUntil: { lt: now } }];
  const candidates = await prisma.syncRun.findMany({
    where: {
      id: { notIn: skipIds },
      shop: { in: connected.map((c) => c.shop) },
      status: ACTIVE,
      nextAttemptAt: { lte: now },
      OR: expiredOrFree,
    },
    // Backfills first: a merchant who just connected is watching the progress bar.
    orderBy: [{ nextAttemptAt: "asc" }],
    take: 10,
  });
  candidates.sort((a, b) => Number(b.kind === "backfill") - Number(a.kind === "backfill"));
  for (const c of candidates) {
    const { count } = await prisma.syncRun.updateMany({
      where: { id: c.id, status: ACTIVE, OR: expiredOrFree },
      data: { status: "running", leaseOwner: owner, leaseUntil: new Date(now.getTime() + LEASE_MS), startedAt: c.startedAt ?? now },
    });
    if (count === 1) return prisma.syncRun.findUnique({ where: { id: c.id } });
  }
  return null;
}

export type RunOutcome = {
  runId: string;
  shop: string;
  kind: string;
  status: "done" | "waiting" | "failed" | "lost_lease";
  requests: number;
  created: number;
  updated: number;
  error?: string;
};

class LostLease extends Error {}
/** The connection changed under a queued run (reconnect pending, account being switched). */
class NotReady extends Error {}

type Clock = () => Date;

/** Executes a claimed run until it is done, must wait, or fails. */
export async function executeRun(run: SyncRun, owner: string, clock: Clock = () => new Date()): Promise<RunOutcome> {
  const out: RunOutcome = { runId: run.id, shop: run.shop, kind: run.kind, status: "done", requests: 0, created: 0, updated: 0 };
  const mine = { id: run.id, leaseOwner: owner };
  let failedRequests = 0;
  const release = { leaseOwner: null, leaseUntil: null };
  const closeSlot = run.slot === ACTIVE_SLOT ? { slot: null } : {};

  let cursor = parseCursor(run.cursor);
  try {
    await withTikTok(run.shop, async ({ client, token, connection }) => {
      if (connection.status !== "connected" || !connection.advertiserId) throw new NotReady();
      if (!cursor || cursor.advertiserId !== connection.advertiserId) {
        // First start, or the merchant switched ad accounts since this run was planned.
        cursor = await planRun(run, connection, clock());
        const saved = await prisma.syncRun.updateMany({
          where: mine,
          data: { cursor: JSON.stringify(cursor), windowsTotal: cursor.units.length, windowsDone: 0 },
        });
        if (saved.count !== 1) throw new LostLease();
      }
      const c = cursor;
      const currency = connection.advertiserCurrency ?? "";
      while (c.unit < c.units.length) {
        const unit = c.units[c.unit];
        let result;
        try {
          result = await client.integratedReport(token, {
            advertiserId: c.advertiserId,
            ...LEVELS[unit.level],
            startDate: unit.start,
            endDate: unit.end,
            page: c.page,
            pageSize: MAX_REPORT_PAGE_SIZE,
          });
        } catch (error) {
          // Counted when TikTok (or the network) answered; not for a request the client refused to send.
          if (!(error instanceof TikTokApiError && error.httpStatus === null && error.kind === "invalid")) failedRequests = 1;
          throw error;
        }
        out.requests++;
        const stored = await storeSpendRows({
          shop: run.shop,
          advertiserId: c.advertiserId,
          timezone: c.timezone,
          level: unit.level,
          rows: result.list.map((r) => spendValues(unit.level, r, currency)),
        });
        out.created += stored.created;
        out.updated += stored.updated;
        const lastPage = c.page >= result.pageInfo.totalPage || result.list.length === 0;
        if (lastPage) {
          c.unit++;
          c.page = 1;
        } else {
          c.page++;
        }
        c.attempts = 0;
        delete c.waitingFor;
        const saved = await prisma.syncRun.updateMany({
          where: mine,
          data: {
            cursor: JSON.stringify(c),
            requestsMade: { increment: 1 },
            windowsDone: lastPage ? { increment: 1 } : undefined,
            leaseUntil: new Date(clock().getTime() + LEASE_MS),
          },
        });
        if (saved.count !== 1) throw new LostLease();
      }
    });
    await prisma.syncRun.updateMany({
      where: mine,
      data: { status: "done", error: null, finishedAt: clock(), ...release, ...closeSlot, cursor: cursor ? JSON.stringify(cursor) : null },
    });
    return out;
  } catch (error) {
    if (error instanceof LostLease) return { ...out, status: "lost_lease" };
    const failedRequest = failedRequests;
    out.requests += failedRequests;
    const at = clock();
    if (error instanceof NotReady) {
      await prisma.syncRun.updateMany({
        where: mine,
        data: { status: "queued", error: "Waiting for the TikTok connection to be completed.", cursor: cursor ? JSON.stringify({ ...cursor, waitingFor: "reconnect" }) : null, ...release },
      });
      return { ...out, status: "waiting", error: "connection not ready" };
    }
    if (error instanceof NotConnected) {
      await prisma.syncRun.updateMany({
        where: mine,
        data: { status: "failed", error: "TikTok is not connected.", finishedAt: at, ...release, ...closeSlot },
      });
      return { ...out, status: "failed", error: "not connected" };
    }
    if (!(error instanceof TikTokApiError)) {
      const message = error instanceof Error ? error.message : String(error);
      await prisma.syncRun.updateMany({
        where: mine,
        data: { status: "failed", error: `Sync failed: ${message}`.slice(0, 500), finishedAt: at, ...release, ...closeSlot, requestsMade: { increment: failedRequest } },
      });
      return { ...out, status: "failed", error: message };
    }
    const c = cursor;
    const attempts = (c?.attempts ?? 0) + 1;
    const detail = `${error.tiktokMessage}${error.code ? ` (code ${error.code})` : ""}${error.requestId ? `, request ${error.requestId}` : ""}`;
    if (error.kind === "auth") {
      // withTikTok already flipped the connection to needs_reconnect. The run keeps its cursor
      // and stays queued; it is not claimed until the shop is connected again.
      await prisma.syncRun.updateMany({
        where: mine,
        data: {
          status: "queued",
          error: `Waiting for reconnect: ${detail}`.slice(0, 500),
          cursor: c ? JSON.stringify({ ...c, waitingFor: "reconnect", attempts: 0 }) : null,
          requestsMade: { increment: failedRequest },
          ...release,
        },
      });
      return { ...out, status: "waiting", error: detail };
    }
    if (error.kind === "rate_limited" || ((error.kind === "retryable" || error.kind === "unknown") && attempts < MAX_RETRYABLE_ATTEMPTS)) {
      const next = new Date(at.getTime() + backoffMs(attempts));
      const why = error.kind === "rate_limited" ? "TikTok rate limit" : "TikTok temporarily unavailable";
      await prisma.syncRun.updateMany({
        where: mine,
        data: {
          status: "queued",
          nextAttemptAt: next,
          error: `${why}: ${detail}; resuming at ${next.toISOString()}`.slice(0, 500),
          cursor: c ? JSON.stringify({ ...c, attempts, waitingFor: error.kind === "rate_limited" ? "rate_limit" : "retry" }) : null,
          requestsMade: { increment: failedRequest },
          ...release,
        },
      });
      return { ...out, status: "waiting", error: detail };
    }
    await prisma.syncRun.updateMany({
      where: mine,
      data: { status: "failed", error: `TikTok refused the report request: ${detail}`.slice(0, 500), finishedAt: at, requestsMade: { increment: failedRequest }, ...release, ...closeSlot },
    });
    return { ...out, status: "failed", error: detail };
  }
}

/**
 * The job: schedules this hour's runs, then claims and executes due runs one at a time until
 * none is left (or `maxRuns`). Any number of instances may call it concurrently.
 */
export async function runDueSyncs(opts: { owner?: string; now?: Date; maxRuns?: number } = {}) {
  const owner = opts.owner ?? workerId();
  // Tests pin the clock; in production every lease is computed from the real time.
  const clock: Clock = opts.now ? () => opts.now! : () => new Date();
  const scheduled = await scheduleHourly(clock());
  await closeOrphanRuns(clock());
  await pruneFinishedRuns(clock());
  const runs: RunOutcome[] = [];
  const seen: string[] = [];
  while (runs.length < (opts.maxRuns ?? 100)) {
    const run = await claimNextRun(owner, clock(), seen);
    if (!run) break;
    seen.push(run.id);
    runs.push(await executeRun(run, owner, clock));
  }
  return { scheduled, runs };
}

let kicked = false;

/**
 * With the in-process scheduler, a new run starts now rather than at the next minute's tick
 * (the merchant is watching the progress bar). Concurrent with the tick it is harmless: leases.
 */
function startSoon() {
  if (kicked || process.env.VITEST || !env().RUN_JOBS_IN_PROCESS) return;
  kicked = true;
  setTimeout(() => {
    runDueSyncs()
      .catch((error) => console.error("spend sync failed:", error instanceof Error ? error.message : error))
      .finally(() => (kicked = false));
  }, 100).unref();
}

/** Registered with app/jobs.server.ts: the in-process scheduler ticks once a minute. */
export const spendJob = { name: "spend-sync", everyMs: 60_000, run: () => runDueSyncs() };
