// Who gets a shop's alert emails (AlertSetting): the address the merchant chose in Settings, or
// else the store owner's email as Shopify reported it (the Admin API's shop.email, kept in Shop.contactEmail
// after install; not the public address customers write to).
import { z } from "zod";
import prisma from "~/core/db.server";

/** Settings' alert email field: an address, or empty for the store owner's email. */
export const alertEmailField = z
  .string()
  .trim()
  .max(254, "Enter an email address of at most 254 characters.")
  .refine((v) => v === "" || z.string().email().safeParse(v).success, "Enter an email address such as you@example.com, or leave it empty to use the store owner's email in Shopify.");

export async function alertRecipients(shop: string) {
  const [setting, row] = await Promise.all([
    prisma.alertSetting.findUnique({ where: { shop } }),
    prisma.shop.findUnique({ where: { shop }, select: { contactEmail: true } }),
  ]);
  return { chosen: setting?.email ?? null, contactEmail: row?.contactEmail ?? null };
}

export async function alertRecipient(shop: string): Promise<string | null> {
  const r = await alertRecipients(shop);
  return r.chosen ?? r.contactEmail;
}

/** Saves the chosen address; empty goes back to the store owner's email. */
export async function saveAlertEmail(shop: string, email: string) {
  const value = email.trim() === "" ? null : email.trim();
  await prisma.alertSetting.upsert({ where: { shop }, create: { shop, email: value }, update: { email: value } });
}
