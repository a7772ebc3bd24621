// The connect flow a merchant walks: OAuth, choosing the ad account and pixel, settings and
// disconnect. TikTok calls go through the core session (withTikTok) so auth failures are handled there.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { TikTokConnection } from "@prisma/client";
import prisma from "~/core/db.server";
import { env } from "~/core/env.server";
import { tiktokClientFromEnv } from "~/core/tiktok/client.server";
import { TikTokApiError } from "~/core/tiktok/errors";
import { decryptToken, encryptToken } from "~/core/connection/token-crypto.server";
import { getConnection, withTikTok } from "~/core/connection/session.server";
import { withCoverageStart } from "~/core/connection/coverage";
import { afterConnected } from "./lifecycle.server";
import { closeIncidentsSilently } from "~/features/alerts/incidents.server";
import { NOT_SENT_DISCONNECTED } from "~/features/alerts/watched.server";

const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;
export const OAUTH_COOKIE = "tt_oauth_state";
// The embedded page opens the start link at once (window.open _top); a link older than this was
// copied or forwarded, not followed.
const START_LINK_TTL_MS = 2 * 60 * 1000;
// The callback sends the merchant straight back into the admin to confirm: a grant not confirmed
// within this was not followed there by the merchant who asked for it.
const GRANT_CONFIRM_TTL_MS = 10 * 60 * 1000;

const hashState = (raw: string) => createHash("sha256").update(raw).digest("hex");

/** The wizard step a merchant should see next; makes the wizard resumable. */
export function nextWizardStep(c: TikTokConnection | null): "connect" | "account" | "pixel" | "done" {
  if (!c || !c.accessTokenEnc || c.status === "disconnected") return "connect";
  if (c.status === "needs_reconnect") return "connect";
  if (!c.advertiserId) return "account";
  if (!c.pixelCode) return "pixel";
  return c.status === "connected" ? "done" : "pixel";
}

const oauthRedirectUri = () => `${env().SHOPIFY_APP_URL}/tiktok/callback`;

const startSignature = (state: string, shop: string, exp: string) =>
  createHmac("sha256", env().SHOPIFY_API_SECRET).update(`tiktok-start|${state}|${shop}|${exp}`).digest("base64url");

/**
 * Step 1, from the authenticated admin only: a single-use, shop-bound state, and a start link
 * signed over state + shop + expiry that the embedded page opens top-level at once.
 */
export async function beginOAuth(shop: string, purpose: "connect" | "reconnect") {
  const raw = randomBytes(32).toString("base64url");
  // Tokens of grants nobody confirmed in time are erased, not kept.
  await prisma.oAuthState.updateMany({
    where: { shop, grantEnc: { not: null }, grantedAt: { lt: new Date(Date.now() - GRANT_CONFIRM_TTL_MS) } },
    data: { grantEnc: null },
  });
  await prisma.oAuthState.create({
    data: { stateHash: hashState(raw), shop, purpose, expiresAt: new Date(Date.now() + OAUTH_STATE_TTL_MS) },
  });
  const exp = String(Date.now() + START_LINK_TTL_MS);
  const query = new URLSearchParams({ state: raw, shop, exp, sig: startSignature(raw, shop, exp) });
  return { startUrl: `${env().SHOPIFY_APP_URL}/tiktok/start?${query}` };
}

export class OAuthRefusal extends Error {}

async function usableState(raw: string | null) {
  if (!raw) throw new OAuthRefusal("The link has no state. Start again from the app's Connect TikTok button.");
  const row = await prisma.oAuthState.findUnique({ where: { stateHash: hashState(raw) } });
  if (!row) throw new OAuthRefusal("This connection link is not one the app issued. Start again from the app.");
  if (row.usedAt) throw new OAuthRefusal("This connection link was already used. Start again from the app.");
  if (row.expiresAt.getTime() < Date.now())
    throw new OAuthRefusal("This connection link has expired (links last 10 minutes). Start again from the app.");
  return row;
}

