import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "~/core/env.server";

// AES-256-GCM; stored as "v1.<iv>.<tag>.<ciphertext>" (base64url). TOKEN_ENCRYPTION_KEY is a
// comma-separated list, newest first: new values are encrypted with the first key, and any key in
// the list decrypts (GCM's tag tells a wrong key apart), so a key can be rotated without downtime.
// `npm run rotate-keys` re-encrypts what is stored with the newest key (docs/decisions/0014).

/** The configured keys, newest first. */
export function encryptionKeys(raw = env().TOKEN_ENCRYPTION_KEY): Buffer[] {
  return raw.split(",").map((k) => Buffer.from(k.trim(), "base64"));
}

export function isEncrypted(stored: string) {
  return stored.startsWith("v1.");
}

export function encryptToken(plain: string, keys = encryptionKeys()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keys[0], iv);
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(".");
}

export function decryptToken(stored: string, keys = encryptionKeys()): string {
  const [version, iv, tag, ciphertext] = stored.split(".");
  if (version !== "v1" || !iv || !tag || !ciphertext) throw new Error("Stored token has an unknown format");
  for (const key of keys) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      // not this key: try the next (older) one
    }
  }
  throw new Error("Stored token cannot be decrypted with any key in TOKEN_ENCRYPTION_KEY");
}
