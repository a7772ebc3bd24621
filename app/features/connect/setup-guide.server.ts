// Home's setup guide (issue 26): the steps from install to a purchase TikTok counts once, each
// done or not from the app's own state, never from a checkbox the merchant ticks.
import prisma from "~/core/db.server";
import { readStorefrontPixels } from "~/core/attribution/touchpoints.server";
import { dismissSetupGuide, setupGuideDismissedAt } from "~/core/models/shop.server";

type SetupStepId = "connect" | "account_pixel" | "embed" | "first_order" | "browser_pixel";
type SetupStep = { id: SetupStepId; title: string; done: boolean; optional: boolean; help: string; action: { label: string; url: string } | null };

/** Seen from the storefront within this long counts as the embed running. */
const EMBED_SEEN_MS = 3 * 86_400_000;

export async function setupGuide(shop: string, opts: { embedStatus: "on" | "off" | "unknown"; activateEmbedUrl: string; now?: Date }) {
  const now = opts.now ?? new Date();
  const [connection, shopRow, sent, dismissedAt] = await Promise.all([
    prisma.tikTokConnection.findUnique({ where: { shop }, select: { status: true, advertiserId: true, pixelCode: true, browserPixelReportsPurchases: true } }),
    prisma.shop.findUnique({ where: { shop }, select: { lastStorefrontSignalAt: true, storefrontPixels: true } }),
    prisma.outboxEvent.count({ where: { shop, status: "sent" } }),
    setupGuideDismissedAt(shop),
  ]);
  const authorised = !!connection && ["pending", "connected", "needs_reconnect"].includes(connection.status);
  const chosen = authorised && connection!.status !== "pending" && !!connection!.advertiserId && !!connection!.pixelCode;
  const seen = !!shopRow?.lastStorefrontSignalAt && now.getTime() - shopRow.lastStorefrontSignalAt.getTime() < EMBED_SEEN_MS;
  // Seen: the embed's heartbeat reports the storefront loading the selected pixel. Declared: the
  // merchant said so in Settings (a custom pixel the embed cannot see); the app saw nothing then.
  const seenPixel = chosen && readStorefrontPixels(shopRow?.storefrontPixels, now).some((p) => p.code === connection!.pixelCode);
  const declaredPixel = chosen && !seenPixel && connection!.browserPixelReportsPurchases;
  const ALIGN = "TikTok counts each purchase once only if that pixel sends the same event name and event_id as this app, which the app cannot check: Help shows how.";
  const steps: SetupStep[] = [
    { id: "connect", title: "Connect TikTok for Business", done: authorised, optional: false, help: "Sign in to TikTok and approve this app's access.", action: authorised ? null : { label: "Connect TikTok", url: "/app/connect" } },
    { id: "account_pixel", title: "Choose the ad account and pixel", done: chosen, optional: false, help: "Purchases go to this pixel; spend comes from this ad account.", action: chosen ? null : { label: "Choose", url: "/app/connect" } },
    {
      id: "embed",
      title: "Turn on the storefront embed",
      done: opts.embedStatus === "on" || seen,
      optional: false,
      help: "It keeps TikTok's click id on the cart so orders can be credited to your ads.",
      action: opts.embedStatus === "on" || seen ? null : { label: "Open the theme editor", url: opts.activateEmbedUrl },
    },
    { id: "first_order", title: "See the first order sent to TikTok", done: sent > 0, optional: false, help: "Done when TikTok accepts the first purchase from this app.", action: sent > 0 ? null : { label: "See events", url: "/app/events" } },
    // Optional, and not counted in the progress: what the app knows is only that a browser pixel
    // reports to the selected pixel (seen, or the merchant's word), never that it sends the same
    // event name and event_id.
    seenPixel
      ? {
          id: "browser_pixel",
          title: "Browser pixel found: align it for deduplication",
          done: true,
          optional: true,
          help: `A TikTok browser pixel reports purchases to this pixel too. ${ALIGN}`,
          action: { label: "How to align it", url: "/app/help#deduplication" },
        }
      : declaredPixel
        ? {
            id: "browser_pixel",
            title: "You said in Settings that a browser pixel reports to this pixel: align it for deduplication",
            done: true,
            optional: true,
            help: `The app does not see it on your storefront (a custom pixel in Shopify's Customer events is invisible to the app). ${ALIGN}`,
            action: { label: "How to align it", url: "/app/help#deduplication" },
          }
        : {
            id: "browser_pixel",
            title: "No TikTok browser pixel found",
            done: false,
            optional: true,
            help: "If one also reports purchases (a custom pixel in Shopify's Customer events is invisible to the app), say so in Settings and align it with Help's recipe, so TikTok counts each purchase once.",
            action: { label: "How to align it", url: "/app/help#deduplication" },
          },
  ];
  const required = steps.filter((s) => !s.optional);
  const complete = required.every((s) => s.done);
  return { steps, done: required.filter((s) => s.done).length, total: required.length, complete, dismissed: dismissedAt !== null };
}

export type SetupGuideData = Awaited<ReturnType<typeof setupGuide>>;

/**
 * The merchant hides the guide; only once every required step is done, so it cannot hide work left
 * (a step can come undone between the page and the click: the embed turned off).
 */
export async function dismissGuide(shop: string, opts: { embedStatus: "on" | "off" | "unknown"; activateEmbedUrl: string }) {
  const guide = await setupGuide(shop, opts);
  if (!guide.complete) return { ok: false as const, message: "Finish the setup steps marked To do first: the guide can be dismissed once they are done." };
  await dismissSetupGuide(shop);
  return { ok: true as const };
}