function validStartSignature(p: URLSearchParams) {
  const [state, shop, exp, sig] = ["state", "shop", "exp", "sig"].map((k) => p.get(k) ?? "");
  if (!state || !shop || !exp || !sig) return false;
  const expected = Buffer.from(startSignature(state, shop, exp));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * /tiktok/start: only a link the merchant's admin session just issued, opened once. The first
 * browser to open it gets the state cookie; the callback requires that cookie, so a copy opened
 * anywhere else (forwarded, replayed, late) ends on a refusal page and links nothing.
 */
export async function oauthStart(params: URLSearchParams) {
  const rawState = params.get("state");
  const row = await usableState(rawState);
  if (!validStartSignature(params) || params.get("shop") !== row.shop)
    throw new OAuthRefusal("This connection link was not issued by the app for this store. Start again from the app's Connect TikTok button.");
  if (Number(params.get("exp")) < Date.now())
    throw new OAuthRefusal("This connection link is no longer valid: it must be opened from the app within 2 minutes. Start again from the app's Connect TikTok button.");
  const opened = await prisma.oAuthState.updateMany({ where: { id: row.id, startedAt: null }, data: { startedAt: new Date() } });
  if (opened.count !== 1)
    throw new OAuthRefusal("This connection link was already opened, in this or another browser. Start again from the app's Connect TikTok button.");
  const authorizeUrl = tiktokClientFromEnv().authorizationUrl({ state: rawState!, redirectUri: oauthRedirectUri() });
  const secure = env().SHOPIFY_APP_URL.startsWith("https:") ? "; Secure" : "";
  const cookie = `${OAUTH_COOKIE}=${encodeURIComponent(rawState!)}; Path=/tiktok; HttpOnly; SameSite=Lax; Max-Age=${OAUTH_STATE_TTL_MS / 1000}${secure}`;
  return { authorizeUrl, cookie };
}

/**
 * /tiktok/callback: refuses a missing, forged, reused, expired or other-browser/other-shop
 * state before anything is stored; then exchanges the code at once (codes are single-use and
 * short-lived). What TikTok granted is held, not applied: the connection changes only when the
 * merchant confirms it inside the store's admin (confirmGrant), with the code returned here.
 */
export async function completeOAuth(input: { rawState: string | null; cookieState: string | null; authCode: string | null; shopParam?: string | null }) {
  const row = await usableState(input.rawState);
  if (!row.startedAt) throw new OAuthRefusal("This connection was not started from the app. Start again from the app's Connect TikTok button.");
  if (!input.cookieState || input.cookieState !== input.rawState)
    throw new OAuthRefusal("This connection was started in another browser or for another store. Start again from the app in this browser.");
  if (input.shopParam && input.shopParam !== row.shop)
    throw new OAuthRefusal("This connection link belongs to another store. Start again from the app.");
  if (!input.authCode) throw new OAuthRefusal("TikTok did not return an authorization code (access was not granted). Start again and approve access.");

  // Single use even under concurrent callbacks: only one request can flip usedAt.
  const claimed = await prisma.oAuthState.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
  if (claimed.count !== 1) throw new OAuthRefusal("This connection link was already used. Start again from the app.");

  const granted = await tiktokClientFromEnv().exchangeAuthCode(input.authCode);
  const confirmCode = randomBytes(32).toString("base64url");
  await prisma.oAuthState.update({
    where: { id: row.id },
    data: {
      grantEnc: encryptToken(granted.accessToken),
      grantedAdvertisers: JSON.stringify(granted.advertiserIds),
      confirmHash: hashState(confirmCode),
      grantedAt: new Date(),
    },
  });
  return { shop: row.shop, confirmUrl: embeddedAppUrl(row.shop, `/app/connect/confirm?${new URLSearchParams({ grant: confirmCode })}`) };
}

/** The grant a confirmation code names, when it belongs to this shop and still waits; else null. */
async function waitingGrant(shop: string, code: string | null) {
  if (!code || code.length > 100) return null;
  const row = await prisma.oAuthState.findUnique({ where: { confirmHash: hashState(code) } });
  if (!row || row.shop !== shop || row.settledAt || !row.grantEnc || !row.grantedAt) return null;
  if (row.grantedAt.getTime() + GRANT_CONFIRM_TTL_MS < Date.now()) return null;
  return { ...row, grantEnc: row.grantEnc, advertiserIds: JSON.parse(row.grantedAdvertisers ?? "[]") as string[] };
}

export const GRANT_NOT_WAITING =
  "No TikTok authorization is waiting for this store under this link: it was confirmed or discarded already, it expired (10 minutes), or it was made for another store. Nothing was changed. Start again with Connect TikTok.";

/**
 * What the confirmation page shows: the store and the TikTok ad accounts the grant covers (their
 * names when TikTok answers, else their ids), so a merchant can tell an authorization that is not theirs.
 */
export async function describeGrant(shop: string, code: string | null) {
  const grant = await waitingGrant(shop, code);
  if (!grant) return null;
  let accounts = grant.advertiserIds.map((advertiserId) => ({ advertiserId, name: null as string | null }));
  try {
    const listed = await tiktokClientFromEnv().listAdvertisers(decryptToken(grant.grantEnc));
    accounts = accounts.map((a) => ({ ...a, name: listed.find((l) => l.advertiserId === a.advertiserId)?.advertiserName ?? null }));
  } catch (error) {
    console.warn(`connect ${shop}: could not name the granted ad accounts (${error instanceof Error ? error.message : error})`);
  }
  return { shop, purpose: grant.purpose, grantedAt: grant.grantedAt!, accounts };
}

/** Takes the grant exactly once, erasing its token from the state row; null when it is not waiting. */
async function settleGrant(shop: string, code: string | null) {
  const grant = await waitingGrant(shop, code);
  if (!grant) return null;
  const taken = await prisma.oAuthState.updateMany({ where: { id: grant.id, settledAt: null }, data: { settledAt: new Date(), grantEnc: null } });
  return taken.count === 1 ? grant : null;
}

/**
 * The merchant confirmed, inside the admin of the grant's shop (authenticate.admin gave `shop`):
 * only now does the grant become the shop's TikTok connection.
 */
export async function confirmGrant(shop: string, code: string | null) {
  const grant = await settleGrant(shop, code);
  if (!grant) return { ok: false as const, error: GRANT_NOT_WAITING };
  const accessToken = decryptToken(grant.grantEnc);
  const existing = await getConnection(shop);
  const keepsAccount = Boolean(
    grant.purpose === "reconnect" && existing?.advertiserId && existing.pixelCode && grant.advertiserIds.includes(existing.advertiserId),
  );

  const data = {
    accessTokenEnc: encryptToken(accessToken),
    authorizedAdvertisers: JSON.stringify(grant.advertiserIds),
    lastAuthError: null,
    statusChangedAt: new Date(),
  };
  const saved = await prisma.tikTokConnection.upsert({
    where: { shop },
    // New connections send TikTok's current purchase name (Purchase since May 2025; ADR 0023).
    create: { shop, status: "pending", eventName: "Purchase", ...data },
    update: keepsAccount
      ? { ...data, status: "connected" }
      : {
          ...data,
          // The account's coverage outlives the wiped connectedAt: reconnecting to it later keeps its history.
          ...(existing ? { coverageStarts: keepCoverage(existing) } : {}),
          status: "pending",
          advertiserId: null,
          advertiserName: null,
          advertiserCurrency: null,
          advertiserTimezone: null,
          pixelCode: null,
          pixelName: null,
          connectedAt: null,
        },
  });
  if (keepsAccount) await afterConnected(shop, { reconnected: true });
  return { ok: true as const, connection: saved };
}

/** The merchant did not recognise the grant: it is dropped, TikTok asked to revoke its token. */
export async function discardGrant(shop: string, code: string | null) {
  const grant = await settleGrant(shop, code);
  if (!grant) return { ok: false as const, error: GRANT_NOT_WAITING };
  try {
    await tiktokClientFromEnv().revokeToken(decryptToken(grant.grantEnc));
  } catch (error) {
    console.warn(`connect ${shop}: TikTok revoke of a discarded grant failed (${error instanceof Error ? error.message : error}); erased here`);
  }
  return { ok: true as const };
}

/** Embedded admin URL to return the merchant to after the top-level OAuth round trip. */
function embeddedAppUrl(shop: string, path: string) {
  const store = shop.replace(/\.myshopify\.com$/, "");
  return `${env().SHOPIFY_ADMIN_URL}/store/${store}/apps/${env().SHOPIFY_API_KEY}${path}`;
}

export async function listAdvertiserChoices(shop: string) {
  return withTikTok(shop, async ({ client, token }) => {
    const advertisers = await client.listAdvertisers(token);
    if (advertisers.length === 0) return [];
    const info = await client.advertiserInfo(token, advertisers.map((a) => a.advertiserId));
    return advertisers.map((a) => {
      const i = info.find((x) => x.advertiserId === a.advertiserId);
      return { advertiserId: a.advertiserId, name: i?.name ?? a.advertiserName, currency: i?.currency ?? null, timezone: i?.timezone ?? null };
    });
  });
}

/**
 * The coverage JSON with the current account's connection kept, before a choice moves connectedAt or the
 * account: a connection with a pixel is connected to its advertiserId since connectedAt (a row the record
 * predates has only connectedAt). Without a pixel, connectedAt may be another account's, and is not used.
 */
function keepCoverage(c: { advertiserId: string | null; pixelCode: string | null; connectedAt: Date | null; coverageStarts: string }) {
  return c.advertiserId && c.pixelCode && c.connectedAt ? withCoverageStart(c.coverageStarts, c.advertiserId, c.connectedAt) : c.coverageStarts;
}

export async function chooseAdvertiser(shop: string, advertiserId: string) {
  const choices = await listAdvertiserChoices(shop);
  const chosen = choices.find((c) => c.advertiserId === advertiserId);
  if (!chosen) return { ok: false as const, error: "That ad account is not among the accounts you authorized. Pick one from the list." };
  const current = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop }, select: { advertiserId: true, pixelCode: true, connectedAt: true, coverageStarts: true } });
  await prisma.tikTokConnection.update({
    where: { shop },
    data: {
      coverageStarts: keepCoverage(current),
      advertiserId: chosen.advertiserId,
      advertiserName: chosen.name,
      advertiserCurrency: chosen.currency,
      advertiserTimezone: chosen.timezone,
      pixelCode: null,
      pixelName: null,
      status: "pending",
      statusChangedAt: new Date(),
    },
  });
  return { ok: true as const };
}

