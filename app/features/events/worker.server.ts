// Delivers outbox events to TikTok's Events API: claims due rows, groups them per shop and
// pixel, sends up to 1,000 per request, and records each outcome. Every state change is
// conditional on still holding the lease, so a worker that lost its lease cannot overwrite
// what another worker did. Before each request the pass renews its lease on every row it has
// not recorded yet and drops rows another worker has taken since, so a long pass (a slow
// TikTok) never sends rows someone else holds. Each shop is delivered on its own: an error of
// ours in one shop (an unreadable token, bad data, a bug) holds that shop's events, records the
// problem on its connection for the merchant to see, and the pass goes on with the next shop.
import type { OutboxEvent } from "@prisma/client";
import prisma from "~/core/db.server";
import { isDatabaseUnavailable } from "~/core/db-errors";
import { NotConnected, TokenUnreadable, withTikTok } from "~/core/connection/session.server";
import { TikTokApiError } from "~/core/tiktok/errors";
import { MAX_EVENTS_PER_REQUEST } from "~/core/tiktok/client.server";
import { EVENT_RETRY } from "~/core/retry-policy";
import { chunks } from "~/core/lib/chunks";
import { heldBy, leaseUntil, RELEASED } from "~/core/lib/lease.server";
import { claimDue, leaseMsFor, retryAt, workerId } from "./outbox.server";
import { moveEvents } from "./send-status.server";
import { cancelEvents } from "./cancellation.server";
import { eventsOfCancelledOrders } from "./refunds.server";
import { PAST_HORIZON_REASON, pastHorizon, storefrontPixelsOf } from "./send-horizon.server";
import type { OutboxStatus } from "./statuses";
import { endIncidents, startIncident } from "~/features/alerts/incidents.server";
import { outageLasted, type IncidentKind } from "~/features/alerts/messages";


type Outcome = { sent: number; retried: number; failed: number; waiting: number; expired: number; cancelled: number; held: number; requests: number };
const emptyOutcome = (): Outcome => ({ sent: 0, retried: 0, failed: 0, waiting: 0, expired: 0, cancelled: 0, held: 0, requests: 0 });


/** This pass's lease: who holds it, for how long, and the claimed rows not recorded yet. */
type PassLease = { owner: string; leaseMs: number; pending: Set<string> };

const mine = (owner: string, ids: string[]) => ({ id: { in: ids }, ...heldBy(owner) });

/** `to`: the account and pixel TikTok accepted the events for; the orders' revenue counts there. */
async function markSent(owner: string, ids: string[], requestId: string, note: string | null, to: { advertiserId: string | null; pixelCode: string }) {
  for (const chunk of chunks(ids)) {
    await moveEvents(
      mine(owner, chunk),
      "sent",
      { sentAt: new Date(), tiktokRequestId: requestId, lastError: note, lastErrorClass: null, pixelCode: to.pixelCode, ...RELEASED },
      to,
    );
  }
}


const describeError = (error: TikTokApiError) =>
  `${error.tiktokMessage}${error.code !== null ? ` (code ${error.code})` : ""}${error.requestId ? ` (request ${error.requestId})` : ""}`;

/** Retries later, or fails the events visibly once their class has used up its tries. Returns how many failed. */
async function markRetry(owner: string, events: OutboxEvent[], error: TikTokApiError): Promise<number> {
  const bound = EVENT_RETRY.maxConsecutiveFailures[error.kind];
  let failed = 0;
  for (const e of events) {
    // Counted per class: a rate limit between two outages does not use up the outage's tries.
    const attempt = e.lastErrorClass === error.kind ? e.attempts + 1 : 1;
    if (bound !== undefined && attempt >= bound) {
      await markStatus(owner, [e.id], "failed", `Not sent after ${attempt} tries: ${describeError(error)}.`, error.kind);
      failed++;
      continue;
    }
    await prisma.outboxEvent.updateMany({
      where: mine(owner, [e.id]),
      data: { attempts: attempt, nextAttemptAt: retryAt(attempt), lastError: describeError(error).slice(0, 500), lastErrorClass: error.kind, ...RELEASED },
    });
  }
  return failed;
}

async function markStatus(owner: string, ids: string[], status: Exclude<OutboxStatus, "queued" | "sent">, message: string, errorClass: string | null) {
  for (const chunk of chunks(ids)) {
    await moveEvents(mine(owner, chunk), status, { lastError: message.slice(0, 500), lastErrorClass: errorClass, attempts: { increment: 1 }, ...RELEASED });
  }
}

