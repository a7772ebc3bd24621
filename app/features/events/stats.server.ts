// Numbers the merchant sees about delivery, and the advice they imply.
import { z } from "zod";
import prisma from "~/core/db.server";
import { resendEvent } from "./outbox.server";
import { readDecision } from "./send-status.server";
import { orderFilterWhere, type OrderFilter } from "./order-filter.server";
import { EVENT_RETRY } from "~/core/retry-policy";
import { RESEND_BLOCKED, pastHorizon, storefrontPixelsOf } from "./send-horizon.server";
import { HELD_EVENTS_EXCEPT, HELD_EVENTS_EXCEPT_DAYS, HELD_EVENTS_EXCEPT_DEDUP } from "./horizon-text";

const HOUR = 60 * 60 * 1000;

/**
 * Delivery figures for Home. `days`: the 7 days Home's cards cover, [from, until), so "last 7 days" is
 * the same days everywhere on Home (the store's calendar days of the dashboard's range); without it, the last 7 × 24 h.
 */
export async function deliverySummary(shop: string, now = new Date(), days?: { from: Date; until: Date }) {
  const since24h = new Date(now.getTime() - 24 * HOUR);
  const since7d = days?.from ?? new Date(now.getTime() - 7 * 24 * HOUR);
  const until = days?.until ?? now;
  const [sent24h, sent7d, failed7d, expired, waiting, queued, recent] = await Promise.all([
    prisma.outboxEvent.count({ where: { shop, status: "sent", sentAt: { gte: since24h } } }),
    prisma.outboxEvent.count({ where: { shop, status: "sent", sentAt: { gte: since7d, lt: until } } }),
    prisma.outboxEvent.count({ where: { shop, status: "failed", updatedAt: { gte: since7d, lt: until } } }),
    prisma.outboxEvent.count({ where: { shop, status: "expired" } }),
    prisma.outboxEvent.count({ where: { shop, status: "waiting_reconnect" } }),
    prisma.outboxEvent.count({ where: { shop, status: "queued" } }),
    prisma.orderRecord.findMany({
      where: { shop, orderCreatedAt: { gte: since7d, lt: until }, isTest: false },
      select: { ttclid: true, emailHash: true, phoneHash: true },
      take: 5_000,
      orderBy: { orderCreatedAt: "desc" },
    }),
  ]);
  const share = (n: number) => (recent.length ? n / recent.length : null);
  const ttclidShare = share(recent.filter((o) => o.ttclid).length);
  const emailShare = share(recent.filter((o) => o.emailHash).length);
  const phoneShare = share(recent.filter((o) => o.phoneHash).length);

  const advice: string[] = [];
  if (recent.length >= 5 && ttclidShare === 0)
    advice.push("None of the last 7 days' orders carried a TikTok click id. Check that the app embed is on in your theme (Online Store › Themes › Customize › App embeds) and that your TikTok ads link to your store without stripping URL parameters.");
  if (recent.length >= 5 && phoneShare !== null && phoneShare < 0.3)
    advice.push("Few orders have a phone number. Make the phone field available at checkout (Settings › Checkout › Customer contact) so TikTok can match more purchases.");
  if (recent.length >= 5 && emailShare !== null && emailShare < 0.5)
    advice.push("Many orders have no email. Matching relies on email; make it required at checkout if you can.");
  if (failed7d > 0) advice.push("Some events failed. Open Events, filter by Failed and read TikTok's message: fix what it names, then use Resend where the list offers it (it says why where it does not).");
  if (waiting > 0) advice.push(`Events are waiting because TikTok needs to be reconnected. Reconnect TikTok: they are sent right after, ${await heldEventsExcept(shop)}.`);
  if (expired > 0)
    advice.push(
      `${expired} event(s) expired: they could not be delivered in time (within ${EVENT_RETRY.dedupWindowHours} hours of the order where a browser pixel reports purchases to the TikTok pixel, since TikTok would then count the purchase twice; within ${EVENT_RETRY.horizonDays} days otherwise). Open Events and filter by Expired to see each reason.`,
    );

  return { sent24h, sent7d, failed7d, expired, waiting, queued, orders7d: recent.length, ttclidShare, emailShare, phoneShare, advice };
}


/** Which horizon the shop's held events have (send-horizon.server.ts), said as the end of Home's advice. */
async function heldEventsExcept(shop: string) {
  const [held, browserPixels] = await Promise.all([
    // GROUP BY in the database: Prisma's distinct would read every held event and dedupe in memory.
    prisma.outboxEvent.groupBy({ by: ["pixelCode"], where: { shop, status: "waiting_reconnect" }, orderBy: { pixelCode: "asc" }, take: 10 }),
    storefrontPixelsOf([shop]),
  ]);
  const known = held.filter((e) => browserPixels.get(shop)?.has(e.pixelCode)).length;
  if (known === 0) return HELD_EVENTS_EXCEPT_DAYS;
  return known < held.length ? HELD_EVENTS_EXCEPT : HELD_EVENTS_EXCEPT_DEDUP;
}

