// Issue 12, probe 9: Shopify tokens sat in plaintext and TOKEN_ENCRYPTION_KEY could not be rotated.
import { randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-app-remix/server";
import { TEST_SHOP } from "../support/constants";
import { dumpDatabase } from "../support/fuzz";
import { adminRequest, call, seedOfflineSession } from "../support/requests";

const { default: prisma } = await import("~/core/db.server");
const { sessionStorage } = await import("~/core/shopify.server");
const { decryptToken, encryptToken, encryptionKeys } = await import("~/core/connection/token-crypto.server");
const { rotateStoredTokens } = await import("~/core/connection/rotate-keys.server");
const { loader: homeLoader } = await import("~/routes/app._index");

const PLAINTEXT = /shp(at|ua|ca|ss)_/;
const newKey = () => randomBytes(32);

beforeEach(async () => {
  await prisma.session.deleteMany();
  await prisma.tikTokConnection.deleteMany();
});

describe("Shopify offline tokens at rest", () => {
  it("are stored encrypted, never as shpat_/shpua_ text, and the app still uses them", async () => {
    // GIVEN an installed shop (its offline token stored through the app's session storage)
    await seedOfflineSession(TEST_SHOP);
    await sessionStorage.storeSession(new Session({ id: "online_1", shop: TEST_SHOP, state: "s", isOnline: true, accessToken: "shpua_online_token_value", refreshToken: "shprt_refresh_value" }));
    // THEN no table holds a token in clear
    const dump = JSON.stringify(await dumpDatabase(prisma));
    expect(dump).not.toMatch(PLAINTEXT);
    expect(dump).not.toContain("shprt_refresh_value");
    const row = await prisma.session.findUniqueOrThrow({ where: { id: `offline_${TEST_SHOP}` } });
    expect(row.accessToken).toMatch(/^v1\./);
    // AND the library reads the real token back, and an admin page works
    expect((await sessionStorage.loadSession(`offline_${TEST_SHOP}`))?.accessToken).toBe("shpat_test_offline_token");
    expect((await sessionStorage.findSessionsByShop(TEST_SHOP)).map((s) => s.accessToken).sort()).toEqual(["shpat_test_offline_token", "shpua_online_token_value"]);
    expect((await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).status).toBe(200);
  });
});

describe("TOKEN_ENCRYPTION_KEY rotation", () => {
  it("decrypts with an older key in the list; encrypts with the first", () => {
    const [oldKey, nextKey] = [newKey(), newKey()];
    const sealed = encryptToken("shpat_value", [oldKey]);
    expect(decryptToken(sealed, [nextKey, oldKey])).toBe("shpat_value");
    expect(() => decryptToken(sealed, [nextKey])).toThrow(/cannot be decrypted with any key/);
    const resealed = encryptToken("shpat_value", [nextKey, oldKey]);
    expect(decryptToken(resealed, [nextKey])).toBe("shpat_value");
    expect(encryptionKeys(`${nextKey.toString("base64")}, ${oldKey.toString("base64")}`)).toEqual([nextKey, oldKey]);
  });

  it("rotate-keys re-encrypts every stored Shopify and TikTok token (and any legacy plaintext) with the newest key", async () => {
    // GIVEN tokens stored under the current key, and one legacy plaintext session from before encryption
    await seedOfflineSession(TEST_SHOP);
    await prisma.tikTokConnection.create({ data: { shop: TEST_SHOP, status: "connected", accessTokenEnc: encryptToken("tiktok-token-value") } });
    await prisma.session.create({ data: { id: "offline_legacy.myshopify.com", shop: "legacy.myshopify.com", state: "", accessToken: "shpat_legacy_plaintext" } });
    // and a TikTok grant waiting for the merchant's confirmation (docs/decisions/0014)
    await prisma.oAuthState.create({
      data: { stateHash: "h", shop: TEST_SHOP, purpose: "connect", expiresAt: new Date(Date.now() + 60_000), grantEnc: encryptToken("tiktok-grant-value"), grantedAt: new Date() },
    });
    // WHEN the operator puts a new key first and runs rotate-keys
    const next = newKey();
    const keys = [next, ...encryptionKeys()];
    expect(await rotateStoredTokens(keys)).toEqual({ sessions: 2, connections: 1 });
    // THEN the new key alone opens every token, and nothing is plaintext
    const onlyNew = [next];
    const sessions = await prisma.session.findMany({ orderBy: { id: "asc" } });
    expect(sessions.map((s) => decryptToken(s.accessToken, onlyNew)).sort()).toEqual(["shpat_legacy_plaintext", "shpat_test_offline_token"]);
    const conn = await prisma.tikTokConnection.findUniqueOrThrow({ where: { shop: TEST_SHOP } });
    expect(decryptToken(conn.accessTokenEnc!, onlyNew)).toBe("tiktok-token-value");
    expect(decryptToken((await prisma.oAuthState.findFirstOrThrow()).grantEnc!, onlyNew)).toBe("tiktok-grant-value");
    expect(JSON.stringify(await dumpDatabase(prisma))).not.toMatch(PLAINTEXT);
    // AND running it again is harmless
    expect(await rotateStoredTokens(keys)).toEqual({ sessions: 2, connections: 1 });
    expect(decryptToken((await prisma.session.findFirstOrThrow()).accessToken, onlyNew)).toMatch(/^shpat_/);
  });
});
