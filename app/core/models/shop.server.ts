import { z } from "zod";
import prisma from "~/core/db.server";

export async function recordInstall(shop: string) {
  await prisma.shop.upsert({
    where: { shop },
    create: { shop },
    update: { uninstalledAt: null },
  });
}

/** Sessions go at once; the shop's data stays until shop/redact (48 h later). */
export async function recordUninstall(shop: string, at = new Date()) {
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop } }),
    prisma.shop.upsert({
      where: { shop },
      create: { shop, uninstalledAt: at },
      update: { uninstalledAt: at },
    }),
  ]);
}

const shopDetailsSchema = z.object({
  data: z.object({ shop: z.object({ currencyCode: z.string().regex(/^[A-Z]{3}$/), ianaTimezone: z.string().min(1).max(64) }) }),
});

type GraphqlClient = { graphql: (query: string) => Promise<Response> };

/**
 * After Shopify's OAuth: the store's currency and timezone, which the dashboard needs to count
 * revenue by the store's days and never mix currencies. A failure here must not block the install.
 */
export async function recordShopDetails(shop: string, admin: GraphqlClient) {
  await recordInstall(shop);
  try {
    const res = await admin.graphql(`#graphql
      query ShopDetails { shop { currencyCode ianaTimezone } }`);
    const parsed = shopDetailsSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error("unexpected response shape");
    await prisma.shop.update({ where: { shop }, data: { currency: parsed.data.data.shop.currencyCode, ianaTimezone: parsed.data.data.shop.ianaTimezone } });
  } catch (error) {
    console.warn(`shop details for ${shop} not recorded: ${error instanceof Error ? error.message : error}`);
  }
}

/** When the storefront embed last reported in (a touchpoint), or null if it never has. */
export async function lastStorefrontSignalAt(shop: string): Promise<Date | null> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { lastStorefrontSignalAt: true } });
  return row?.lastStorefrontSignalAt ?? null;
}