/** What the Events list and the order detail page show of an order. */
const ORDER_LIST_FIELDS = {
  orderId: true,
  orderName: true,
  orderCreatedAt: true,
  totalValue: true,
  currency: true,
  sendDecision: true,
  reason: true,
  attributionSource: true,
  matchKeys: true,
} as const;

/** Why Resend is off for a failed event whose stored payload does not parse: sent again, it fails the same way. */
const RESEND_BLOCKED_INTERNAL =
  "Resend is off: the stored event is unreadable (an error in this app), so sent again it would fail the same way. Contact the app's support (see Help).";

type ShownEvent = { status: string; eventTime: Date; pixelCode: string; lastErrorClass: string | null };

/** For a failed event: why Resend is off (past its horizon, or unreadable), or null when it may be resent. */
function resendBlocked(e: ShownEvent, browserPixels: Set<string> | undefined) {
  if (e.status !== "failed") return null;
  const past = pastHorizon(e, browserPixels);
  if (past) return RESEND_BLOCKED[past.kind];
  return e.lastErrorClass === "internal" ? RESEND_BLOCKED_INTERNAL : null;
}

/** What a failed event's class advises while Resend can still send it. */
const FAILED_ADVICE: Record<string, string> = {
  invalid:
    "TikTok refused this event. Resend sends the same stored event again, to the pixel now selected in Settings: it can help when TikTok's message is about the pixel or the ad account's access to it (fix that in Settings or TikTok Events Manager first). When the message names a field of the event, it would be refused again: contact the app's support (see Help).",
  rate_limited: "The app has stopped trying by itself. Use Resend to try again.",
  retryable: "The app has stopped trying by itself. Use Resend to try again.",
  unknown: "The app has stopped trying by itself. Use Resend to try again.",
};

/** A TikTokConnection status, or null for a shop that never connected (or whose connection is gone). */
type ConnectionStatus = string | null;

/** An event failed because TikTok was disconnected: what to do depends on the connection now. */
function disconnectedAdvice(status: ConnectionStatus) {
  const was = "TikTok was disconnected when this event was due.";
  if (status === "connected") return `${was} It is connected again: use Resend to send it.`;
  if (status === "needs_reconnect") return `${was} It needs to be reconnected now: reconnect TikTok from Home, then use Resend.`;
  if (status === "pending") return `${was} Finish connecting TikTok from Home (choose the ad account and pixel), then use Resend.`;
  return `${was} It is still not connected: connect TikTok from Home, then use Resend.`;
}

/** What each kind of problem means for an event that is not failed. */
const CLASS_ADVICE: Record<string, string> = {
  auth: "TikTok refused the app's access: reconnect TikTok.",
  rate_limited: "TikTok asked the app to slow down; it tries again by itself.",
  retryable: "TikTok or the network had a temporary problem; the app tries again by itself.",
  expired: `Too old to send: this app sends an event at most ${EVENT_RETRY.horizonDays} days after its order.`,
  dedup_window: "Too late to send without counting the purchase twice: TikTok has it from your storefront's pixel.",
  cancelled: "The order was cancelled before its purchase went to TikTok, so it is not sent.",
  unpaid: "The order was not paid in time for its purchase to be sent.",
};

/**
 * The advice shown with an event's reason, decided when it is shown so that it offers Resend only
 * while Resend is on (a stored message cannot know that the order will pass its horizon).
 */
function adviceFor(e: ShownEvent, blocked: string | null, connection: ConnectionStatus): string | null {
  if (!e.lastErrorClass) return null;
  if (e.status === "failed" && !blocked && e.lastErrorClass === "disconnected") return disconnectedAdvice(connection);
  if (e.status === "failed") return blocked ? null : (FAILED_ADVICE[e.lastErrorClass] ?? null);
  return CLASS_ADVICE[e.lastErrorClass] ?? null;
}

/** Rows stored before the advice moved to display time ended with a Resend instruction; shown without it. */
const withoutStoredAdvice = (message: string | null) => message?.replace(/\. Resend to try again\.$/, ".").replace(/ Reconnect, then Resend\.$/, "") ?? null;

function shownEvent<E extends ShownEvent & { lastError: string | null }>(e: E, browserPixels: Set<string> | undefined, connection: ConnectionStatus) {
  const blocked = resendBlocked(e, browserPixels);
  return { lastError: withoutStoredAdvice(e.lastError), resendBlocked: blocked, advice: adviceFor(e, blocked, connection) };
}

const resendForm = z.object({ intent: z.literal("resend"), eventId: z.string().min(1).max(64) });

