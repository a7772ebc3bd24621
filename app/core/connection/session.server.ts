// The shop's TikTok session: its stored connection row, the decrypted token, and the one
// place that turns TikTok's auth-class failures into "needs reconnect". Every TikTok call made
// for a shop goes through withTikTok(), whichever feature makes it.
import type { TikTokConnection } from "@prisma/client";
import prisma from "~/core/db.server";
import { tiktokClientFromEnv } from "~/core/tiktok/client.server";
import { TikTokApiError } from "~/core/tiktok/errors";
import { decryptToken } from "./token-crypto.server";

type ConnectionStatus = "not_connected" | "pending" | "connected" | "needs_reconnect" | "disconnected";

export async function getConnection(shop: string) {
  return prisma.tikTokConnection.findUnique({ where: { shop } });
}

/** What the admin UI may see: never the token. */
export function publicConnection(c: TikTokConnection | null) {
  return {
    status: (c?.status ?? "not_connected") as ConnectionStatus,
    advertiserId: c?.advertiserId ?? null,
    advertiserName: c?.advertiserName ?? null,
    advertiserCurrency: c?.advertiserCurrency ?? null,
    advertiserTimezone: c?.advertiserTimezone ?? null,
    pixelCode: c?.pixelCode ?? null,
    pixelName: c?.pixelName ?? null,
    connectedAt: c?.connectedAt?.toISOString() ?? null,
    statusChangedAt: c?.statusChangedAt.toISOString() ?? null,
    lastAuthError: c?.lastAuthError ?? null,
    deliveryProblem: c?.deliveryProblem ?? null,
    deliveryProblemAt: c?.deliveryProblemAt?.toISOString() ?? null,
    attributionWindowDays: c?.attributionWindowDays ?? 30,
    sendMode: (c?.sendMode ?? "attributed") as "attributed" | "all",
    // No connection yet: the name the connect flow gives a new one (ADR 0023 §6).
    eventName: (c?.eventName ?? "Purchase") as "CompletePayment" | "Purchase",
    includePosAndDraft: c?.includePosAndDraft ?? false,
    sendSubscriptionRenewals: c?.sendSubscriptionRenewals ?? false,
    contentIdType: (c?.contentIdType ?? "variant") as "variant" | "product" | "sku",
    sendWhen: (c?.sendWhen ?? "checkout") as "checkout" | "paid",
    limitedDataUse: c?.limitedDataUse ?? false,
    browserPixelReportsPurchases: c?.browserPixelReportsPurchases ?? false,
  };
}

export class NotConnected extends Error {}

/** The stored token cannot be decrypted (the encryption key changed, or the value is damaged). */
export class TokenUnreadable extends Error {}

/**
 * Runs TikTok calls with the shop's token. Auth-class failures flip the connection to
 * needs_reconnect at once, whichever feature made the call.
 */
export async function withTikTok<T>(
  shop: string,
  fn: (ctx: { client: ReturnType<typeof tiktokClientFromEnv>; token: string; connection: TikTokConnection }) => Promise<T>,
): Promise<T> {
  const connection = await getConnection(shop);
  if (!connection?.accessTokenEnc || connection.status === "disconnected") throw new NotConnected(`${shop} is not connected to TikTok`);
  let token: string;
  try {
    token = decryptToken(connection.accessTokenEnc);
  } catch (error) {
    throw new TokenUnreadable(`${shop}: the stored TikTok token cannot be decrypted (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return await fn({ client: tiktokClientFromEnv(), token, connection });
  } catch (error) {
    if (error instanceof TikTokApiError && error.kind === "auth") await markNeedsReconnect(shop, error.tiktokMessage);
    throw error;
  }
}

export async function markNeedsReconnect(shop: string, reason: string) {
  await prisma.tikTokConnection.updateMany({
    where: { shop, status: { in: ["connected", "pending"] } },
    data: { status: "needs_reconnect", lastAuthError: reason.slice(0, 500), statusChangedAt: new Date() },
  });
}

