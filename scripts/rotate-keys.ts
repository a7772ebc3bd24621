// `npm run rotate-keys`: after putting a new key first in TOKEN_ENCRYPTION_KEY (old keys after it),
// re-encrypts every stored token with the new key. Then the old keys can be removed.
import { rotateStoredTokens } from "../app/core/connection/rotate-keys.server";
import prisma from "../app/core/db.server";

const { sessions, connections } = await rotateStoredTokens();
console.log(`rotate-keys: re-encrypted ${sessions} Shopify session(s) and ${connections} TikTok connection(s) with the newest key`);
await prisma.$disconnect();
