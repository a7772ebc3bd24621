// Spend sync: pulls daily spend at campaign and ad-group level from TikTok's integrated report
// into SpendRow. A run is a SyncRun row; its plan (date windows × levels) and resume point live
// in SyncRun.cursor, so a run stopped by a rate limit, a crash or an expired token continues
// where it stopped. Scheduling and leases are database facts (docs/decisions/0008):
//   - hourly runs carry slot = the UTC hour, unique per shop → one per connection per hour;
//   - on-demand runs (backfill, manual) carry slot = "active" while queued or running, unique
//     per shop → a second click cannot start a second run, even on another instance;
//   - a worker claims a run with a conditional update of leaseOwner/leaseUntil and renews the
//     lease after every page; every write is conditional on still holding it.
import { Prisma, type SyncRun, type TikTokConnection } from "@prisma/client";
import prisma from "~/core/db.server";
import { isDatabaseUnavailable } from "~/core/db-errors";
import { env } from "~/core/env.server";
import { NotConnected, withTikTok } from "~/core/connection/session.server";
import { heldBy, leaseFree, leaseUntil, RELEASED, workerId as leaseHolder } from "~/core/lib/lease.server";
import { backoffMs, SPEND_RETRY } from "~/core/retry-policy";
import { MAX_REPORT_DAYS, MAX_REPORT_PAGE_SIZE } from "~/core/tiktok/client.server";
import { TikTokApiError } from "~/core/tiktok/errors";
import { addDays, dayIn, isKnownTimeZone, maxDate, minDate, splitWindows, startOfUtcHour, utcHourSlot } from "./dates";
import { spendValues, storeSpendRows, type SpendLevel } from "./store.server";
import { pruneQuotaWindows, takeReportGrant, type ReportBudget } from "./quota.server";

/**
 * hourly: a shop with spend in the last 7 days, refreshed every hour; daily: any other connected
 * shop, refreshed once every 23 hours. Claimed in this order of priority: manual (Sync Now, the
 * merchant is watching), backfill (a new connection), hourly, daily (docs/decisions/0008).
 */
type SyncKind = "backfill" | "manual" | "hourly" | "daily";
const PRIORITY: SyncKind[] = ["manual", "backfill", "hourly", "daily"];
/** Spend on any of the last this many days makes a shop "active": refreshed hourly. */
const ACTIVE_DAYS = 7;
/** An idle shop's refresh is due this long after its last completed one (at least daily). */
const IDLE_REFRESH_MS = 23 * 3_600_000;

/** Days pulled by the first sync after connecting (today included). */
const BACKFILL_DAYS = 30;
/** Days re-pulled by every later run: TikTok restates recent days. */
const RESTATE_DAYS = 3;
/** A run after a long gap (app down, account disconnected) catches up at most this far back. */
const MAX_CATCHUP_DAYS = 90;
/** @public used by tests/integration/spend-sync.test.ts */
export const LEASE_MS = 2 * 60_000;
/** Finished runs are history for the dashboard and for gap detection (which looks back 90 days). */
/** @public used by tests/integration/spend-sync.test.ts */
export const KEEP_FINISHED_RUNS_DAYS = MAX_CATCHUP_DAYS + 10;
const ACTIVE_SLOT = "active";

type Unit = { level: SpendLevel; start: string; end: string };

/** SyncRun.cursor: the run's plan and where it stands. */
type SyncCursor = {
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
  /** Campaign names seen in the current ad-group window's pages, for the campaign rows rolled up at its end. */
  campaignNames?: Record<string, string>;
};

const workerId = () => leaseHolder("spend");

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

/** The account's "today". An unknown zone falls back to UTC: at worst one day early or late. */
/** @public used by tests/integration/spend-sync.test.ts */
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
/** The connection's 30-day backfill is queued or running (what the connection page may say "now" about). */
export async function backfillInProgress(shop: string) {
  return (await prisma.syncRun.count({ where: { shop, kind: "backfill", status: ACTIVE } })) > 0;
}

