// The incident sweep: reads what the jobs recorded (connections, the outbox, spend runs, the
// embed's heartbeat, the click cap, the sent events' match keys) for every installed, connected shop
// and opens or ends incidents to match. Delivery opens and ends its own incidents as it meets them
// (worker.server.ts); the sweep catches the rest, an outage that has lasted OUTAGE_SECONDS between
// two retries included, and ends what is over.
// Thresholds: docs/decisions/0025-alerts.md and the README.
import prisma from "~/core/db.server";
import { env } from "~/core/env.server";
import { readStorefrontPixels } from "~/core/attribution/touchpoints.server";
import { EMBED_DAYS, outageLasted, STALLED_MINUTES, type IncidentDetail, type IncidentKind } from "./messages";
import { endIncidents, startIncident, updateIncidentDetail } from "./incidents.server";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Spend-run errors that are not a sync failure but the connection's state (its own incident). */
const NOT_SYNC_FAILURES = ["TikTok is not connected.", "TikTok was disconnected before this sync finished."];

type Check = { open: boolean; detail?: IncidentDetail; confirm?: () => Promise<boolean> };

async function apply(shop: string, kind: IncidentKind, check: Check, openKinds: Set<string>, sweepStart: Date) {
  if (check.open) {
    if (openKinds.has(kind)) {
      if (check.detail) await updateIncidentDetail(shop, kind, check.detail);
      return;
    }
    // State read at the start of the sweep may have changed since (a reconnect): read it again.
    if (check.confirm && !(await check.confirm())) return;
    await startIncident(shop, kind, check.detail);
  } else if (openKinds.has(kind)) {
    await endIncidents(shop, [kind], { startedBefore: sweepStart });
  }
}

const countBy = <T extends { shop: string; _count: { _all: number } }>(rows: T[]) => new Map(rows.map((r) => [r.shop, r._count._all]));

