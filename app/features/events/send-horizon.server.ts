// How late an event may still go to TikTok (docs/decisions/0023). Where a browser pixel is known
// to report purchases to the event's pixel (the embed's heartbeat reports the pixel codes a page
// loaded; the merchant says so in Settings for one the embed cannot see, such as a custom pixel in
// Shopify's sandbox), the browser has reported the purchase too, and TikTok merges or drops our copy only within 48 hours
// of the browser's: later, it would count the order twice. So such an event goes only while its
// order is less than EVENT_RETRY.dedupWindowHours old; any other within EVENT_RETRY.horizonDays.
import prisma from "~/core/db.server";
import { readStorefrontPixels } from "~/core/attribution/touchpoints.server";
import { EVENT_RETRY } from "~/core/retry-policy";

const HOUR_MS = 60 * 60 * 1000;

type Horizon = { ms: number; kind: "dedup_window" | "expired" };

/** Why an event past its horizon was not sent, as Events shows it. */
export const PAST_HORIZON_REASON: Record<Horizon["kind"], string> = {
  dedup_window:
    `Not sent: the order passed this app's ${EVENT_RETRY.dedupWindowHours}-hour limit, set an hour inside TikTok's 48-hour deduplication window (for clocks and a batch in flight). A browser pixel on your storefront reports purchases to this TikTok pixel, so it has already reported this one, and TikTok could count a later copy from this app a second time.`,
  expired: `Not sent: it could not be delivered within ${EVENT_RETRY.horizonDays} days of the order, and this app does not send older events to TikTok.`,
};

/** Why Resend is off for a failed event past its horizon: said before the merchant clicks, and if they do. */
export const RESEND_BLOCKED: Record<Horizon["kind"], string> = {
  dedup_window:
    `Resend is off: the order is more than ${EVENT_RETRY.dedupWindowHours} hours old. A browser pixel on your storefront reports purchases to this TikTok pixel, so it has reported this one, and TikTok merges a copy from this app with it only within 48 hours (this app stops an hour earlier, for clocks and a batch in flight); sent now, TikTok could count it a second time.`,
  expired: `Resend is off: the order is more than ${EVENT_RETRY.horizonDays} days old, and this app does not send older events to TikTok.`,
};

/**
 * The pixel codes a browser reports each shop's purchases to: those its storefront loaded recently (the
 * embed's heartbeat), and the selected pixel when the merchant says a browser pixel reports to it.
 */
export async function storefrontPixelsOf(shops: string[], now = new Date()): Promise<Map<string, Set<string>>> {
  if (!shops.length) return new Map();
  const [rows, declared] = await Promise.all([
    prisma.shop.findMany({ where: { shop: { in: shops } }, select: { shop: true, storefrontPixels: true } }),
    prisma.tikTokConnection.findMany({ where: { shop: { in: shops }, browserPixelReportsPurchases: true, pixelCode: { not: null } }, select: { shop: true, pixelCode: true } }),
  ]);
  const pixels = new Map(rows.map((r) => [r.shop, new Set(readStorefrontPixels(r.storefrontPixels, now).map((p) => p.code))]));
  for (const c of declared) {
    const set = pixels.get(c.shop) ?? new Set<string>();
    set.add(c.pixelCode!);
    pixels.set(c.shop, set);
  }
  return pixels;
}

function horizonFor(browserPixels: Set<string> | undefined, pixelCode: string): Horizon {
  return browserPixels?.has(pixelCode)
    ? { ms: EVENT_RETRY.dedupWindowHours * HOUR_MS, kind: "dedup_window" }
    : { ms: EVENT_RETRY.horizonDays * 24 * HOUR_MS, kind: "expired" };
}

/** The last moment an event may still go to TikTok (what an alert says a held event costs). */
export function sendDeadline(e: { eventTime: Date; pixelCode: string }, browserPixels: Set<string> | undefined): Date {
  return new Date(e.eventTime.getTime() + horizonFor(browserPixels, e.pixelCode).ms);
}

/** The horizon an event is past, or null while it may still be sent. */
export function pastHorizon(e: { eventTime: Date; pixelCode: string }, browserPixels: Set<string> | undefined, now = Date.now()): Horizon | null {
  const horizon = horizonFor(browserPixels, e.pixelCode);
  return now - e.eventTime.getTime() > horizon.ms ? horizon : null;
}
