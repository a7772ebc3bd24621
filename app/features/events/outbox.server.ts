// The durable outbox of TikTok events. Rows are claimed with a lease so a crashed worker's
// rows come back by themselves, and so two workers never hold the same row at once.
import { randomUUID } from "node:crypto";
import prisma, { isPostgres } from "~/core/db.server";

export const LEASE_MS = 60_000;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 60 * 60 * 1000;

export const workerId = () => `${process.pid}-${randomUUID().slice(0, 8)}`;

/** Exponential backoff with full jitter, capped: retries spread out instead of stampeding TikTok. */
export function backoffMs(attempts: number, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempts, 20));
  return Math.max(1_000, Math.floor(ceiling / 2 + random() * (ceiling / 2)));
}

/** Claims up to `limit` due events for `owner`. Returns the claimed rows. */
export async function claimDue(owner: string, limit: number, now = new Date()) {
  const leaseUntil = new Date(now.getTime() + LEASE_MS);
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
      where: { status: "queued", nextAttemptAt: { lte: now }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      orderBy: { nextAttemptAt: "asc" },
      take: limit,
      select: { id: true },
    });
    if (candidates.length === 0) return [];
    for (const chunk of chunks(candidates.map((c) => c.id))) {
      await prisma.outboxEvent.updateMany({
        where: { id: { in: chunk }, status: "queued", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
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

/**
 * SQLite (through Prisma's driver adapter) refuses a statement with more bound parameters than its
 * limit (the claim of a 2,500-event backlog failed on every pass), so id lists go in slices.
 */
export const ID_CHUNK = 500;
export function chunks<T>(items: readonly T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** After a reconnect: events that waited go out now. */
export async function releaseWaitingEvents(shop: string) {
  const { count } = await prisma.outboxEvent.updateMany({
    where: { shop, status: "waiting_reconnect" },
    data: { status: "queued", nextAttemptAt: new Date(), leaseOwner: null, leaseUntil: null },
  });
  if (count) await prisma.orderRecord.updateMany({ where: { shop, sendDecision: "waiting_reconnect" }, data: { sendDecision: "queued" } });
  return count;
}

/** Resend a failed event with the same event_id (TikTok drops a duplicate of one that did arrive). */
export async function resendEvent(shop: string, outboxId: string) {
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.outboxEvent.updateMany({
      where: { id: outboxId, shop, status: { in: ["failed"] } },
      data: { status: "queued", nextAttemptAt: new Date(), lastError: null, lastErrorClass: null, leaseOwner: null, leaseUntil: null },
    });
    // The Events page shows the order's decision: it must say Queued now, not Failed.
    if (count === 1) await tx.orderRecord.updateMany({ where: { shop, event: { id: outboxId } }, data: { sendDecision: "queued" } });
    return count === 1;
  });
}