/** The Resend button's action, on the Events list and the order page: refuses what Resend cannot help. */
export async function resendFromForm(shop: string, formData: FormData): Promise<{ ok: boolean; message: string; eventId: string | null }> {
  const form = resendForm.safeParse(Object.fromEntries(formData));
  if (!form.success) return { ok: false, message: "Choose a failed event to resend.", eventId: null };
  const { eventId } = form.data;
  const event = await prisma.outboxEvent.findFirst({ where: { id: eventId, shop, status: "failed" }, select: { lastErrorClass: true } });
  if (event?.lastErrorClass === "internal") return { ok: false, message: RESEND_BLOCKED_INTERNAL, eventId };
  const result = await resendEvent(shop, eventId);
  return result.ok ? { ok: true, message: "Queued again with the same event ID.", eventId } : { ...result, eventId };
}

/** `connectionStatus`: the shop's TikTok connection now, which some advice depends on. */
export async function recentOrders(shop: string, opts: { filter: OrderFilter; timeZone: string | null; page: number; pageSize: number; connectionStatus: ConnectionStatus }) {
  const where = orderFilterWhere(shop, opts.filter, opts.timeZone);
  const [total, rows, browserPixels] = await Promise.all([
    prisma.orderRecord.count({ where }),
    prisma.orderRecord.findMany({
      where,
      orderBy: [{ orderCreatedAt: "desc" }, { id: "desc" }],
      skip: (opts.page - 1) * opts.pageSize,
      take: opts.pageSize,
      select: {
        ...ORDER_LIST_FIELDS,
        event: {
          select: {
            id: true, status: true, lastError: true, lastErrorClass: true, tiktokRequestId: true, sentAt: true, attempts: true, nextAttemptAt: true, eventId: true, eventTime: true, pixelCode: true,
          },
        },
      },
    }),
    storefrontPixelsOf([shop]),
  ]);
  return {
    total,
    rows: rows.map((r) => ({
      orderId: r.orderId,
      orderName: r.orderName,
      createdAt: r.orderCreatedAt.toISOString(),
      value: r.totalValue.toString(),
      currency: r.currency,
      status: readDecision(r.sendDecision),
      reason: r.reason,
      attributionSource: r.attributionSource,
      matchKeys: JSON.parse(r.matchKeys) as string[],
      event: r.event
        ? (({ eventTime, pixelCode: _pixel, lastErrorClass: _class, ...e }) => ({
            ...e,
            eventTime: eventTime.toISOString(),
            sentAt: e.sentAt?.toISOString() ?? null,
            nextAttemptAt: e.nextAttemptAt.toISOString(),
            ...shownEvent(r.event!, browserPixels.get(shop), opts.connectionStatus),
          }))(r.event)
        : null,
    })),
  };
}

/**
 * One order of this shop as the Events detail page shows it; null when the shop has no such order.
 * `connectionStatus`: the shop's TikTok connection now, which some advice depends on.
 */
export async function orderDetail(shop: string, orderId: string, connectionStatus: ConnectionStatus) {
  const [order, timeZone, browserPixels] = await Promise.all([
    prisma.orderRecord.findUnique({
      where: { shop_orderId: { shop, orderId } },
      select: {
        ...ORDER_LIST_FIELDS,
        event: {
          select: {
            id: true, eventId: true, eventName: true, pixelCode: true, payload: true, status: true, attempts: true, nextAttemptAt: true,
            lastError: true, lastErrorClass: true, tiktokRequestId: true, sentAt: true, createdAt: true, updatedAt: true, eventTime: true,
          },
        },
      },
    }),
    shopTimeZone(shop),
    storefrontPixelsOf([shop]),
  ]);
  if (!order) return null;
  const e = order.event;
  return {
    orderId: order.orderId,
    orderName: order.orderName,
    createdAt: order.orderCreatedAt.toISOString(),
    value: order.totalValue.toString(),
    currency: order.currency,
    status: readDecision(order.sendDecision),
    reason: order.reason,
    attributionSource: order.attributionSource,
    matchKeys: JSON.parse(order.matchKeys) as string[],
    timeZone,
    event: e
      ? {
          ...e,
          eventTime: e.eventTime.toISOString(),
          ...shownEvent(e, browserPixels.get(shop), connectionStatus),
          payload: readPayload(e.payload),
          nextAttemptAt: e.nextAttemptAt.toISOString(),
          sentAt: e.sentAt?.toISOString() ?? null,
          createdAt: e.createdAt.toISOString(),
          updatedAt: e.updatedAt.toISOString(),
        }
      : null,
  };
}

/** The stored payload, or an empty one when it does not parse (such an event failed as `internal`). */
function readPayload(payload: string): Record<string, unknown> {
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The shop's IANA time zone from Shopify, for showing times; null when not known yet. */
export async function shopTimeZone(shop: string) {
  return (await prisma.shop.findUnique({ where: { shop }, select: { ianaTimezone: true } }))?.ianaTimezone ?? null;
}
