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
  data: z.object({
    shop: z.object({
      currencyCode: z.string().regex(/^[A-Z]{3}$/),
      ianaTimezone: z.string().min(1).max(64),
      // The store's contact email: where alerts go unless the merchant chose another address.
      email: z.string().email().max(254).nullish(),
    }),
  }),
});

type GraphqlClient = { graphql: (query: string) => Promise<Response> };

/**
 * After Shopify's OAuth: the store's currency and timezone, which the dashboard needs to count
 * revenue by the store's days and never mix currencies, and its contact email (alerts). A failure here must not block the install.
 */
export async function recordShopDetails(shop: string, admin: GraphqlClient) {
  await recordInstall(shop);
  try {
    const res = await admin.graphql(`#graphql
      query ShopDetails { shop { currencyCode ianaTimezone email } }`);
    const parsed = shopDetailsSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error("unexpected response shape");
    const details = parsed.data.data.shop;
    await prisma.shop.update({ where: { shop }, data: { currency: details.currencyCode, ianaTimezone: details.ianaTimezone, contactEmail: details.email ?? null } });
  } catch (error) {
    console.warn(`shop details for ${shop} not recorded: ${error instanceof Error ? error.message : error}`);
  }
}

// Shopify sends shop/redact 48 hours after the uninstall (docs/decisions/0014). Our record of the
// uninstall can be late by the app/uninstalled retries (up to 4 h) and delivery delays, so only half
// that time is required: a replayed app/uninstalled followed at once by a replayed shop/redact is refused.
const SHOP_REDACT_MIN_HOURS_AFTER_UNINSTALL = 24;

/** Whether shop/redact may erase this shop now; the reason when not. */
export async function shopRedactAllowed(shop: string, now = new Date()): Promise<{ ok: true } | { ok: false; reason: string }> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } });
  if (row?.uninstalledAt) {
    const hours = (now.getTime() - row.uninstalledAt.getTime()) / 3_600_000;
    if (hours >= SHOP_REDACT_MIN_HOURS_AFTER_UNINSTALL) return { ok: true };
    return { ok: false, reason: `uninstalled ${hours.toFixed(1)} h ago; Shopify sends shop/redact 48 h after an uninstall` };
  }
  const sessions = await prisma.session.count({ where: { shop, isOnline: false } });
  if (sessions > 0) return { ok: false, reason: "the shop still has the app installed (offline session held, no app/uninstalled recorded)" };
  return { ok: true };
}

/** The store's currency and IANA time zone as Shopify reported them after install; null when not known yet. */
export async function shopLocale(shop: string) {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { currency: true, ianaTimezone: true } });
  return { currency: row?.currency ?? null, timezone: row?.ianaTimezone ?? null };
}

/** Home's setup guide: when the merchant dismissed it (null while shown). */
export async function setupGuideDismissedAt(shop: string) {
  return (await prisma.shop.findUnique({ where: { shop }, select: { setupGuideDismissedAt: true } }))?.setupGuideDismissedAt ?? null;
}

export async function dismissSetupGuide(shop: string, at = new Date()) {
  await prisma.shop.updateMany({ where: { shop }, data: { setupGuideDismissedAt: at } });
}
