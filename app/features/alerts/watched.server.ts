// Which shops the alerts still watch. Shared by the incidents and the alert-mail job, which both
// must drop what a disconnect or an uninstall ended.
import prisma from "~/core/db.server";

/** Said on an alert email that was not sent because TikTok was disconnected, or the app uninstalled, first. */
export const NOT_SENT_DISCONNECTED = "Not sent: TikTok was disconnected (or the app uninstalled) first.";

/**
 * Whether the app still watches the shop: TikTok connected (or waiting for a reconnect) and the app
 * installed. Nothing ends an incident of a shop it does not watch (the sweep skips it).
 */
export async function watched(shop: string) {
  const [connection, row] = await Promise.all([
    prisma.tikTokConnection.findUnique({ where: { shop }, select: { status: true } }),
    prisma.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } }),
  ]);
  return !!connection && ["connected", "needs_reconnect"].includes(connection.status) && !row?.uninstalledAt;
}
