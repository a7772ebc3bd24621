// Delivers outbox events to TikTok's Events API: claims due rows, groups them per shop and
// pixel, sends up to 1,000 per request, and records each outcome. Every state change is
// conditional on still holding the lease, so a worker that lost its lease cannot overwrite
// what another worker did.
import type { OutboxEvent } from "@prisma/client";
import prisma from "~/core/db.server";
import { NotConnected, withTikTok } from "~/core/connection/session.server";
import { TikTokApiError } from "~/core/tiktok/errors";
import { EVENT_LOOKBACK_DAYS, MAX_EVENTS_PER_REQUEST } from "~/core/tiktok/client.server";
import { chunks } from "~/core/lib/chunks";
import { heldBy, RELEASED } from "~/core/lib/lease.server";
import { claimDue, retryAt, workerId } from "./outbox.server";
import { moveEvents } from "./send-status.server";
import type { OutboxStatus } from "./statuses";

const DAY_MS = 24 * 60 * 60 * 1000;

type Outcome = { sent: number; retried: number; failed: number; waiting: number; expired: number; requests: number };

const mine = (owner: string, ids: string[]) => ({ id: { in: ids }, ...heldBy(owner) });

async function markSent(owner: string, ids: string[], requestId: string, note: string | null) {
  for (const chunk of chunks(ids)) {
    await moveEvents(mine(owner, chunk), "sent", { sentAt: new Date(), tiktokRequestId: requestId, lastError: note, lastErrorClass: null, ...RELEASED });
  }
}

/**
 * How many consecutive failures of one class an event may have before it is failed visibly.
 * With the outbox backoff, 36 `retryable` tries span 13 to 26 hours (a TikTok outage or a gateway
 * page); 10 `unknown` tries span 17 to 34 minutes. Rate limits have no count: the event window
 * (EVENT_LOOKBACK_DAYS) bounds them. docs/decisions/0015.
 */
export const MAX_CONSECUTIVE_FAILURES: Partial<Record<TikTokApiError["kind"], number>> = { retryable: 36, unknown: 10 };

const describeError = (error: TikTokApiError) =>
  `${error.tiktokMessage}${error.code !== null ? ` (code ${error.code})` : ""}${error.requestId ? ` (request ${error.requestId})` : ""}`;