/**
 * Renews the lease on every row of the pass not recorded yet, forgets the ones another worker
 * took after the lease ran out, and returns those of `events` this pass still holds.
 */
async function stillHeld(lease: PassLease, events: OutboxEvent[]): Promise<OutboxEvent[]> {
  const ids = [...lease.pending];
  const until = leaseUntil(new Date(), lease.leaseMs);
  let renewed = 0;
  for (const chunk of chunks(ids)) {
    renewed += (await prisma.outboxEvent.updateMany({ where: { ...mine(lease.owner, chunk), status: "queued" }, data: { leaseUntil: until } })).count;
  }
  if (renewed < ids.length) {
    const held = new Set<string>();
    for (const chunk of chunks(ids)) {
      for (const row of await prisma.outboxEvent.findMany({ where: { ...mine(lease.owner, chunk), status: "queued" }, select: { id: true } })) held.add(row.id);
    }
    for (const id of ids) if (!held.has(id)) lease.pending.delete(id);
  }
  return events.filter((e) => lease.pending.has(e.id));
}

/** A stored payload that does not parse cannot be sent, ever: fail it alone, with the reason. */
async function parsePayloads(lease: PassLease, events: OutboxEvent[], out: Outcome) {
  const items: unknown[] = [];
  const kept: OutboxEvent[] = [];
  for (const e of events) {
    try {
      items.push(JSON.parse(e.payload));
      kept.push(e);
    } catch {
      await markStatus(lease.owner, [e.id], "failed", "Not sent: the stored event is unreadable (an error in this app). Contact the app's support.", "internal");
      lease.pending.delete(e.id);
      out.failed++;
    }
  }
  return { items, kept };
}

async function sendGroup(lease: PassLease, shop: string, claimed: OutboxEvent[], out: Outcome): Promise<void> {
  const owner = lease.owner;
  const { items, kept } = await parsePayloads(lease, await stillHeld(lease, claimed), out);
  const events = kept;
  if (events.length === 0) return;
  try {
    const result = await withTikTok(shop, async ({ client, token, connection }) => {
      if (connection.status === "needs_reconnect") throw new TikTokApiError({ kind: "auth", code: null, httpStatus: null, requestId: null, message: connection.lastAuthError ?? "Needs reconnect" });
      out.requests++;
      const to = { advertiserId: connection.advertiserId, pixelCode: connection.pixelCode ?? events[0].pixelCode };
      const sent = await client.trackEvents(token, { pixelCode: to.pixelCode, events: items as never[] });
      // TikTok took a batch: whatever held this shop's delivery before is over, a run of failures too.
      if (connection.deliveryProblem || connection.retryingSince)
        await prisma.tikTokConnection.updateMany({ where: { shop }, data: { deliveryProblem: null, deliveryProblemAt: null, retryingSince: null } });
      return { to, ...sent };
    });
    await markSent(owner, events.map((e) => e.id), result.requestId, null, result.to);
    out.sent += events.length;
    // TikTok took a batch: an outage, a revoked token or a problem of ours that held them is over.
    await incident(shop, "end", ["tiktok_outage", "reconnect", "delivery_problem"]);
    for (const e of events) lease.pending.delete(e.id);
  } catch (error) {
    if (error instanceof NotConnected) {
      await markStatus(owner, events.map((e) => e.id), "failed", "Not sent: TikTok was disconnected before this event went out.", "disconnected");
      out.failed += events.length;
      for (const e of events) lease.pending.delete(e.id);
      return;
    }
    // Not TikTok's answer: an error of ours, handled for the whole shop by the pass.
    if (!(error instanceof TikTokApiError)) throw error;
    if (error.kind === "auth") {
      await markStatus(owner, events.map((e) => e.id), "waiting_reconnect", `Waiting for reconnect: ${error.tiktokMessage}`, "auth");
      out.waiting += events.length;
      await incident(shop, "start", ["reconnect"]);
    } else if (error.kind === "invalid" && events.length > 1) {
      // One bad event must not fail its whole batch: split until the culprit stands alone. A
      // 20001 partial success lands here too: TikTok does not say which events it kept, so the
      // halves go again with the same event_ids and only a lone event TikTok still refuses is
      // failed; none is marked sent without a code 0 (docs/decisions/0015).
      const half = Math.ceil(events.length / 2);
      await sendGroup(lease, shop, events.slice(0, half), out);
      await sendGroup(lease, shop, events.slice(half), out);
    } else if (error.kind === "invalid") {
      await markStatus(owner, events.map((e) => e.id), "failed", `${error.tiktokMessage}${error.code ? ` (code ${error.code})` : ""}`, "invalid");
      out.failed += events.length;
    } else {
      const failed = await markRetry(owner, events, error);
      out.failed += failed;
      out.retried += events.length - failed;
      // TikTok failed or did not answer (not a rate limit: that is TikTok pacing us, retried as usual):
      // an outage once the failures have lasted OUTAGE_SECONDS, so one 5xx blip sends no email.
      if (error.kind === "retryable") await failing(shop);
    }
    for (const e of events) lease.pending.delete(e.id);
  }
}

