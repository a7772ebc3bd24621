// Demo data: the demo shop installed (an offline session, as after Shopify's OAuth), and with
// DEMO_CONNECTED=1 connected to the sandbox's first advertiser and pixel as if the wizard ran.
import { Session } from "@shopify/shopify-app-remix/server";
import prisma, { enableSqliteWal } from "~/db.server";
import { sessionStorage } from "~/shopify.server";
import { recordInstall } from "~/models/shop.server";
import { encryptToken } from "~/connection/token-crypto.server";
import { afterConnected } from "~/connection/lifecycle.server";

type World = { advertisers: { advertiser_id: string; name: string; currency: string; timezone: string; pixels: { pixel_code: string; pixel_name: string }[] }[] };

export async function seedDemoShop(opts: { shop: string; sandboxUrl: string; connected: boolean }) {
  await enableSqliteWal();
  await sessionStorage.storeSession(
    new Session({ id: `offline_${opts.shop}`, shop: opts.shop, state: "installed", isOnline: false, scope: "read_orders,write_app_proxy", accessToken: "shpat_demo_offline" }),
  );
  await recordInstall(opts.shop);
  await prisma.shop.update({ where: { shop: opts.shop }, data: { currency: "USD", ianaTimezone: "America/New_York" } });
  if (!opts.connected) return;

  const world = (await (await fetch(`${opts.sandboxUrl}/__sandbox/world`)).json()) as World;
  const advertiser = world.advertisers.find((a) => a.pixels.length > 0)!;
  const { access_token } = (await (
    await fetch(`${opts.sandboxUrl}/__sandbox/tokens`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ advertiser_ids: [advertiser.advertiser_id] }) })
  ).json()) as { access_token: string };
  const connection = {
    status: "connected",
    accessTokenEnc: encryptToken(access_token),
    authorizedAdvertisers: JSON.stringify([advertiser.advertiser_id]),
    advertiserId: advertiser.advertiser_id,
    advertiserName: advertiser.name,
    advertiserCurrency: advertiser.currency,
    advertiserTimezone: advertiser.timezone,
    pixelCode: advertiser.pixels[0].pixel_code,
    pixelName: advertiser.pixels[0].pixel_name,
    connectedAt: new Date(),
    statusChangedAt: new Date(),
    lastAuthError: null,
  };
  await prisma.tikTokConnection.upsert({ where: { shop: opts.shop }, create: { shop: opts.shop, ...connection }, update: connection });
  await afterConnected(opts.shop, { reconnected: false });
}