export async function listPixelChoices(shop: string) {
  return withTikTok(shop, async ({ client, token, connection }) => {
    if (!connection.advertiserId) return [];
    return client.listPixels(token, connection.advertiserId);
  });
}

export async function choosePixel(shop: string, pixelCode: string) {
  const pixels = await listPixelChoices(shop);
  const chosen = pixels.find((p) => p.pixelCode === pixelCode);
  if (!chosen) return { ok: false as const, error: "That pixel does not belong to the chosen ad account. Pick one from the list." };
  const now = new Date();
  const current = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop }, select: { advertiserId: true, pixelCode: true, connectedAt: true, coverageStarts: true } });
  await prisma.tikTokConnection.update({
    where: { shop },
    data: {
      pixelCode: chosen.pixelCode,
      pixelName: chosen.pixelName,
      status: "connected",
      connectedAt: now,
      // The account's first connection stays its start: a pixel change or a reconnect is no new history.
      ...(current.advertiserId ? { coverageStarts: withCoverageStart(keepCoverage(current), current.advertiserId, now) } : {}),
      statusChangedAt: now,
      lastAuthError: null,
      // TikTok's failures so far were for another pixel or connection: a new run starts the outage timer again.
      retryingSince: null,
    },
  });
  await afterConnected(shop, { reconnected: false });
  return { ok: true as const };
}