/** One sweep over every connected shop. Returns the number of shops looked at. */
export async function detectIncidents(now = new Date()) {
  const sweepStart = new Date();
  const connections = await prisma.tikTokConnection.findMany({
    where: { status: { in: ["connected", "needs_reconnect"] } },
    select: { shop: true, status: true, deliveryProblem: true, pixelCode: true, connectedAt: true, retryingSince: true },
  });
  if (connections.length === 0) return 0;
  const shopIds = connections.map((c) => c.shop);
  const stalledBefore = new Date(now.getTime() - STALLED_MINUTES * MINUTE);
  const [shops, open, stalled, stalledLegacy, lost, runs, capped] = await Promise.all([
    prisma.shop.findMany({
      where: { shop: { in: shopIds } },
      select: { shop: true, uninstalledAt: true, installedAt: true, embedStatus: true, embedCheckedAt: true, lastStorefrontSignalAt: true, storefrontPixels: true },
    }),
    prisma.incident.findMany({ where: { shop: { in: shopIds }, openKind: { not: null } }, select: { shop: true, kind: true } }),
    // Waiting since it entered the queue: an event held for hours by a revoked token or for payment
    // is not stalled the moment it is released.
    prisma.outboxEvent.groupBy({
      by: ["shop"],
      where: { shop: { in: shopIds }, status: "queued", queuedAt: { lt: stalledBefore } },
      _count: { _all: true },
      _min: { queuedAt: true },
    }),
    // Rows written before queuedAt existed, and not touched since the migration.
    prisma.outboxEvent.groupBy({
      by: ["shop"],
      where: { shop: { in: shopIds }, status: "queued", queuedAt: null, createdAt: { lt: stalledBefore } },
      _count: { _all: true },
      _min: { createdAt: true },
    }),
    prisma.outboxEvent.groupBy({
      by: ["shop", "status"],
      where: { shop: { in: shopIds }, status: { in: ["failed", "expired"] }, updatedAt: { gte: new Date(now.getTime() - DAY) } },
      _count: { _all: true },
    }),
    prisma.syncRun.findMany({
      where: { shop: { in: shopIds }, status: { in: ["done", "failed"] }, finishedAt: { gte: new Date(now.getTime() - 3 * DAY) } },
      orderBy: { finishedAt: "desc" },
      select: { shop: true, status: true, error: true },
    }),
    prisma.touchpointDay.findMany({ where: { shop: { in: shopIds }, day: now.toISOString().slice(0, 10), capReachedAt: { not: null } }, select: { shop: true, day: true } }),
  ]);
  const shopRow = new Map(shops.map((s) => [s.shop, s]));
  const openBy = new Map<string, Set<string>>();
  for (const i of open) openBy.set(i.shop, (openBy.get(i.shop) ?? new Set()).add(i.kind));
  const stalledBy = new Map<string, Date>();
  for (const row of [...stalled.map((r) => ({ shop: r.shop, at: r._min.queuedAt })), ...stalledLegacy.map((r) => ({ shop: r.shop, at: r._min.createdAt }))]) {
    const before = stalledBy.get(row.shop);
    if (row.at && (!before || row.at < before)) stalledBy.set(row.shop, row.at);
  }
  const lostBy = new Map<string, { failed: number; expired: number }>();
  for (const l of lost) {
    const v = lostBy.get(l.shop) ?? { failed: 0, expired: 0 };
    v[l.status as "failed" | "expired"] += l._count._all;
    lostBy.set(l.shop, v);
  }
  const lastRun = new Map<string, { status: string; error: string | null }>();
  for (const r of runs) if (!lastRun.has(r.shop) && !NOT_SYNC_FAILURES.includes(r.error ?? "")) lastRun.set(r.shop, r);
  const cappedBy = new Map(capped.map((c) => [c.shop, c.day]));
  const retrying = countBy(
    await prisma.outboxEvent.groupBy({ by: ["shop"], where: { shop: { in: shopIds }, status: "queued", lastErrorClass: "retryable" }, _count: { _all: true } }),
  );

  for (const c of connections) {
    const shop = c.shop;
    const row = shopRow.get(shop);
    if (row?.uninstalledAt) continue;
    const openKinds = openBy.get(shop) ?? new Set<string>();
    try {
      await apply(
        shop,
        "reconnect",
        {
          open: c.status === "needs_reconnect",
          confirm: async () => (await prisma.tikTokConnection.findUnique({ where: { shop }, select: { status: true } }))?.status === "needs_reconnect",
        },
        openKinds,
        sweepStart,
      );
      // An outage: TikTok has failed (5xx, no answer) for OUTAGE_SECONDS without accepting a batch,
      // and events still wait on such a failure. Delivery opens it when a retry fails past that
      // point; the sweep opens it when the retries are further apart. Over once none waits on one.
      if (!retrying.get(shop)) {
        if (openKinds.has("tiktok_outage")) await endIncidents(shop, ["tiktok_outage"], { startedBefore: sweepStart });
        if (c.retryingSince) await prisma.tikTokConnection.updateMany({ where: { shop, retryingSince: { lt: sweepStart } }, data: { retryingSince: null } });
      } else if (!openKinds.has("tiktok_outage") && c.retryingSince && outageLasted(c.retryingSince, now)) {
        const since = (await prisma.tikTokConnection.findUnique({ where: { shop }, select: { retryingSince: true } }))?.retryingSince;
        if (since && outageLasted(since, now)) await startIncident(shop, "tiktok_outage");
      }
      await apply(
        shop,
        "delivery_problem",
        {
          open: Boolean(c.deliveryProblem),
          confirm: async () => Boolean((await prisma.tikTokConnection.findUnique({ where: { shop }, select: { deliveryProblem: true } }))?.deliveryProblem),
        },
        openKinds,
        sweepStart,
      );
      const old = stalledBy.get(shop);
      // Not a second alert for a cause already told: an outage or a problem of ours holds them.
      const explained = openKinds.has("tiktok_outage") || openKinds.has("delivery_problem") || c.status === "needs_reconnect";
      await apply(shop, "delivery_stalled", { open: Boolean(old) && !explained, detail: { oldestAt: old?.toISOString() } }, openKinds, sweepStart);
      const l = lostBy.get(shop);
      await apply(shop, "events_lost", { open: Boolean(l), detail: l }, openKinds, sweepStart);
      const run = lastRun.get(shop);
      await apply(shop, "spend_sync", { open: run?.status === "failed" && c.status === "connected", detail: { lastError: run?.error?.slice(0, 200) } }, openKinds, sweepStart);

      // The storefront: only once the shop has been connected long enough for the embed to report.
      const since = Math.max(row?.installedAt.getTime() ?? now.getTime(), c.connectedAt?.getTime() ?? now.getTime());
      const settled = now.getTime() - since > EMBED_DAYS * DAY;
      const seenAt = row?.lastStorefrontSignalAt ?? null;
      // The theme check is cached (Home re-reads it): the embed reporting in since then means it was switched back on.
      const off = row?.embedStatus === "off" && !(seenAt && row.embedCheckedAt && seenAt > row.embedCheckedAt);
      const unseen = settled && (!seenAt || now.getTime() - seenAt.getTime() > EMBED_DAYS * DAY);
      await apply(shop, "embed", { open: c.status === "connected" && (off || unseen), detail: { embed: off ? "off" : "not_seen", lastSeenAt: seenAt?.toISOString() ?? null } }, openKinds, sweepStart);
      const pixels = readStorefrontPixels(row?.storefrontPixels, now).map((p) => p.code);
      const mismatch = Boolean(c.pixelCode) && pixels.length > 0 && !pixels.includes(c.pixelCode!);
      await apply(shop, "pixel_mismatch", { open: mismatch, detail: { storefrontPixels: pixels, selectedPixel: c.pixelCode ?? undefined } }, openKinds, sweepStart);
      const day = cappedBy.get(shop);
      await apply(shop, "click_cap", { open: Boolean(day), detail: { day, cap: env().TOUCHPOINT_DAILY_CAP } }, openKinds, sweepStart);
    } catch (error) {
      // One shop's failure never stops the sweep for the others.
      console.error(`incidents: ${shop}:`, error instanceof Error ? error.message : error);
    }
  }
  return connections.length;
}

