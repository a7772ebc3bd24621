// What starts when a shop becomes connected: the spend backfill and any events that waited
// for a reconnect. Kept here so the connect flow does not need to know how either works.
import { releaseWaitingEvents } from "~/features/events/outbox.server";
import { requestSpendSync } from "~/features/spend/sync.server";

export async function afterConnected(shop: string, opts: { reconnected: boolean }) {
  await releaseWaitingEvents(shop);
  await requestSpendSync(shop, opts.reconnected ? "manual" : "backfill");
}
