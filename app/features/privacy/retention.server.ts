// The retention job: cuts event payloads down once they can no longer be sent, clears order
// records' hashes after ORDER_HASH_DAYS (docs/decisions/0017), and drops signal-score days after
// SIGNAL_SCORE_DAYS (docs/decisions/0025), and drops the cancellations kept for orders that never
// arrived (refunds.server.ts). Runs hourly (jobs.server.ts).
import prisma from "~/core/db.server";
import { EVENT_RETRY } from "~/core/retry-policy";
import { purgeUnmatchedCancellations } from "~/features/events/refunds.server";
import { EVENT_PAYLOAD_DAYS, ORDER_HASH_DAYS, SIGNAL_SCORE_DAYS } from "./retention";

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

// The worker expires anything older than TikTok's limit before sending, so a reduced payload can
// never go out; this keeps the retention period from drifting below that limit.
if (EVENT_PAYLOAD_DAYS <= EVENT_RETRY.horizonDays) throw new Error("event payloads must outlive TikTok's event-time limit");

/** What the Events page and a data request still need of a sent event: no user block, no page URL. */
function reducedPayload(payload: string): string {
  try {
    const event = JSON.parse(payload) as { event?: unknown; event_time?: unknown; event_id?: unknown; properties?: Record<string, unknown> };
    const p = event.properties ?? {};
    return JSON.stringify({ event: event.event, event_time: event.event_time, event_id: event.event_id, properties: { value: p.value, currency: p.currency, order_id: p.order_id } });
  } catch {
    return "{}";
  }
}

export async function purgeExpiredPersonalData(now = new Date()) {
  const payloadCutoff = new Date(now.getTime() - EVENT_PAYLOAD_DAYS * DAY_MS);
  let events = 0;
  for (;;) {
    const due = await prisma.outboxEvent.findMany({
      where: { payloadReducedAt: null, eventTime: { lt: payloadCutoff } },
      select: { id: true, payload: true },
      take: BATCH,
    });
    if (due.length === 0) break;
    await prisma.$transaction(
      due.map((e) => prisma.outboxEvent.update({ where: { id: e.id }, data: { payload: reducedPayload(e.payload), payloadReducedAt: now } })),
    );
    events += due.length;
    if (due.length < BATCH) break;
  }
  const hashes = await prisma.orderRecord.updateMany({
    where: { receivedAt: { lt: new Date(now.getTime() - ORDER_HASH_DAYS * DAY_MS) }, OR: [{ emailHash: { not: null } }, { phoneHash: { not: null } }] },
    data: { emailHash: null, phoneHash: null, hashesPurgedAt: now },
  });
  const scores = await prisma.signalScoreDay.deleteMany({ where: { day: { lt: new Date(now.getTime() - SIGNAL_SCORE_DAYS * DAY_MS).toISOString().slice(0, 10) } } });
  const cancellations = await purgeUnmatchedCancellations(now);
  return { eventsReduced: events, ordersCleared: hashes.count, scoreDaysDeleted: scores.count, cancellationsDeleted: cancellations };
}