/**
 * Keys whose share of the sent events is compared with their own 7-day baseline: what the
 * merchant's checkout collects. Not the click id: which orders carry one depends on how many come
 * from TikTok ads (paused ads, a quiet day), and the app's click capture has incidents of its own
 * (the embed, the click cap).
 */
const COVERAGE_KEYS = ["email", "phone"] as const;
/** A drop is "sharp": at most half the baseline share, and at least 20 points below it. */
const COVERAGE_RATIO = 0.5;
const COVERAGE_MIN_DROP = 0.2;
/** Enough events on both sides that one odd order cannot make an incident. */
const COVERAGE_MIN_EVENTS = { recent: 10, baseline: 30 };

/**
 * Match-key coverage: the share of the purchase events sent to TikTok in the last 24 hours that
 * carried each key, against the 7 days before. Hourly (jobs.server.ts): counting is heavier than
 * the sweep's reads.
 */
export async function detectCoverageDrops(now = new Date()) {
  const sweepStart = new Date();
  const recentFrom = new Date(now.getTime() - DAY);
  const baselineFrom = new Date(recentFrom.getTime() - 7 * DAY);
  const connections = await prisma.tikTokConnection.findMany({ where: { status: "connected" }, select: { shop: true } });
  const shopIds = connections.map((c) => c.shop);
  if (!shopIds.length) return 0;
  // matchKeys is the JSON list of the keys the event carried (build-event.ts): a key is there quoted.
  const count = (from: Date, to: Date, key?: string) =>
    prisma.orderRecord
      .groupBy({
        by: ["shop"],
        where: { shop: { in: shopIds }, isTest: false, event: { status: "sent", sentAt: { gte: from, lt: to } }, ...(key ? { matchKeys: { contains: `"${key}"` } } : {}) },
        _count: { _all: true },
      })
      .then(countBy);
  const [recentTotal, baseTotal, open] = await Promise.all([
    count(recentFrom, now),
    count(baselineFrom, recentFrom),
    prisma.incident.findMany({ where: { shop: { in: shopIds }, openKind: "coverage_drop" }, select: { shop: true } }),
  ]);
  const perKey = await Promise.all(
    COVERAGE_KEYS.map(async (key) => ({ key, recent: await count(recentFrom, now, key), base: await count(baselineFrom, recentFrom, key) })),
  );
  const openShops = new Set(open.map((o) => o.shop));
  for (const shop of shopIds) {
    const r = recentTotal.get(shop) ?? 0;
    const b = baseTotal.get(shop) ?? 0;
    let drop: IncidentDetail | null = null;
    if (r >= COVERAGE_MIN_EVENTS.recent && b >= COVERAGE_MIN_EVENTS.baseline) {
      for (const k of perKey) {
        const share = (k.recent.get(shop) ?? 0) / r;
        const baseline = (k.base.get(shop) ?? 0) / b;
        if (share <= baseline * COVERAGE_RATIO && baseline - share >= COVERAGE_MIN_DROP) {
          drop = { key: k.key, share, baseline };
          break;
        }
      }
    }
    try {
      await apply(shop, "coverage_drop", { open: Boolean(drop), detail: drop ?? undefined }, openShops.has(shop) ? new Set(["coverage_drop"]) : new Set(), sweepStart);
    } catch (error) {
      console.error(`incidents: ${shop}:`, error instanceof Error ? error.message : error);
    }
  }
  return shopIds.length;
}
