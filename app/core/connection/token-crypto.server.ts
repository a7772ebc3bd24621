import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "~/core/env.server";

// AES-256-GCM; stored as "v1.<iv>.<tag>.<ciphertext>" (base64url). The version prefix lets us
// rotate the key format later without guessing what a stored value is.
const key = () => Buffer.from(env().TOKEN_ENCRYPTION_KEY, "base64");

export function encryptToken(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", iv.toString("base64url"), tag.toString("base64url"), ciphertext.toString("base64url")].join(".");
}

export function decryptToken(stored: string): string {
  const [version, iv, tag, ciphertext] = stored.split(".");
  if (version !== "v1" || !iv || !tag || !ciphertext) throw new Error("Stored TikTok token has an unknown format");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}
