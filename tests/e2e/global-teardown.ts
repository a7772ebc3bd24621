import { readFileSync, rmSync } from "node:fs";
import { E2E_PID_FILE, E2E_SERVER_LOG } from "./global-setup";
import { SECRET_PARAMS } from "../../scripts/serve.mjs";

export default async function globalTeardown() {
  try {
    const pid = Number(readFileSync(E2E_PID_FILE, "utf8"));
    process.kill(-pid, "SIGTERM");
  } catch {
    /* already gone */
  }
  rmSync(E2E_PID_FILE, { force: true });
  checkServerLogHoldsNoSecrets();
}

/**
 * The run walked the OAuth flow (auth_code and state in the callback URL) and the admin pages
 * (session tokens in URLs outside the Shopify iframe): none of those values may be in the log.
 */
function checkServerLogHoldsNoSecrets() {
  const log = readFileSync(E2E_SERVER_LOG, "utf8");
  const leaks = log.split("\n").filter((line) => SECRET_PARAMS.some((key) => new RegExp(`[?&]${key}=(?!\\[redacted\\])[^&\\s]`, "i").test(line)));
  if (leaks.length) throw new Error(`The server log holds secrets from URLs:\n${leaks.slice(0, 5).join("\n")}`);
}