export async function requestSpendSync(shop: string, kind: SyncKind, now = new Date()): Promise<{ queued: boolean; runId: string }> {
  const active = await prisma.syncRun.findFirst({ where: { shop, status: ACTIVE }, orderBy: { createdAt: "asc" } });
  if (active && kind === "manual" && (active.kind === "hourly" || active.kind === "daily")) {
    // Sync Now while this hour's refresh waits its turn: it becomes the merchant's run, first in
    // line, and an on-demand run (slot "active"): done before the shop's second of the hour, it
    // leaves that hour's refresh to come at its slot (scheduleRefreshes).
    const takeOver = { where: { id: active.id, status: "queued" }, data: { kind: "manual", nextAttemptAt: now } };
    try {
      await prisma.syncRun.updateMany({ ...takeOver, data: { ...takeOver.data, slot: ACTIVE_SLOT } });
    } catch (error) {
      // Another on-demand run holds the shop's "active" slot already (a race): keep the hour's.
      if (!isUniqueViolation(error)) throw error;
      await prisma.syncRun.updateMany(takeOver);
    }
    startSoon();
  }
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
    const run = await prisma.syncRun.create({ data: { shop, kind, slot: ACTIVE_SLOT, status: "queued", nextAttemptAt: now, createdAt: now } });
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

/** A shop's fixed second within the hour: hourly refreshes spread over the hour, not a wave at :00. */
export function hourOffsetMs(shop: string): number {
  let h = 2166136261;
  for (let i = 0; i < shop.length; i++) h = Math.imul(h ^ shop.charCodeAt(i), 16777619);
  return ((h >>> 0) % 3600) * 1_000;
}

/**
 * What this hour's runs say about the shops' refreshes: `blocked`, a run is queued or running or
 * holds this hour's slot; `latest`, the last moment a run was created or finished in this hour.
 */
async function thisHoursRuns(shops: string[], now: Date) {
  const hourStart = startOfUtcHour(now);
  const [held, recent] = await Promise.all([
    prisma.syncRun.groupBy({ by: ["shop"], where: { shop: { in: shops }, OR: [{ status: ACTIVE }, { slot: utcHourSlot(now) }] } }),
    prisma.syncRun.groupBy({
      by: ["shop"],
      where: { shop: { in: shops }, OR: [{ createdAt: { gte: hourStart } }, { finishedAt: { gte: hourStart } }] },
      _max: { createdAt: true, finishedAt: true },
    }),
  ]);
  const latest = new Map(recent.map((r) => [r.shop, Math.max(r._max.createdAt?.getTime() ?? 0, r._max.finishedAt?.getTime() ?? 0)]));
  return { blocked: new Set(held.map((h) => h.shop)), latest };
}

/**
 * Whether the shop's refresh in the hour of `now` is still to come, given the last moment a run
 * was created or finished in that hour. An active shop's is taken only by a run at or after its
 * own second of the hour: a Sync Now before it leaves it due. For an idle shop any run this hour does.
 */
function hourStillDue(shop: string, isActive: boolean, now: Date, latest: number | undefined) {
  if (latest === undefined) return true;
  return isActive ? latest < startOfUtcHour(now).getTime() + hourOffsetMs(shop) : false;
}

/**
 * Creates this hour's refresh for every connected shop that needs one and has no active run:
 * an active shop (spend in the last 7 days) once per UTC hour, due at its own offset in the hour
 * (at once if it was never refreshed); an idle shop when its last completed run is 23 hours old.
 * Safe to call from any number of instances: the unique (shop, slot) lets exactly one create succeed.
 */
async function scheduleRefreshes(now = new Date()): Promise<string[]> {
  const slot = utcHourSlot(now);
  const hourStart = startOfUtcHour(now);
  const connected = await prisma.tikTokConnection.findMany({
    where: { status: "connected", advertiserId: { not: null }, accessTokenEnc: { not: null } },
    select: { shop: true },
  });
  if (connected.length === 0) return [];
  const shops = connected.map((c) => c.shop);
  const { blocked, latest } = await thisHoursRuns(shops, now);
  // Days are account-local; one day of slack either side of UTC covers every zone.
  const since = addDays(dayIn("UTC", now), -ACTIVE_DAYS);
  // One row per shop, grouped by the database: Prisma's `distinct` would read every matching row
  // (every ad group's day of every shop) and drop the duplicates in the client.
  const spending = await prisma.spendRow.groupBy({ by: ["shop"], where: { spend: { gt: 0 }, date: { gte: since } } });
  const active = new Set(spending.map((r) => r.shop));
  const refreshed = await prisma.syncRun.groupBy({ by: ["shop"], where: { status: "done", finishedAt: { gte: new Date(now.getTime() - IDLE_REFRESH_MS) } } });
  const recent = new Set(refreshed.map((r) => r.shop));
  const everDone = new Set(
    (await prisma.syncRun.groupBy({ by: ["shop"], where: { status: "done", shop: { in: shops.filter((s) => !recent.has(s)) } } })).map((r) => r.shop),
  );
  const created: string[] = [];
  for (const shop of shops) {
    if (blocked.has(shop)) continue;
    const isActive = active.has(shop);
    if (!hourStillDue(shop, isActive, now, latest.get(shop))) continue;
    if (!isActive && recent.has(shop)) continue;
    // Never refreshed: due now. Otherwise an active shop's refresh comes at its offset in the hour.
    const due = isActive && (recent.has(shop) || everDone.has(shop)) ? new Date(Math.max(now.getTime(), hourStart.getTime() + hourOffsetMs(shop))) : now;
    try {
      await prisma.syncRun.create({ data: { shop, kind: isActive ? "hourly" : "daily", slot, status: "queued", nextAttemptAt: due, createdAt: now } });
      created.push(shop);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return created;
}

/**
 * How often the shop's account is refreshed and when its next refresh is due, by the same rules
 * as scheduleRefreshes. "Due" is when it may start; a run already queued or running says so.
 * Null when the shop is not connected (nothing is refreshed).
 */
export async function refreshSchedule(shop: string, now: Date): Promise<{ cadence: "hourly" | "daily"; nextDueAt: string; lastRefreshedAt: string | null } | null> {
  const connection = await prisma.tikTokConnection.findUnique({ where: { shop }, select: { status: true, advertiserId: true } });
  if (connection?.status !== "connected" || !connection.advertiserId) return null;
  const since = addDays(dayIn("UTC", now), -ACTIVE_DAYS);
  const [spending, lastDone, active, hour] = await Promise.all([
    prisma.spendRow.findFirst({ where: { shop, spend: { gt: 0 }, date: { gte: since } }, select: { id: true } }),
    prisma.syncRun.findFirst({ where: { shop, status: "done" }, orderBy: { finishedAt: "desc" }, select: { finishedAt: true } }),
    prisma.syncRun.findFirst({ where: { shop, status: ACTIVE }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true } }),
    thisHoursRuns([shop], now),
  ]);
  const cadence = spending ? "hourly" : "daily";
  const last = lastDone?.finishedAt ?? null;
  const hourStart = startOfUtcHour(now).getTime();
  // The scheduler creates nothing more in this hour: the earliest is the next hour's first tick.
  const nextHour = hour.blocked.has(shop) || !hourStillDue(shop, cadence === "hourly", now, hour.latest.get(shop)) ? hourStart + 3_600_000 : null;
  let due: number;
  if (active) due = active.nextAttemptAt.getTime();
  else if (cadence === "daily") due = Math.max(last ? last.getTime() + IDLE_REFRESH_MS : now.getTime(), nextHour ?? 0);
  else if (!last) due = nextHour ?? now.getTime();
  // At the shop's second of this hour, or of the next one when this hour's refresh is taken.
  else due = (nextHour ?? hourStart) + hourOffsetMs(shop);
  return { cadence, nextDueAt: new Date(Math.max(due, now.getTime())).toISOString(), lastRefreshedAt: last?.toISOString() ?? null };
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
/** @public used by tests/integration/spend-sync.test.ts */
export async function planRun(run: Pick<SyncRun, "shop" | "kind">, connection: Pick<TikTokConnection, "advertiserId" | "advertiserTimezone">, now: Date): Promise<SyncCursor> {
  const advertiserId = connection.advertiserId!;
  const timezone = connection.advertiserTimezone ?? "UTC";
  const today = accountToday(timezone, now);
  let start = addDays(today, -(BACKFILL_DAYS - 1));
  if (run.kind !== "backfill") {
    const covered = await lastCoveredDay(run.shop, advertiserId);
    if (covered) start = maxDate(addDays(today, -(MAX_CATCHUP_DAYS - 1)), minDate(addDays(today, -(RESTATE_DAYS - 1)), addDays(covered, -(RESTATE_DAYS - 1))));
  }
  // One ad-group report per window serves both levels (campaign rows are rolled up from it):
  // half the requests of asking each level. A cursor planned before this still has campaign
  // units; executeRun runs those as they are.
  const units: Unit[] = splitWindows(start, today, MAX_REPORT_DAYS).map((w) => ({ level: "adgroup", ...w }));
  return { advertiserId, timezone, range: { start, end: today }, units, unit: 0, page: 1, attempts: 0 };
}

// ---------------------------------------------------------------------------------------------
// Claiming and running

/** Runs whose shop is no longer connected at all cannot ever finish: close them. */
async function closeOrphanRuns(now: Date) {
  const active = await prisma.syncRun.groupBy({ by: ["shop"], where: { status: ACTIVE } });
  if (active.length === 0) return;
  const live = await prisma.tikTokConnection.findMany({
    where: { shop: { in: active.map((a) => a.shop) }, status: { not: "disconnected" }, accessTokenEnc: { not: null } },
    select: { shop: true },
  });
  const liveShops = new Set(live.map((l) => l.shop));
  const orphans = active.map((a) => a.shop).filter((s) => !liveShops.has(s));
  if (orphans.length === 0) return;
  await prisma.syncRun.updateMany({
    where: { shop: { in: orphans }, status: ACTIVE, OR: leaseFree(now) },
    data: { status: "failed", slot: null, error: "TikTok was disconnected before this sync finished.", finishedAt: now, ...RELEASED },
  });
}

/** Hourly runs add 24 rows a day per shop: drop finished ones once gap detection cannot use them. */
async function pruneFinishedRuns(now: Date) {
  await prisma.syncRun.deleteMany({
    where: { status: { in: ["done", "failed"] }, finishedAt: { lt: new Date(now.getTime() - KEEP_FINISHED_RUNS_DAYS * 86_400_000) } },
  });
}

/**
 * Claims one due run for `owner`, or returns null: the highest priority first (Sync Now, then
 * backfills, then hourly, then daily refreshes), oldest due first within one. Runs of shops that
 * need a reconnect wait.
 */
/** @public used by tests/integration/spend-sync.test.ts */
export async function claimNextRun(owner: string, now: Date, skipIds: string[] = [], kinds: SyncKind[] = PRIORITY): Promise<SyncRun | null> {
  const expiredOrFree = leaseFree(now);
  const skip = [...skipIds];
  for (let k = 0; k < kinds.length; k++) {
    const kind = kinds[k];
    const candidates = await prisma.syncRun.findMany({
      where: {
        id: { notIn: skip },
        kind,
        status: ACTIVE,
        nextAttemptAt: { lte: now },
        OR: expiredOrFree,
      },
      orderBy: [{ nextAttemptAt: "asc" }],
      take: 10,
    });
    if (candidates.length === 0) continue;
    const connected = new Set(
      (await prisma.tikTokConnection.findMany({ where: { status: "connected", shop: { in: candidates.map((c) => c.shop) } }, select: { shop: true } })).map((c) => c.shop),
    );
    for (const c of candidates) {
      if (!connected.has(c.shop)) {
        // Waiting for a reconnect: look past it, so ten such runs cannot hide the rest of the tier.
        skip.push(c.id);
        continue;
      }
      const { count } = await prisma.syncRun.updateMany({
        where: { id: c.id, status: ACTIVE, OR: expiredOrFree },
        data: { status: "running", leaseOwner: owner, leaseUntil: leaseUntil(now, LEASE_MS), startedAt: c.startedAt ?? now },
      });
      if (count === 1) return prisma.syncRun.findUnique({ where: { id: c.id } });
    }
    if (candidates.some((c) => !connected.has(c.shop))) k--;
  }
  return null;
}

type RunOutcome = {
  runId: string;
  shop: string;
  kind: string;
  status: "done" | "waiting" | "failed" | "lost_lease";
  requests: number;
  created: number;
  updated: number;
  error?: string;
};

// ---------------------------------------------------------------------------------------------
// The run as a state machine. Every write executeRun makes is one of these steps, applied by
// `step` as one update conditional on still holding the lease.

/** What just happened to a claimed run. */
type Step =
  | { kind: "planned"; cursor: SyncCursor }
  /** The app's share of TikTok's quota is used up for now: back in the queue until `retryAt`. */
  | { kind: "paced"; cursor: SyncCursor; retryAt: Date }
  | { kind: "page_stored"; cursor: SyncCursor; windowDone: boolean }
  | { kind: "finished"; cursor: SyncCursor | null }
  /** The connection is not usable yet (reconnect pending, ad account being switched). */
  | { kind: "connection_not_ready"; cursor: SyncCursor | null }
  /** The shop has no TikTok connection any more. */
  | { kind: "disconnected" }
  /** Our own failure (database, bug): not TikTok's. */
  | { kind: "crashed"; message: string; failedRequests: number }
  | { kind: "needs_reconnect" | "rate_limited" | "unavailable" | "refused"; error: TikTokApiError; cursor: SyncCursor | null; failedRequests: number };

type StepKind = Step["kind"];
type StepOf<K extends StepKind> = Step & { kind: K };
type Waiting = NonNullable<SyncCursor["waitingFor"]>;

type Transition<K extends StepKind> = {
  status: "running" | "queued" | "done" | "failed";
  /** What executeRun reports for the step, when the run stops there. */
  reports: RunOutcome["status"] | null;
  /** keep: the worker carries on; renew: and it made progress; release: the run goes back or ends. */
  lease: "keep" | "renew" | "release";
  /** The run is over: finishedAt is set and an on-demand run frees the shop's "active" slot. */
  finishes: boolean;
  /** How the cursor is saved: not at all, as the step has it, or marked as waiting. */
  cursor: "unchanged" | "save" | { waitingFor: Waiting; attempts: "keep" | "reset" | "add_one" };
  /** backoff: not claimed again before the policy's delay for the cursor's new attempt count. */
  nextAttempt: "unchanged" | "backoff";
  /** SyncRun.error; undefined leaves it as it is. */
  error(step: StepOf<K>, at: { next: Date }): string | null | undefined;
};

const detail = (e: TikTokApiError) => `${e.tiktokMessage}${e.code ? ` (code ${e.code})` : ""}${e.requestId ? `, request ${e.requestId}` : ""}`;

const TRANSITIONS: { [K in StepKind]: Transition<K> } = {
  planned: { status: "running", reports: null, lease: "keep", finishes: false, cursor: "save", nextAttempt: "unchanged", error: () => undefined },
  paced: { status: "queued", reports: "waiting", lease: "release", finishes: false, cursor: "save", nextAttempt: "unchanged", error: () => undefined },
  page_stored: { status: "running", reports: null, lease: "renew", finishes: false, cursor: "save", nextAttempt: "unchanged", error: () => undefined },
  finished: { status: "done", reports: "done", lease: "release", finishes: true, cursor: "save", nextAttempt: "unchanged", error: () => null },
  connection_not_ready: {
    status: "queued",
    reports: "waiting",
    lease: "release",
    finishes: false,
    cursor: { waitingFor: "reconnect", attempts: "keep" },
    nextAttempt: "unchanged",
    error: () => "Waiting for the TikTok connection to be completed.",
  },
  disconnected: { status: "failed", reports: "failed", lease: "release", finishes: true, cursor: "unchanged", nextAttempt: "unchanged", error: () => "TikTok is not connected." },
  crashed: { status: "failed", reports: "failed", lease: "release", finishes: true, cursor: "unchanged", nextAttempt: "unchanged", error: (s) => `Sync failed: ${s.message}` },
  // withTikTok already flipped the connection to needs_reconnect. The run keeps its cursor and
  // stays queued; it is not claimed until the shop is connected again.
  needs_reconnect: {
    status: "queued",
    reports: "waiting",
    lease: "release",
    finishes: false,
    cursor: { waitingFor: "reconnect", attempts: "reset" },
    nextAttempt: "unchanged",
    error: (s) => `Waiting for reconnect: ${detail(s.error)}`,
  },
  rate_limited: {
    status: "queued",
    reports: "waiting",
    lease: "release",
    finishes: false,
    cursor: { waitingFor: "rate_limit", attempts: "add_one" },
    nextAttempt: "backoff",
    error: (s, at) => `TikTok rate limit: ${detail(s.error)}; resuming at ${at.next.toISOString()}`,
  },
  unavailable: {
    status: "queued",
    reports: "waiting",
    lease: "release",
    finishes: false,
    cursor: { waitingFor: "retry", attempts: "add_one" },
    nextAttempt: "backoff",
    error: (s, at) => `TikTok temporarily unavailable: ${detail(s.error)}; resuming at ${at.next.toISOString()}`,
  },
  refused: {
    status: "failed",
    reports: "failed",
    lease: "release",
    finishes: true,
    cursor: "unchanged",
    nextAttempt: "unchanged",
    error: (s) => `TikTok refused the report request: ${detail(s.error)}`,
  },
};

/** Which step a failed TikTok call leads to. An outage is retried a few times, then given up. */
function afterTikTokError(error: TikTokApiError, cursor: SyncCursor | null): "needs_reconnect" | "rate_limited" | "unavailable" | "refused" {
  if (error.kind === "auth") return "needs_reconnect";
  if (error.kind === "rate_limited") return "rate_limited";
  if ((error.kind === "retryable" || error.kind === "unknown") && (cursor?.attempts ?? 0) + 1 < SPEND_RETRY.maxConsecutiveFailures) return "unavailable";
  return "refused";
}

/** Writes a step's next state. False when `owner` no longer holds the run's lease. */
async function step(run: SyncRun, owner: string, s: Step, at: Date): Promise<boolean> {
  const t: Transition<StepKind> = TRANSITIONS[s.kind];
  const cursor = "cursor" in s ? s.cursor : null;
  const data: Prisma.SyncRunUpdateManyMutationInput = { status: t.status };

  let attempts = cursor?.attempts ?? 0;
  if (t.cursor === "save") {
    data.cursor = cursor ? JSON.stringify(cursor) : null;
  } else if (t.cursor !== "unchanged") {
    if (t.cursor.attempts === "reset") attempts = 0;
    if (t.cursor.attempts === "add_one") attempts += 1;
    const changes = t.cursor.attempts === "keep" ? { waitingFor: t.cursor.waitingFor } : { attempts, waitingFor: t.cursor.waitingFor };
    data.cursor = cursor ? JSON.stringify({ ...cursor, ...changes }) : null;
  }
  const next = t.nextAttempt === "backoff" ? new Date(at.getTime() + backoffMs(attempts, SPEND_RETRY.backoff)) : at;
  if (t.nextAttempt === "backoff") data.nextAttemptAt = next;
  if (s.kind === "paced") data.nextAttemptAt = s.retryAt;

  if (t.lease === "renew") data.leaseUntil = leaseUntil(at, LEASE_MS);
  if (t.lease === "release") Object.assign(data, RELEASED);
  if (t.finishes) {
    data.finishedAt = at;
    if (run.slot === ACTIVE_SLOT) data.slot = null;
  }

  const error = t.error(s, { next });
  if (error !== undefined) data.error = error === null ? null : error.slice(0, 500);

  // Progress counters: the plan sets them, each stored page and each failed request adds to them.
  if (s.kind === "planned") Object.assign(data, { windowsTotal: s.cursor.units.length, windowsDone: 0 });
  if (s.kind === "page_stored") {
    data.requestsMade = { increment: 1 };
    if (s.windowDone) data.windowsDone = { increment: 1 };
  }
  if ("failedRequests" in s) data.requestsMade = { increment: s.failedRequests };

  const { count } = await prisma.syncRun.updateMany({ where: { id: run.id, ...heldBy(owner) }, data });
  return count === 1;
}

/**
 * The campaign rows of a window, as the sums of its ad groups' stored rows (all pages of the
 * window are stored by now). A TikTok figure is the sum only when every ad group of that day reported
 * it; otherwise null (not reported), never a partial sum or 0 (the dashboard's rule, ADR 0008).
 */
async function rollUpCampaigns(shop: string, c: SyncCursor, unit: Unit) {
  const groups = await prisma.spendRow.groupBy({
    by: ["campaignId", "date", "currency"],
    where: { shop, level: "adgroup", advertiserId: c.advertiserId, date: { gte: unit.start, lte: unit.end }, campaignId: { not: null } },
    _sum: { spend: true, impressions: true, clicks: true, conversions: true, purchases: true, purchaseValue: true, viewPurchases: true, viewPurchaseValue: true },
    _count: { _all: true, purchases: true, purchaseValue: true, viewPurchases: true, viewPurchaseValue: true },
  });
  if (groups.length === 0) return { created: 0, updated: 0 };
  const existingNames = new Map(
    (
      await prisma.spendRow.findMany({
        where: { shop, level: "campaign", entityId: { in: [...new Set(groups.map((g) => g.campaignId!))] }, name: { not: null } },
        select: { entityId: true, name: true },
        distinct: ["entityId"],
      })
    ).map((r) => [r.entityId, r.name]),
  );
  const rows = groups.map((g) => {
    const s = g._sum;
    const all = (n: number) => n === g._count._all;
    return {
      entityId: g.campaignId!,
      campaignId: g.campaignId,
      name: c.campaignNames?.[g.campaignId!] ?? existingNames.get(g.campaignId!) ?? null,
      date: g.date,
      spend: new Prisma.Decimal(s.spend ?? 0),
      impressions: s.impressions ?? 0,
      clicks: s.clicks ?? 0,
      conversions: s.conversions,
      conversionValue: null,
      purchases: all(g._count.purchases) ? s.purchases : null,
      purchaseValue: all(g._count.purchaseValue) ? s.purchaseValue : null,
      viewPurchases: all(g._count.viewPurchases) ? s.viewPurchases : null,
      viewPurchaseValue: all(g._count.viewPurchaseValue) ? s.viewPurchaseValue : null,
      currency: g.currency,
    };
  });
  return storeSpendRows({ shop, advertiserId: c.advertiserId, timezone: c.timezone, level: "campaign", rows });
}

class LostLease extends Error {}
/** No grant of the app's TikTok quota to be had soon. */
class Paced extends Error {
  constructor(readonly retryAt: Date) {
    super("paced");
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits for a grant of the app's quota: a few short waits for the next second; when the minute
 * is spent, the run goes back to the queue (Paced) and the worker is free for urgent runs.
 */
async function grant(run: SyncRun, clock: Clock, budget: ReportBudget | undefined, wait: (ms: number) => Promise<void>) {
  const urgency = run.kind === "manual" || run.kind === "backfill" ? "urgent" : "background";
  for (let tries = 0; ; tries++) {
    const at = clock();
    const g = await takeReportGrant(at, urgency, budget);
    if (g.granted) return;
    const ms = g.retryAt.getTime() - at.getTime();
    if (ms > 1_000 || tries >= 3) throw new Paced(g.retryAt);
    await wait(ms);
  }
}
/** The connection changed under a queued run (reconnect pending, account being switched). */
class NotReady extends Error {}

type Clock = () => Date;

/**
 * A clock other than the real one, for the whole job: `now` gives the time every lease, grant and
 * finishedAt is computed from, `sleep` waits that clock's milliseconds. Only bench/spend-scale.ts
 * passes one (a simulated day on a compressed clock shared by several processes); production and
 * the tests use the real clock or a pinned `now`.
 */
type SyncClock = { now: () => Date; sleep: (ms: number) => Promise<void> };

/** Executes a claimed run until it is done, must wait, or fails. */
async function executeRun(run: SyncRun, owner: string, clock: Clock, budget: ReportBudget | undefined, wait: (ms: number) => Promise<void>): Promise<RunOutcome> {
  const out: RunOutcome = { runId: run.id, shop: run.shop, kind: run.kind, status: "done", requests: 0, created: 0, updated: 0 };
  let failedRequests = 0;
  let cursor = parseCursor(run.cursor);
  const advance = async (s: Step) => {
    if (!(await step(run, owner, s, clock()))) throw new LostLease();
  };

  let last: Step;
  try {
    await withTikTok(run.shop, async ({ client, token, connection }) => {
      if (connection.status !== "connected" || !connection.advertiserId) throw new NotReady();
      if (!cursor || cursor.advertiserId !== connection.advertiserId) {
        // First start, or the merchant switched ad accounts since this run was planned.
        cursor = await planRun(run, connection, clock());
        await advance({ kind: "planned", cursor });
      }
      const c = cursor;
      const currency = connection.advertiserCurrency ?? "";
      while (c.unit < c.units.length) {
        const unit = c.units[c.unit];
        let result;
        await grant(run, clock, budget, wait);
        try {
          result = await client.spendReport(token, {
            advertiserId: c.advertiserId,
            level: unit.level,
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
          rows: result.rows.map((r) => spendValues(unit.level, r, currency)),
        });
        out.created += stored.created;
        out.updated += stored.updated;
        const windowDone = c.page >= result.pageInfo.totalPage || result.rows.length === 0;
        if (unit.level === "adgroup") {
          for (const r of result.rows) if (r.campaignId && r.campaignName) (c.campaignNames ??= {})[r.campaignId] = r.campaignName;
          if (windowDone) {
            const rolled = await rollUpCampaigns(run.shop, c, unit);
            out.created += rolled.created;
            out.updated += rolled.updated;
            delete c.campaignNames;
          }
        }
        if (windowDone) {
          c.unit++;
          c.page = 1;
        } else {
          c.page++;
        }
        c.attempts = 0;
        delete c.waitingFor;
        await advance({ kind: "page_stored", cursor: c, windowDone });
      }
    });
    last = { kind: "finished", cursor };
  } catch (error) {
    if (error instanceof LostLease) return { ...out, status: "lost_lease" };
    if (error instanceof Paced && cursor) {
      await step(run, owner, { kind: "paced", cursor, retryAt: error.retryAt }, clock());
      return { ...out, status: "waiting", error: "paced" };
    }
    if (isDatabaseUnavailable(error)) {
      // The database, not the sync, failed: no "Sync failed" for the merchant. The run keeps its
      // saved cursor and is claimed again on a later tick (at the latest when its lease runs out).
      await prisma.syncRun.updateMany({ where: { id: run.id, ...heldBy(owner) }, data: RELEASED }).catch(() => undefined);
      throw error;
    }
    out.requests += failedRequests;
    if (error instanceof NotReady) last = { kind: "connection_not_ready", cursor };
    else if (error instanceof NotConnected) last = { kind: "disconnected" };
    else if (error instanceof TikTokApiError) last = { kind: afterTikTokError(error, cursor), error, cursor, failedRequests };
    else last = { kind: "crashed", message: error instanceof Error ? error.message : String(error), failedRequests };
  }
  await step(run, owner, last, clock());
  return { ...out, status: TRANSITIONS[last.kind].reports ?? "done", ...summary(last) };
}

/** The short reason executeRun reports (for logs and the /internal/sync answer). */
function summary(s: Step): { error?: string } {
  switch (s.kind) {
    case "connection_not_ready":
      return { error: "connection not ready" };
    case "disconnected":
      return { error: "not connected" };
    case "crashed":
      return { error: s.message };
    case "needs_reconnect":
    case "rate_limited":
    case "unavailable":
    case "refused":
      return { error: detail(s.error) };
    default:
      return {};
  }
}

type JobOptions = { owner?: string; now?: Date; clock?: SyncClock; maxRuns?: number; budget?: ReportBudget };

/** Claims and executes due runs of `kinds`, one at a time, until none is left (or `maxRuns`). */
async function executeDueRuns(opts: JobOptions, kinds: SyncKind[]) {
  const owner = opts.owner ?? workerId();
  const clock = jobClock(opts);
  const wait = opts.clock?.sleep ?? sleep;
  const runs: RunOutcome[] = [];
  const seen: string[] = [];
  while (runs.length < (opts.maxRuns ?? 100)) {
    const run = await claimNextRun(owner, clock(), seen, kinds);
    if (!run) break;
    seen.push(run.id);
    runs.push(await executeRun(run, owner, clock, opts.budget, wait));
  }
  return runs;
}

// Tests pin the clock; in production every lease is computed from the real time.
const jobClock = (opts: JobOptions): Clock => (opts.clock ? opts.clock.now : opts.now ? () => opts.now! : () => new Date());

/**
 * The job: schedules this hour's runs, then claims and executes due runs one at a time until
 * none is left (or `maxRuns`). Any number of instances may call it concurrently.
 */
export async function runDueSyncs(opts: JobOptions = {}) {
  const clock = jobClock(opts);
  const scheduled = await scheduleRefreshes(clock());
  await closeOrphanRuns(clock());
  await pruneFinishedRuns(clock());
  await pruneQuotaWindows(clock());
  return { scheduled, runs: await executeDueRuns(opts, PRIORITY) };
}

/**
 * The claim-only job: executes the runs already due, most urgent first, and nothing else (no
 * scheduling, pruning or orphan closing: those stay on runDueSyncs' minute). Every few seconds on
 * every worker, so a Sync Now queued on any app instance starts within that, not at the next
 * minute, and an hourly refresh the scheduler queued for the shop's second of the hour starts
 * within seconds of it: on the minute's tick alone it started up to a minute late, and an hourly
 * account was then older than an hour at its next refresh (bench/spend-scale.ts measured p99
 * staleness 60.1 min). Concurrent with runDueSyncs it is harmless: a run is executed by whoever
 * holds its lease.
 */
export async function claimDueSyncs(opts: JobOptions = {}) {
  return { runs: await executeDueRuns(opts, PRIORITY) };
}

let kicked = false;

/**
 * With the in-process scheduler, a new run starts now rather than at the claim job's next tick
 * (the merchant is watching the progress bar). Concurrent with the ticks it is harmless: leases.
 */
function startSoon() {
  if (kicked || !env().RUN_JOBS_IN_PROCESS) return;
  kicked = true;
  setTimeout(() => {
    claimDueSyncs()
      .catch((error) => console.error("spend sync failed:", error instanceof Error ? error.message : error))
      .finally(() => (kicked = false));
  }, 100).unref();
}

/** Registered with app/features/jobs.server.ts: the scheduler ticks once a minute. */
export const spendJob = { name: "spend-sync", everyMs: 60_000, run: () => runDueSyncs() };
/** Registered with app/features/jobs.server.ts: a due run (Sync Now first) starts within 10 s on any worker. */
export const spendClaimJob = { name: "spend-claim", everyMs: 10_000, run: () => claimDueSyncs() };
