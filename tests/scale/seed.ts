// Installed and connected shops, the way OAuth and the connect wizard leave them: an offline
// session, a Shop row, and a connected TikTokConnection holding a sandbox token encrypted with
// the run's TOKEN_ENCRYPTION_KEY. Call after applyEnv() (app modules read the env once).
// App modules are imported lazily: they read the environment once, when first loaded.
const seedModule = () => import("../../app/features/demo/seed.server");

export type SeededShop = { shop: string; advertiserId: string; pixelCode: string; token: string };

export async function sandboxToken(sandboxUrl: string, advertiserId: string) {
  return (await seedModule()).sandboxToken(sandboxUrl, advertiserId);
}

export async function seedConnectedShops(opts: { sandboxUrl: string; shops: string[]; sendMode?: "attributed" | "all" }): Promise<SeededShop[]> {
  const { connectShop, installShop, sandboxWorld } = await seedModule();
  const advertisers = (await sandboxWorld(opts.sandboxUrl)).advertisers.filter((a) => a.pixels.length > 0);
  const seeded: SeededShop[] = [];
  for (const [i, shop] of opts.shops.entries()) {
    const advertiser = advertisers[i % advertisers.length];
    const pixelIndex = Math.floor(i / advertisers.length) % advertiser.pixels.length;
    await installShop(shop, { currency: "USD", ianaTimezone: "UTC" });
    const { token, pixelCode } = await connectShop({ shop, sandboxUrl: opts.sandboxUrl, advertiser, pixelIndex, sendMode: opts.sendMode });
    seeded.push({ shop, advertiserId: advertiser.advertiser_id, pixelCode, token });
  }
  return seeded;
}

/** A new sandbox token stored for the shop, status back to connected, waiting events released (what a reconnect does). */
export async function reconnectShop(sandboxUrl: string, shop: string) {
  const { default: prisma } = await import("~/core/db.server");
  const { encryptToken } = await import("~/core/connection/token-crypto.server");
  const { releaseWaitingEvents } = await import("~/features/events/outbox.server");
  const connection = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop } });
  const token = await sandboxToken(sandboxUrl, connection.advertiserId!);
  await prisma.tikTokConnection.update({
    where: { shop },
    data: { accessTokenEnc: encryptToken(token), status: "connected", lastAuthError: null, statusChangedAt: new Date() },
  });
  return { token, released: await releaseWaitingEvents(shop) };
}