function problemFor(error: unknown): string {
  if (error instanceof TokenUnreadable)
    return "This app cannot read the TikTok access it stored for your store (for example after the app's encryption key changed). Your events stay queued and are retried every few minutes; reconnect TikTok to fix it now.";
  const detail = (error instanceof Error ? error.message : String(error)).slice(0, 200);
  return `An error in this app stopped your events from being sent (${detail}). They stay queued and are retried every few minutes; if this lasts, contact the app's support.`;
}

/**
 * Holds the shop's unrecorded events (queued, due again in a few minutes, not failed) and records
 * the problem on its connection, where Home and Events show it.
 */
async function holdShop(lease: PassLease, shop: string, events: OutboxEvent[], error: unknown, out: Outcome) {
  const problem = problemFor(error);
  console.error(`delivery: ${shop}: events held:`, error instanceof Error ? error.message : error);
  const ids = events.filter((e) => lease.pending.has(e.id)).map((e) => e.id);
  const next = new Date(Date.now() + EVENT_RETRY.shopProblemRetryMs);
  for (const chunk of chunks(ids)) {
    const { count } = await prisma.outboxEvent.updateMany({
      where: { ...mine(lease.owner, chunk), status: "queued" },
      data: { nextAttemptAt: next, lastError: problem.slice(0, 500), lastErrorClass: "shop_problem", ...RELEASED },
    });
    out.held += count;
  }
  for (const id of ids) lease.pending.delete(id);
  const now = new Date();
  await prisma.tikTokConnection.updateMany({ where: { shop, deliveryProblemAt: null }, data: { deliveryProblemAt: now } });
  await prisma.tikTokConnection.updateMany({ where: { shop }, data: { deliveryProblem: problem } });
  await incident(shop, "start", ["delivery_problem"]);
}

/** Records when this run of TikTok failures began; opens the outage once it has lasted long enough. */
async function failing(shop: string) {
  try {
    const now = new Date();
    await prisma.tikTokConnection.updateMany({ where: { shop, retryingSince: null }, data: { retryingSince: now } });
    const since = (await prisma.tikTokConnection.findUnique({ where: { shop }, select: { retryingSince: true } }))?.retryingSince;
    if (since && outageLasted(since, now)) await incident(shop, "start", ["tiktok_outage"]);
  } catch (error) {
    console.error(`delivery: ${shop}: outage not recorded:`, error instanceof Error ? error.message : error);
  }
}

/** Incidents delivery sees first: told at once, and never allowed to hold delivery up. */
function incident(shop: string, change: "start" | "end", kinds: IncidentKind[]) {
  const done = change === "start" ? Promise.all(kinds.map((k) => startIncident(shop, k))) : endIncidents(shop, kinds);
  return done.then(
    () => undefined,
    (error) => console.error(`delivery: ${shop}: incident not recorded:`, error instanceof Error ? error.message : error),
  );
}

let stopRequested = false;
/** Owners of the delivery passes running in this process. */
const runningPasses = new Set<string>();

/**
 * Shutdown's last step, once the grace period is over: a pass still waiting for TikTok hands the
 * rows it has not recorded back to the queue now, instead of leaving them to wait out the lease.
 * TikTok may still take the batch in flight; those events go again with the same event_id, which
 * TikTok deduplicates, as after a crash. The pass can no longer record them (it no longer holds them).
 */
export async function handBackRunningPasses(): Promise<number> {
  if (runningPasses.size === 0) return 0;
  const { count } = await prisma.outboxEvent.updateMany({ where: { leaseOwner: { in: [...runningPasses] }, status: "queued" }, data: RELEASED });
  return count;
}

/** Shutdown: no new pass starts, and a running one sends no further batch and hands back the rest. */
export function stopDelivering() {
  stopRequested = true;
}

