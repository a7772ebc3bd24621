// Shopify access tokens at rest: the Prisma session storage, with accessToken and refreshToken
// encrypted like the TikTok token. A value stored before encryption was added reads as it is
// until `npm run rotate-keys` encrypts it.
import { Session } from "@shopify/shopify-app-remix/server";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { decryptToken, encryptToken, isEncrypted } from "./token-crypto.server";

const SECRET_FIELDS = ["accessToken", "refreshToken"] as const;

function mapSecrets(session: Session, fn: (value: string) => string): Session {
  const params = session.toObject();
  for (const field of SECRET_FIELDS) {
    const value = params[field];
    if (typeof value === "string" && value) params[field] = fn(value);
  }
  return new Session(params);
}

const sealSession = (session: Session) => mapSecrets(session, (v) => (isEncrypted(v) ? v : encryptToken(v)));
const openSession = (session: Session) => mapSecrets(session, (v) => (isEncrypted(v) ? decryptToken(v) : v));

export class EncryptedSessionStorage<S extends SessionStorage> implements SessionStorage {
  constructor(readonly inner: S) {}

  storeSession(session: Session) {
    return this.inner.storeSession(sealSession(session));
  }

  async loadSession(id: string) {
    const session = await this.inner.loadSession(id);
    return session ? openSession(session) : undefined;
  }

  deleteSession(id: string) {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]) {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string) {
    return (await this.inner.findSessionsByShop(shop)).map(openSession);
  }
}
