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

async function markRetry(owner: string, events: OutboxEvent[], error: TikTokApiError) {
  for (const e of events) {
    await prisma.outboxEvent.updateMany({
      where: mine(owner, [e.id]),
      data: {
        attempts: { increment: 1 },
        nextAttemptAt: retryAt(e.attempts + 1),
        lastError: `${error.tiktokMessage}${error.requestId ? ` (request ${error.requestId})` : ""}`.slice(0, 500),
        lastErrorClass: error.kind,
        ...RELEASED,
      },
    });
  }
}

async function markStatus(owner: string, ids: string[], status: Exclude<OutboxStatus, "queued" | "sent">, message: string, errorClass: string | null) {
  for (const chunk of chunks(ids)) {
    await moveEvents(mine(owner, chunk), status, { lastError: message.slice(0, 500), lastErrorClass: errorClass, attempts: { increment: 1 }, ...RELEASED });
  }
}

/**
 * The events a partial success refused, when TikTok's answer names them (by event_id or by
 * index in the batch). TikTok's per-event detail is unconfirmed (docs/decisions/0006); we read a
 * `failed_events` list tolerantly and, when there is none, cannot tell which failed.
 */
function refusedInPartial(data: unknown, events: OutboxEvent[]): Map<string, string> {
  const refused = new Map<string, string>();
  const list = data && typeof data === "object" ? (data as { failed_events?: unknown }).failed_events : undefined;
  if (!Array.isArray(list)) return refused;
  for (const item of list) {
    if (!item || typeof item !== "object") continue;
    const { event_id: eventId, index, message } = item as { event_id?: unknown; index?: unknown; message?: unknown };
    const event =
      typeof eventId === "string" && eventId
        ? events.find((e) => e.eventId === eventId)
        : typeof index === "number" && Number.isInteger(index)
          ? events[index]
          : undefined;
    if (event) refused.set(event.id, typeof message === "string" && message ? message : "refused without a reason");
  }
  return refused;
}

async function sendGroup(owner: string, shop: string, events: OutboxEvent[], out: Outcome): Promise<void> {
  try {
    const result = await withTikTok(shop, async ({ client, token, connection }) => {
      if (connection.status === "needs_reconnect") throw new TikTokApiError({ kind: "auth", code: null, httpStatus: null, requestId: null, message: connection.lastAuthError ?? "Needs reconnect" });
      out.requests++;
      const to = { advertiserId: connection.advertiserId, pixelCode: connection.pixelCode ?? events[0].pixelCode };
      return { to, ...(await client.trackEvents(token, { pixelCode: to.pixelCode, events: events.map((e) => JSON.parse(e.payload)) })) };
    });
    const refused = result.partial ? refusedInPartial(result.partialData, events) : new Map<string, string>();
    for (const [id, message] of refused) {
      // Refused inside an accepted batch: like `invalid`, failed with TikTok's words, for Resend.
      await markStatus(owner, [id], "failed", `TikTok refused this event (partial success, request ${result.requestId}): ${message}`, "invalid");
      out.failed++;
    }
    const accepted = events.filter((e) => !refused.has(e.id));
    const note = result.partial && refused.size === 0 ? `TikTok reported partial success without saying which events: ${result.message}` : null;
    if (accepted.length) await markSent(owner, accepted.map((e) => e.id), result.requestId, note, result.to);
    out.sent += accepted.length;
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
      // One bad event must not fail its whole batch: split until the culprit stands alone.
      const half = Math.ceil(events.length / 2);
      await sendGroup(owner, shop, events.slice(0, half), out);
      await sendGroup(owner, shop, events.slice(half), out);
    } else if (error.kind === "invalid") {
      await markStatus(owner, events.map((e) => e.id), "failed", `${error.tiktokMessage}${error.code ? ` (code ${error.code})` : ""}`, "invalid");
      out.failed += events.length;
    } else {
      await markRetry(owner, events, error);
      out.retried += events.length;
    }
  }
}

/** One pass: claim, send, record. Returns what happened (for logs, tests and the benchmark). */
export async function drainOnce(opts: { owner?: string; limit?: number } = {}): Promise<Outcome> {
  const owner = opts.owner ?? workerId();
  const out: Outcome = { sent: 0, retried: 0, failed: 0, waiting: 0, expired: 0, requests: 0 };
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
    for (const events of groups.values()) {
      for (let i = 0; i < events.length; i += MAX_EVENTS_PER_REQUEST) {
        await sendGroup(owner, events[0].shop, events.slice(i, i + MAX_EVENTS_PER_REQUEST), out);
      }
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
