// Demo and test data: a shop installed (an offline session, as Shopify's OAuth leaves it) and,
// when asked, connected to a sandbox advertiser and pixel as if the connect wizard had run.
import { Session } from "@shopify/shopify-app-remix/server";
import prisma, { enableSqliteWal } from "~/core/db.server";
import { sessionStorage } from "~/core/shopify.server";
import { recordInstall } from "~/core/models/shop.server";
import { encryptToken } from "~/core/connection/token-crypto.server";
import { afterConnected } from "~/features/connect/lifecycle.server";

export type SandboxWorld = {
  advertisers: { advertiser_id: string; name: string; currency: string; timezone: string; pixels: { pixel_code: string; pixel_name: string }[] }[];
};
type SandboxAdvertiser = SandboxWorld["advertisers"][number];

export async function sandboxWorld(sandboxUrl: string) {
  return (await (await fetch(`${sandboxUrl}/__sandbox/world`)).json()) as SandboxWorld;
}

/** A valid sandbox token for one advertiser, without the browser consent step. */
export async function sandboxToken(sandboxUrl: string, advertiserId: string): Promise<string> {
  const res = await fetch(`${sandboxUrl}/__sandbox/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ advertiser_ids: [advertiserId] }),
  });
  if (!res.ok) throw new Error(`sandbox token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function installShop(shop: string, details: { currency: string; ianaTimezone: string }) {
  await sessionStorage.storeSession(
    new Session({ id: `offline_${shop}`, shop, state: "installed", isOnline: false, scope: "read_orders,read_themes,write_app_proxy", accessToken: "shpat_seeded_offline" }),
  );
  await recordInstall(shop);
  await prisma.shop.update({ where: { shop }, data: details });
}

/** The connection the wizard leaves behind: token (encrypted), account, pixel, status connected. */
export async function connectShop(opts: { shop: string; sandboxUrl: string; advertiser: SandboxAdvertiser; pixelIndex?: number; sendMode?: "attributed" | "all" }) {
  const token = await sandboxToken(opts.sandboxUrl, opts.advertiser.advertiser_id);
  const pixel = opts.advertiser.pixels[opts.pixelIndex ?? 0];
  const connection = {
    status: "connected",
    accessTokenEnc: encryptToken(token),
    authorizedAdvertisers: JSON.stringify([opts.advertiser.advertiser_id]),
    advertiserId: opts.advertiser.advertiser_id,
    advertiserName: opts.advertiser.name,
    advertiserCurrency: opts.advertiser.currency,
    advertiserTimezone: opts.advertiser.timezone,
    pixelCode: pixel.pixel_code,
    pixelName: pixel.pixel_name,
    connectedAt: new Date(),
    statusChangedAt: new Date(),
    lastAuthError: null,
    sendMode: opts.sendMode ?? "attributed",
  };
  await prisma.tikTokConnection.upsert({ where: { shop: opts.shop }, create: { shop: opts.shop, ...connection }, update: connection });
  return { token, pixelCode: pixel.pixel_code };
}

export async function seedDemoShop(opts: { shop: string; sandboxUrl: string; connected: boolean }) {
  await enableSqliteWal();
  await installShop(opts.shop, { currency: "USD", ianaTimezone: "America/New_York" });
  if (!opts.connected) return;
  const advertiser = (await sandboxWorld(opts.sandboxUrl)).advertisers.find((a) => a.pixels.length > 0)!;
  await connectShop({ shop: opts.shop, sandboxUrl: opts.sandboxUrl, advertiser });
  await afterConnected(opts.shop, { reconnected: false });
}