/** Retries later, or fails the events visibly once their class has used up its tries. Returns how many failed. */
async function markRetry(owner: string, events: OutboxEvent[], error: TikTokApiError): Promise<number> {
  const bound = MAX_CONSECUTIVE_FAILURES[error.kind];
  let failed = 0;
  for (const e of events) {
    // Counted per class: a rate limit between two outages does not use up the outage's tries.
    const attempt = e.lastErrorClass === error.kind ? e.attempts + 1 : 1;
    if (bound !== undefined && attempt >= bound) {
      await markStatus(owner, [e.id], "failed", `Not sent after ${attempt} tries: ${describeError(error)}. Resend to try again.`, error.kind);
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

async function sendGroup(owner: string, shop: string, events: OutboxEvent[], out: Outcome): Promise<void> {
  try {
    const result = await withTikTok(shop, async ({ client, token, connection }) => {
      if (connection.status === "needs_reconnect") throw new TikTokApiError({ kind: "auth", code: null, httpStatus: null, requestId: null, message: connection.lastAuthError ?? "Needs reconnect" });
      out.requests++;
      return client.trackEvents(token, { pixelCode: connection.pixelCode ?? events[0].pixelCode, events: events.map((e) => JSON.parse(e.payload)) });
    });
    await markSent(owner, events.map((e) => e.id), result.requestId, null);
    out.sent += events.length;
  } catch (error) {
    if (error instanceof NotConnected) {
      await markStatus(owner, events.map((e) => e.id), "failed", "Not sent: TikTok was disconnected before this event went out. Reconnect, then Resend.", "disconnected");
      out.failed += events.length;
      return;
    }
    if (!(error instanceof TikTokApiError)) throw error;
    if (error.kind === "auth") {
      await markStatus(owner, events.map((e) => e.id), "waiting_reconnect", `Waiting for reconnect: ${error.tiktokMessage}`, "auth");
      out.waiting += events.length;
    } else if (error.kind === "invalid" && events.length > 1) {
      // One bad event must not fail its whole batch: split until the culprit stands alone. A
      // 20001 partial success lands here too: TikTok does not say which events it kept, so the
      // halves go again with the same event_ids and only a lone event TikTok still refuses is
      // failed; none is marked sent without a code 0 (docs/decisions/0015).
      const half = Math.ceil(events.length / 2);
      await sendGroup(owner, shop, events.slice(0, half), out);
      await sendGroup(owner, shop, events.slice(half), out);
    } else if (error.kind === "invalid") {
      await markStatus(owner, events.map((e) => e.id), "failed", `${error.tiktokMessage}${error.code ? ` (code ${error.code})` : ""}`, "invalid");
      out.failed += events.length;
    } else {
      const failed = await markRetry(owner, events, error);
      out.failed += failed;
      out.retried += events.length - failed;
    }
  }
}

let stopRequested = false;

/** Shutdown: no new pass starts, and a running one sends no further batch and hands back the rest. */
export function stopDelivering() {
  stopRequested = true;
}

/** One pass: claim, send, record. Returns what happened (for logs, tests and the benchmark). */
export async function drainOnce(opts: { owner?: string; limit?: number } = {}): Promise<Outcome> {
  const owner = opts.owner ?? workerId();
  const out: Outcome = { sent: 0, retried: 0, failed: 0, waiting: 0, expired: 0, requests: 0 };
  if (stopRequested) return out;
  const claimed = await claimDue(owner, opts.limit ?? 5_000);
  if (claimed.length === 0) return out;

  try {
    const oldestAllowed = Date.now() - EVENT_LOOKBACK_DAYS * DAY_MS;
    const expired = claimed.filter((e) => e.eventTime.getTime() < oldestAllowed);
    if (expired.length) {
      await markStatus(owner, expired.map((e) => e.id), "expired", `Not sent: older than TikTok accepts (${EVENT_LOOKBACK_DAYS} days).`, null);
      out.expired += expired.length;
    }
    const groups = new Map<string, OutboxEvent[]>();
    for (const e of claimed) {
      if (e.eventTime.getTime() < oldestAllowed) continue;
      const key = `${e.shop}\u0000${e.pixelCode}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    const batches: OutboxEvent[][] = [];
    for (const events of groups.values())
      for (let i = 0; i < events.length; i += MAX_EVENTS_PER_REQUEST) batches.push(events.slice(i, i + MAX_EVENTS_PER_REQUEST));
    for (const [n, batch] of batches.entries()) {
      if (stopRequested) {
        await releaseLeases(owner, batches.slice(n).flat().map((e) => e.id));
        break;
      }
      await sendGroup(owner, batch[0].shop, batch, out);
    }
  } catch (error) {
    // A database error (connection lost, server restarted) ended the pass. The rows it had not
    // recorded yet would sit under this live worker's lease for LEASE_MS; hand them back now.
    // One that TikTok may already have goes again with the same event_id, as after a crash.
    await releaseLeases(owner, claimed.map((e) => e.id)).catch(() => undefined);
    throw error;
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
  const total: Outcome = { sent: 0, retried: 0, failed: 0, waiting: 0, expired: 0, requests: 0 };
  for (let pass = 0; pass < (opts.maxPasses ?? 1_000); pass++) {
    const out = await drainOnce({ owner: opts.owner });
    for (const k of Object.keys(total) as (keyof Outcome)[]) total[k] += out[k];
    if (out.sent + out.failed + out.waiting + out.expired + out.retried === 0) break;
    if (out.sent + out.failed + out.waiting + out.expired === 0) break; // only retries left: they are not due yet
  }
  return total;
}