/** One pass: claim, send, record. Returns what happened (for logs, tests and the benchmark). */
export async function drainOnce(opts: { owner?: string; limit?: number; leaseMs?: number } = {}): Promise<Outcome> {
  const owner = opts.owner ?? workerId();
  const leaseMs = opts.leaseMs ?? leaseMsFor();
  const out = emptyOutcome();
  if (stopRequested) return out;
  const claimed = await claimDue(owner, opts.limit ?? 5_000, new Date(), leaseMs);
  if (claimed.length === 0) return out;
  const lease: PassLease = { owner, leaseMs, pending: new Set(claimed.map((e) => e.id)) };

  runningPasses.add(owner);
  try {
    // Cancelled before it went out: never sent (cancellation.server.ts). orders/cancelled stored
    // while ingest was deciding the order finds no event, and ingest's look after its insert may
    // come after this pass claimed the event, so the pass looks itself.
    const cancelled = await eventsOfCancelledOrders(claimed.map((e) => e.id));
    for (const chunk of chunks([...cancelled])) out.cancelled += await cancelEvents({ ...mine(owner, chunk), status: "queued" });
    for (const id of cancelled) lease.pending.delete(id);
    // Past its horizon an event is never sent: too old, or a second count at TikTok (send-horizon.server.ts).
    const browserPixels = await storefrontPixelsOf([...new Set(claimed.map((e) => e.shop))]);
    const past = new Map(claimed.filter((e) => !cancelled.has(e.id)).map((e) => [e.id, pastHorizon(e, browserPixels.get(e.shop))]));
    for (const kind of ["expired", "dedup_window"] as const) {
      const ids = claimed.filter((e) => past.get(e.id)?.kind === kind).map((e) => e.id);
      if (ids.length === 0) continue;
      await markStatus(owner, ids, "expired", PAST_HORIZON_REASON[kind], kind);
      for (const id of ids) lease.pending.delete(id);
      out.expired += ids.length;
    }
    // shop → pixel → events
    const shops = new Map<string, Map<string, OutboxEvent[]>>();
    for (const e of claimed) {
      if (cancelled.has(e.id) || past.get(e.id)) continue;
      const pixels = shops.get(e.shop) ?? new Map<string, OutboxEvent[]>();
      shops.set(e.shop, pixels);
      pixels.set(e.pixelCode, [...(pixels.get(e.pixelCode) ?? []), e]);
    }
    for (const [shop, pixels] of shops) {
      try {
        for (const events of pixels.values()) {
          for (let i = 0; i < events.length; i += MAX_EVENTS_PER_REQUEST) {
            if (stopRequested) break;
            await sendGroup(lease, shop, events.slice(i, i + MAX_EVENTS_PER_REQUEST), out);
          }
        }
      } catch (error) {
        // The database, not this shop: end the pass (every shop would hit it); the rows go back below.
        if (isDatabaseUnavailable(error)) throw error;
        await holdShop(lease, shop, [...pixels.values()].flat(), error, out);
      }
      if (stopRequested) break;
    }
    // Stopping: what this pass claimed and did not send goes back to the queue at once.
    if (stopRequested && lease.pending.size) await releaseLeases(owner, [...lease.pending]);
  } catch (error) {
    // A database error (connection lost, server restarted) ended the pass. The rows it had not
    // recorded yet would sit under this live worker's lease until it runs out; hand them back now.
    // One that TikTok may already have goes again with the same event_id, as after a crash.
    await releaseLeases(owner, claimed.map((e) => e.id)).catch(() => undefined);
    throw error;
  } finally {
    runningPasses.delete(owner);
  }
  return out;
}

async function releaseLeases(owner: string, ids: string[]) {
  for (const chunk of chunks(ids)) {
    await prisma.outboxEvent.updateMany({ where: { ...mine(owner, chunk), status: "queued" }, data: RELEASED });
  }
}

/** Drains until nothing is due (used by tests, the demo and `npm run worker`). */
export async function drainAll(opts: { owner?: string; maxPasses?: number } = {}) {
  const total = emptyOutcome();
  for (let pass = 0; pass < (opts.maxPasses ?? 1_000); pass++) {
    const out = await drainOnce({ owner: opts.owner });
    for (const k of Object.keys(total) as (keyof Outcome)[]) total[k] += out[k];
    if (out.sent + out.failed + out.waiting + out.expired + out.cancelled === 0) break; // nothing, or only retries and held shops: not due yet
  }
  return total;
}
