// The app's web pixel on a shop (issue 13, docs/decisions/0019): created or updated through the
// Admin GraphQL API (webPixelCreate / webPixelUpdate; scopes write_pixels, read_customer_events,
// read_pixels) with the settings the extension's toml declares: the app's URL and the shop's token.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import prisma from "~/core/db.server";
import { env } from "~/core/env.server";

export type AdminGraphql = (query: string, variables?: Record<string, unknown>) => Promise<unknown>;

const userErrors = z.array(z.object({ message: z.string(), code: z.string().nullish() })).default([]);
const pixelPayload = z.object({ webPixel: z.object({ id: z.string() }).nullish(), userErrors });
const createResult = z.object({ data: z.object({ webPixelCreate: pixelPayload }) });
const updateResult = z.object({ data: z.object({ webPixelUpdate: pixelPayload }) });
const findResult = z.object({ data: z.object({ webPixel: z.object({ id: z.string() }).nullish() }).nullish() });

const CREATE = `#graphql
  mutation WebPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) { userErrors { code field message } webPixel { id } }
  }`;
const UPDATE = `#graphql
  mutation WebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) { userErrors { code field message } webPixel { id } }
  }`;
const FIND = `#graphql
  query WebPixel { webPixel { id } }`;

/** The shop's pixel row, created with a fresh token the first time. */
async function ensurePixelToken(shop: string) {
  return prisma.webPixel.upsert({ where: { shop }, create: { shop, token: randomBytes(24).toString("base64url") }, update: {} });
}

/**
 * Creates the shop's web pixel, or updates it when it exists, and records the outcome for Home.
 * Never throws: an install or a connect must not fail because the pixel could not be switched on.
 */
export async function activateWebPixel(shop: string, graphql: AdminGraphql, now = new Date()): Promise<boolean> {
  const row = await ensurePixelToken(shop);
  const webPixel = { settings: JSON.stringify({ endpoint: env().SHOPIFY_APP_URL, token: row.token }) };
  try {
    // The id we kept, else Shopify's (the app may have been reinstalled); a shop without one answers an error.
    let id = row.webPixelId;
    if (!id) id = findResult.safeParse(await graphql(FIND).catch(() => null)).data?.data?.webPixel?.id ?? null;
    let payload = id
      ? updateResult.parse(await graphql(UPDATE, { id, webPixel })).data.webPixelUpdate
      : createResult.parse(await graphql(CREATE, { webPixel })).data.webPixelCreate;
    // A pixel we kept the id of may have been deleted: create it again.
    if (id && !payload.webPixel) payload = createResult.parse(await graphql(CREATE, { webPixel })).data.webPixelCreate;
    if (!payload.webPixel) throw new Error(payload.userErrors.map((e) => e.message).join("; ") || "no web pixel returned");
    await prisma.webPixel.update({ where: { shop }, data: { webPixelId: payload.webPixel.id, activatedAt: now, lastError: null } });
    return true;
  } catch (error) {
    const message = error instanceof z.ZodError ? "unexpected answer from the Admin API" : error instanceof Error ? error.message : String(error);
    console.warn(`web pixel for ${shop} not activated: ${message}`);
    await prisma.webPixel.update({ where: { shop }, data: { lastError: message.slice(0, 300) } });
    return false;
  }
}

export async function webPixelState(shop: string) {
  return prisma.webPixel.findUnique({ where: { shop }, select: { activatedAt: true, lastError: true, lastBeaconAt: true } });
}
