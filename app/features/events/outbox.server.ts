// The durable outbox of TikTok events. enqueueEvent is the one place rows are inserted. Rows are
// claimed with a lease so a crashed worker's rows come back by themselves, and so two workers
// never hold the same row at once.
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import prisma, { isPostgres } from "~/core/db.server";
import { env } from "~/core/env.server";
import { chunks } from "~/core/lib/chunks";
import { leaseFree, leaseUntil as leaseEnd, RELEASED } from "~/core/lib/lease.server";
import { backoffMs, EVENT_RETRY } from "~/core/retry-policy";
import type { TikTokEventItem } from "~/core/tiktok/event";
import { moveEvents } from "./send-status.server";
import { eventQueued } from "./wake.server";
import { RESEND_BLOCKED, pastHorizon, storefrontPixelsOf } from "./send-horizon.server";

export { workerId } from "~/core/lib/lease.server";

/**
 * How long a claim holds its rows. The pass renews it before every TikTok request, so it only
 * has to outlast one request (TIKTOK_TIMEOUT_MS) and the writes around it, with room to spare.
 */
export const leaseMsFor = (timeoutMs = env().TIKTOK_TIMEOUT_MS) => Math.max(60_000, 3 * timeoutMs);

/** When an event that has failed `attempts` times goes again. */
export const retryAt = (attempts: number, now = Date.now()) => new Date(now + backoffMs(attempts, EVENT_RETRY.backoff));

type NewEvent = {
  shop: string;
  orderRecordId: string;
  event: TikTokEventItem;
  eventTime: Date;
  pixelCode: string;
  status: "queued" | "waiting_reconnect" | "awaiting_payment";
};

/**
 * Queues an order's event together with the write that decides the order: `orderWrite` is one
 * INSERT or UPDATE of that OrderRecord row, which sets its sendDecision to the event's status, and
 * the event is inserted only if that write took effect, atomically with it. So of two deliveries of
 * one order, or of ingest and a late checkout link racing, only one queues an event (the unique
 * orderRecordId on the outbox is the last guard). A queued event wakes the in-process delivery
 * job. Returns whether this call queued the event.
 */
export async function enqueueEvent(orderWrite: Prisma.Sql, e: NewEvent, now = new Date()): Promise<boolean> {
  const values = Prisma.sql`${randomUUID()}, ${e.shop}, ${e.orderRecordId}, ${e.event.event_id}, ${e.event.event}, ${e.eventTime},
    ${e.pixelCode}, ${JSON.stringify(e.event)}, ${e.status}, 0, ${now}, ${e.status === "queued" ? now : null}, ${now}, ${now}`;
  const columns = Prisma.sql`"id", "shop", "orderRecordId", "eventId", "eventName", "eventTime", "pixelCode", "payload", "status",
    "attempts", "nextAttemptAt", "queuedAt", "createdAt", "updatedAt"`;
  let written: number;
  if (isPostgres()) {
    // One statement (data-modifying CTEs run once, atomically): one round trip instead of BEGIN,
    // two writes and COMMIT, which were a third of the ack on PostgreSQL (bench/webhooks.ts, BENCH_PROF).
    const [row] = await prisma.$queryRaw<{ written: number }[]>`
      WITH o AS (${orderWrite} RETURNING "id"),
        e AS (INSERT INTO "OutboxEvent" (${columns}) SELECT ${values} FROM o RETURNING 1)
      SELECT (SELECT count(*) FROM o)::int AS "written"`;
    written = Number(row.written);
  } else {
    // SQLite has no data-modifying CTEs; a batch transaction costs no round trip there. The event
    // goes in only if the order row now says it is queued for it and has no event yet: the row's
    // own state, not changes(), which other statements on the one shared connection can move
    // while a statement waits out another process's write lock (the fault script's lock phase).
    [, written] = await prisma.$transaction([
      prisma.$executeRaw(orderWrite),
      prisma.$executeRaw`INSERT INTO "OutboxEvent" (${columns}) SELECT ${values}
        WHERE EXISTS (SELECT 1 FROM "OrderRecord" WHERE "id" = ${e.orderRecordId} AND "sendDecision" = ${e.status})
          AND NOT EXISTS (SELECT 1 FROM "OutboxEvent" WHERE "orderRecordId" = ${e.orderRecordId})`,
    ]);
  }
  if (written !== 1) return false;
  if (e.status === "queued") eventQueued();
  return true;
}

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

/**
 * Resend a failed event with the same event_id (TikTok drops a duplicate of one that did arrive).
 * Not past its horizon: sent then, it would be expired anyway, or counted twice at TikTok.
 */
export async function resendEvent(shop: string, outboxId: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const event = await prisma.outboxEvent.findFirst({ where: { id: outboxId, shop, status: "failed" }, select: { eventTime: true, pixelCode: true } });
  if (!event) return { ok: false, message: "Only failed events can be resent." };
  const past = pastHorizon(event, (await storefrontPixelsOf([shop])).get(shop));
  if (past) return { ok: false, message: RESEND_BLOCKED[past.kind] };
  const moved = await moveEvents(
    { id: outboxId, shop, status: "failed" },
    "queued",
    { nextAttemptAt: new Date(), lastError: null, lastErrorClass: null, ...RELEASED },
  );
  return moved === 1 ? { ok: true } : { ok: false, message: "Only failed events can be resent." };
}