type DisconnectResult = { revoked: true } | { revoked: false; reason: string };

/**
 * Asks TikTok to revoke the token, then deletes it here and keeps history. The local disconnect
 * happens whatever TikTok answers (the merchant may have revoked already, or TikTok may be down);
 * what TikTok said is returned so the merchant is told when TikTok did not confirm the revoke.
 */
export async function disconnect(shop: string): Promise<DisconnectResult> {
  const connection = await getConnection(shop);
  if (!connection) return { revoked: true };
  let result: DisconnectResult = { revoked: true };
  if (connection.accessTokenEnc) {
    try {
      await tiktokClientFromEnv().revokeToken(decryptToken(connection.accessTokenEnc));
    } catch (error) {
      // TikTok's own words when it answered; a timeout or network error says nothing a merchant can use.
      const reason = error instanceof TikTokApiError && error.code !== null ? error.tiktokMessage : "TikTok could not be reached";
      console.warn(`disconnect ${shop}: TikTok revoke failed (${error instanceof Error ? error.message : error}); token deleted locally`);
      result = { revoked: false, reason: reason.slice(0, 200) };
    }
  }
  await prisma.tikTokConnection.update({
    where: { shop },
    // A run of TikTok failures or a delivery problem of the old connection is not the next one's:
    // kept, one 5xx after a reconnect would count as an outage that began before the disconnect.
    data: {
      status: "disconnected",
      accessTokenEnc: null,
      authorizedAdvertisers: "[]",
      statusChangedAt: new Date(),
      retryingSince: null,
      deliveryProblem: null,
      deliveryProblemAt: null,
    },
  });
  await closeIncidentsSilently(shop, NOT_SENT_DISCONNECTED);
  return result;
}

type ConnectionSettings = {
  attributionWindowDays: number;
  sendMode: "attributed" | "all";
  eventName: "CompletePayment" | "Purchase";
  includePosAndDraft?: boolean;
  sendSubscriptionRenewals?: boolean;
  contentIdType?: "variant" | "product" | "sku";
  sendWhen?: "checkout" | "paid";
  limitedDataUse?: boolean;
  browserPixelReportsPurchases?: boolean;
};

export async function updateSettings(shop: string, settings: ConnectionSettings) {
  const { count } = await prisma.tikTokConnection.updateMany({ where: { shop }, data: settings });
  return count === 1;
}
