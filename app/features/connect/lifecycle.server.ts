// What starts when a shop becomes connected: the spend backfill and any events that waited
// for a reconnect. Kept here so the connect flow does not need to know how either works.
import { releaseWaitingEvents } from "~/features/events/outbox.server";
import { requestSpendSync } from "~/features/spend/sync.server";
import { adminGraphqlFor } from "~/core/shopify.server";
import { activateWebPixel } from "~/core/models/web-pixel.server";

export async function afterConnected(shop: string, opts: { reconnected: boolean }) {
  await releaseWaitingEvents(shop);
  await requestSpendSync(shop, opts.reconnected ? "manual" : "backfill");
  // Also done after install; again here so a pixel that failed then, or was removed, is switched on.
  try {
    await activateWebPixel(shop, await adminGraphqlFor(shop));
  } catch (error) {
    console.warn(`web pixel for ${shop} not activated: ${error instanceof Error ? error.message : error}`);
  }
}
