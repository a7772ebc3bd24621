// Re-encrypts every stored token (Shopify sessions, TikTok connections and grants) with the newest key in
// TOKEN_ENCRYPTION_KEY; plaintext tokens from before encryption are encrypted too. Idempotent.
import prisma from "~/core/db.server";
import { decryptToken, encryptToken, encryptionKeys, isEncrypted } from "./token-crypto.server";

export async function rotateStoredTokens(keys = encryptionKeys()) {
  const reseal = (v: string) => encryptToken(isEncrypted(v) ? decryptToken(v, keys) : v, keys);
  let sessions = 0;
  let connections = 0;
  for (const s of await prisma.session.findMany({ select: { id: true, accessToken: true, refreshToken: true } })) {
    await prisma.session.update({
      where: { id: s.id },
      data: { accessToken: s.accessToken ? reseal(s.accessToken) : s.accessToken, refreshToken: s.refreshToken ? reseal(s.refreshToken) : s.refreshToken },
    });
    sessions++;
  }
  for (const c of await prisma.tikTokConnection.findMany({ where: { accessTokenEnc: { not: null } }, select: { id: true, accessTokenEnc: true } })) {
    await prisma.tikTokConnection.update({ where: { id: c.id }, data: { accessTokenEnc: reseal(c.accessTokenEnc!) } });
    connections++;
  }
  // A TikTok grant waiting for the merchant's confirmation (at most 10 minutes) holds a token too.
  for (const g of await prisma.oAuthState.findMany({ where: { grantEnc: { not: null } }, select: { id: true, grantEnc: true } })) {
    await prisma.oAuthState.update({ where: { id: g.id }, data: { grantEnc: reseal(g.grantEnc!) } });
  }
  return { sessions, connections };
}
