// Starts the demo stack (TikTok sandbox, Shopify admin stand-in, built app on SQLite) on
// test ports and exposes its URLs to the specs through the environment.
import { spawn } from "node:child_process";
import { appendFileSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

export const E2E_PID_FILE = "tests/.tmp/e2e-demo.pid";
/** Everything the demo stack printed (the app's access log included); global-teardown checks it. */
export const E2E_SERVER_LOG = "tests/.tmp/e2e-server.log";

export default async function globalSetup() {
  mkdirSync("tests/.tmp", { recursive: true });
  writeFileSync(E2E_SERVER_LOG, "");
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`tests/.tmp/e2e.sqlite${suffix}`, { force: true });
  const port = Number(process.env.E2E_PORT ?? 3210);
  const secret = randomBytes(16).toString("hex");
  const env = {
    ...process.env,
    PORT: String(port),
    TIKTOK_SANDBOX_PORT: String(port + 100),
    DEMO_ADMIN_PORT: String(port + 1),
    DATABASE_URL: "file:./tests/.tmp/e2e.sqlite",
    DEMO_SHOP: "e2e-store.myshopify.com",
    // The suite walks the wizard itself: start from a store that is installed, not connected.
    DEMO_FRESH: "1",
    SHOPIFY_API_SECRET: secret,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/demo.ts"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  writeFileSync(E2E_PID_FILE, String(child.pid));
  const urls: Record<string, string> = {};
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      appendFileSync(E2E_SERVER_LOG, chunk);
      for (const m of output.matchAll(/^(app|sandbox|open): (\S+)/gm)) urls[m[1]] = m[2];
      if (urls.app && urls.sandbox && urls.open) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => {
      output += c.toString();
      appendFileSync(E2E_SERVER_LOG, c);
    });
    child.on("exit", (code) => reject(new Error(`demo exited (${code}):\n${output}`)));
  });
  child.stdout!.removeAllListeners("data");
  child.stderr!.removeAllListeners("data");
  // Keep logging for the whole run: the teardown looks for secrets in what the server wrote.
  child.stdout!.on("data", (c: Buffer) => appendFileSync(E2E_SERVER_LOG, c));
  child.stderr!.on("data", (c: Buffer) => appendFileSync(E2E_SERVER_LOG, c));
  child.unref();
  process.env.E2E_APP_URL = urls.app;
  process.env.E2E_SANDBOX_URL = urls.sandbox;
  process.env.E2E_ADMIN_URL = urls.open.replace(/\/$/, "");
  process.env.E2E_SHOP = env.DEMO_SHOP;
  process.env.E2E_SHOPIFY_SECRET = secret;
}
