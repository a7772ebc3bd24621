// Installed and connected shops, the way OAuth and the connect wizard leave them: an offline
// session, a Shop row, and a connected TikTokConnection holding a sandbox token encrypted with
// the run's TOKEN_ENCRYPTION_KEY. Call after applyEnv() (app modules read the env once).
import { Session } from "@shopify/shopify-app-remix/server";

type World = { advertisers: { advertiser_id: string; name: string; currency: string; timezone: string; pixels: { pixel_code: string; pixel_name: string }[] }[] };

export type SeededShop = { shop: string; advertiserId: string; pixelCode: string; token: string };

export async function sandboxToken(sandboxUrl: string, advertiserId: string): Promise<string> {
  const res = await fetch(`${sandboxUrl}/__sandbox/tokens`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ advertiser_ids: [advertiserId] }),
  });
  if (!res.ok) throw new Error(`sandbox token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function seedConnectedShops(opts: { sandboxUrl: string; shops: string[]; sendMode?: "attributed" | "all" }): Promise<SeededShop[]> {
  const { default: prisma } = await import("~/db.server");
  const { sessionStorage } = await import("~/shopify.server");
  const { encryptToken } = await import("~/connection/token-crypto.server");
  const world = (await (await fetch(`${opts.sandboxUrl}/__sandbox/world`)).json()) as World;
  const advertisers = world.advertisers.filter((a) => a.pixels.length > 0);
  const seeded: SeededShop[] = [];
  for (const [i, shop] of opts.shops.entries()) {
    const advertiser = advertisers[i % advertisers.length];
    const pixel = advertiser.pixels[Math.floor(i / advertisers.length) % advertiser.pixels.length];
    const token = await sandboxToken(opts.sandboxUrl, advertiser.advertiser_id);
    await sessionStorage.storeSession(
      new Session({ id: `offline_${shop}`, shop, state: "installed", isOnline: false, scope: "read_orders,write_app_proxy", accessToken: "shpat_scale_offline" }),
    );
    await prisma.shop.upsert({ where: { shop }, create: { shop, currency: "USD", ianaTimezone: "UTC" }, update: {} });
    const connection = {
      status: "connected",
      accessTokenEnc: encryptToken(token),
      authorizedAdvertisers: JSON.stringify([advertiser.advertiser_id]),
      advertiserId: advertiser.advertiser_id,
      advertiserName: advertiser.name,
      advertiserCurrency: advertiser.currency,
      advertiserTimezone: advertiser.timezone,
      pixelCode: pixel.pixel_code,
      pixelName: pixel.pixel_name,
      connectedAt: new Date(),
      statusChangedAt: new Date(),
      lastAuthError: null,
      sendMode: opts.sendMode ?? "attributed",
    };
    await prisma.tikTokConnection.upsert({ where: { shop }, create: { shop, ...connection }, update: connection });
    seeded.push({ shop, advertiserId: advertiser.advertiser_id, pixelCode: pixel.pixel_code, token });
  }
  return seeded;
}

/** A new sandbox token stored for the shop, status back to connected, waiting events released (what a reconnect does). */
export async function reconnectShop(sandboxUrl: string, shop: string) {
  const { default: prisma } = await import("~/db.server");
  const { encryptToken } = await import("~/connection/token-crypto.server");
  const { releaseWaitingEvents } = await import("~/events/outbox.server");
  const connection = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop } });
  const token = await sandboxToken(sandboxUrl, connection.advertiserId!);
  await prisma.tikTokConnection.update({
    where: { shop },
    data: { accessTokenEnc: encryptToken(token), status: "connected", lastAuthError: null, statusChangedAt: new Date() },
  });
  return { token, released: await releaseWaitingEvents(shop) };
}
