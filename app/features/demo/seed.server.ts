// Demo and test data: a shop installed (an offline session, as Shopify's OAuth leaves it) and,
// when asked, connected to a sandbox advertiser and pixel as if the connect wizard had run.
import { Session } from "@shopify/shopify-app-remix/server";
import prisma, { enableSqliteWal } from "~/core/db.server";
import { adminApiClient, sessionStorage } from "~/core/shopify.server";
import { recordInstall, recordShopDetails } from "~/core/models/shop.server";
import { env } from "~/core/env.server";
import { encryptToken } from "~/core/connection/token-crypto.server";
import { afterConnected } from "~/features/connect/lifecycle.server";
import { playDemoHistory } from "./history.server";
import { requestSpendSync } from "~/features/spend/sync.server";

export type SandboxWorld = {
  advertisers: {
    advertiser_id: string;
    name: string;
    currency: string;
    timezone: string;
    pixels: { pixel_code: string; pixel_name: string }[];
    campaigns: { campaign_id: string; campaign_name: string; deleted: boolean }[];
    adgroups: { adgroup_id: string; adgroup_name: string; campaign_id: string; deleted: boolean }[];
  }[];
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
    new Session({ id: `offline_${shop}`, shop, state: "installed", isOnline: false, scope: "read_orders,read_themes,write_app_proxy,write_pixels,read_customer_events,read_pixels", accessToken: "shpat_seeded_offline" }),
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
    // What the connect flow gives a new connection (ADR 0023).
    eventName: "Purchase",
  };
  await prisma.tikTokConnection.upsert({ where: { shop: opts.shop }, create: { shop: opts.shop, ...connection }, update: connection });
  return { token, pixelCode: pixel.pixel_code };
}

/**
 * The demo store: installed, and unless `fresh`, connected to the sandbox's USD ad account (the
 * store's currency), so the app opens on a store that has been running. Its month of history is
 * played through the running app afterwards (playDemoShopHistory).
 */
export async function seedDemoShop(opts: { shop: string; sandboxUrl: string; fresh: boolean }) {
  await enableSqliteWal();
  await installShop(opts.shop, { currency: "USD", ianaTimezone: "America/New_York" });
  // As after a real install: the store's details (its contact email for alerts) from the admin stand-in.
  const adminApi = env().SHOPIFY_ADMIN_API_URL;
  if (adminApi) {
    const client = adminApiClient(adminApi, opts.shop, "shpat_seeded_offline");
    await recordShopDetails(opts.shop, { graphql: async (query: string) => Response.json(await client(query)) });
  }
  if (opts.fresh) return;
  const advertiser = (await sandboxWorld(opts.sandboxUrl)).advertisers.find((a) => a.currency === "USD" && a.pixels.length > 0)!;
  await connectShop({ shop: opts.shop, sandboxUrl: opts.sandboxUrl, advertiser });
  // The month before "now": connected then, so its orders were sent as they came in.
  await prisma.tikTokConnection.update({ where: { shop: opts.shop }, data: { connectedAt: new Date(Date.now() - 31 * 86_400_000) } });
  await afterConnected(opts.shop, { reconnected: false });
}

/** The month of orders, refunds and TikTok's answers, through the app at `appUrl` (history.server.ts). */
export async function playDemoShopHistory(opts: { shop: string; sandboxUrl: string; appUrl: string; secret: string }) {
  const connection = await prisma.tikTokConnection.findUnique({ where: { shop: opts.shop }, select: { advertiserId: true } });
  if (!connection?.advertiserId) return 0;
  const campaigns = await sandboxCampaigns(opts.sandboxUrl, connection.advertiserId);
  const played = await playDemoHistory({ ...opts, campaigns });
  // TikTok's report now holds the month's purchases: import the 30 days again, as a backfill does.
  if (played > 0) await requestSpendSync(opts.shop, "backfill");
  return played;
}

/** The advertiser's campaigns as the sandbox knows them, with the share of orders each brings. */
async function sandboxCampaigns(sandboxUrl: string, advertiserId: string) {
  const advertiser = (await sandboxWorld(sandboxUrl)).advertisers.find((a) => a.advertiser_id === advertiserId);
  const shares = [0.55, 0.35, 0.1];
  return (advertiser?.campaigns ?? []).slice(0, 3).map((c, i) => ({
    campaignId: c.campaign_id,
    share: shares[i],
    adgroupIds: (advertiser?.adgroups ?? []).filter((g) => g.campaign_id === c.campaign_id).map((g) => g.adgroup_id),
  }));
}
