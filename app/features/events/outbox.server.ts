// The durable outbox of TikTok events. Rows are claimed with a lease so a crashed worker's
// rows come back by themselves, and so two workers never hold the same row at once.
import prisma, { isPostgres } from "~/core/db.server";
import { env } from "~/core/env.server";
import { chunks } from "~/core/lib/chunks";
import { backoffMs, leaseFree, leaseUntil as leaseEnd, RELEASED, type BackoffPolicy } from "~/core/lib/lease.server";
import { moveEvents } from "./send-status.server";

export { workerId } from "~/core/lib/lease.server";

/**
 * How long a claim holds its rows. The pass renews it before every TikTok request, so it only
 * has to outlast one request (TIKTOK_TIMEOUT_MS) and the writes around it, with room to spare.
 */
export const leaseMsFor = (timeoutMs = env().TIKTOK_TIMEOUT_MS) => Math.max(60_000, 3 * timeoutMs);
/** 4 s, 8 s, 16 s ... up to an hour after each failure, of which between half and all is waited. */
const OUTBOX_BACKOFF: BackoffPolicy = { baseMs: 4_000, capMs: 60 * 60 * 1000, jitter: 0.5, minMs: 1_000 };

/** When an event that has failed `attempts` times goes again. */
export const retryAt = (attempts: number, now = Date.now()) => new Date(now + backoffMs(attempts, OUTBOX_BACKOFF));

/** Claims up to `limit` due events for `owner`. Returns the claimed rows. */
export async function claimDue(owner: string, limit: number, now = new Date(), leaseMs = leaseMsFor()) {
  const leaseUntil = leaseEnd(now, leaseMs);
  let ids: string[];
  if (isPostgres()) {
    // SKIP LOCKED: concurrent workers take disjoint rows instead of queueing behind each other.
    const rows = await prisma.$queryRaw<{ id: string }[]>`
      UPDATE "OutboxEvent" SET "leaseOwner" = ${owner}, "leaseUntil" = ${leaseUntil}
      WHERE id IN (
        SELECT id FROM "OutboxEvent"
        WHERE status = 'queued' AND "nextAttemptAt" <= ${now}
          AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now})
        ORDER BY "nextAttemptAt"
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id`;
    ids = rows.map((r) => r.id);
  } else {
    // SQLite has one writer at a time, so a conditional update is already exclusive.
    const candidates = await prisma.outboxEvent.findMany({
      where: { status: "queued", nextAttemptAt: { lte: now }, OR: leaseFree(now) },
      orderBy: { nextAttemptAt: "asc" },
      take: limit,
      select: { id: true },
    });
    if (candidates.length === 0) return [];
    for (const chunk of chunks(candidates.map((c) => c.id))) {
      await prisma.outboxEvent.updateMany({
        where: { id: { in: chunk }, status: "queued", OR: leaseFree(now) },
        data: { leaseOwner: owner, leaseUntil },
      });
    }
    ids = candidates.map((c) => c.id);
  }
  if (ids.length === 0) return [];
  const claimed = [];
  for (const chunk of chunks(ids)) {
    claimed.push(...(await prisma.outboxEvent.findMany({ where: { id: { in: chunk }, leaseOwner: owner, status: "queued" } })));
  }
  return claimed;
}

/** After a reconnect: events that waited, or were held by a problem of the shop's, go out now. */
export async function releaseWaitingEvents(shop: string) {
  await prisma.outboxEvent.updateMany({ where: { shop, status: "queued", lastErrorClass: "shop_problem" }, data: { nextAttemptAt: new Date() } });
  return moveEvents({ shop, status: "waiting_reconnect" }, "queued", { nextAttemptAt: new Date(), ...RELEASED });
}

/** Resend a failed event with the same event_id (TikTok drops a duplicate of one that did arrive). */
export async function resendEvent(shop: string, outboxId: string) {
  const moved = await moveEvents(
    { id: outboxId, shop, status: "failed" },
    "queued",
    { nextAttemptAt: new Date(), lastError: null, lastErrorClass: null, ...RELEASED },
  );
  return moved === 1;
}
