// `npm run demo`: the whole app offline on SQLite — the TikTok sandbox, a Shopify admin
// stand-in and the built app — with the demo's public dev-only secrets (refused in production).
import { spawn, execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { DEV_ONLY_VALUES } from "../app/core/env.server";
import { buildOutput } from "../remix.config.js";

const host = "127.0.0.1";
const port = Number(process.env.PORT ?? 3000);
const sandboxPort = Number(process.env.TIKTOK_SANDBOX_PORT ?? 4010);
const adminPort = Number(process.env.DEMO_ADMIN_PORT ?? port + 1);
const shop = process.env.DEMO_SHOP ?? "demo-store.myshopify.com";
const appUrl = `http://${host}:${port}`;

const env: Record<string, string> = {
  ...DEV_ONLY_VALUES,
  ...(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<string, string>),
  // Not "development": remix-serve would then wait for `remix dev`. Not "production" either: the
  // demo runs on public dev-only secrets, which production refuses.
  NODE_ENV: "test",
  DATABASE_URL: process.env.DATABASE_URL ?? "file:./prisma/demo.sqlite",
  SHOPIFY_APP_URL: appUrl,
  SHOPIFY_ADMIN_URL: `http://${host}:${adminPort}`,
  // The same stand-in answers the Admin GraphQL calls (the web pixel's activation).
  SHOPIFY_ADMIN_API_URL: `http://${host}:${adminPort}`,
  TIKTOK_API_BASE_URL: `http://${host}:${sandboxPort}`,
  DEMO_MODE: "1",
  // Email alerts: with SMTP_URL set (say, a local mail catcher) the demo's alerts go there.
  ...(process.env.SMTP_URL ? { SMTP_URL: process.env.SMTP_URL, ALERT_EMAIL_FROM: process.env.ALERT_EMAIL_FROM ?? "TikTok Ads demo <alerts@demo.example.com>" } : {}),
  PORT: String(port),
  HOST: host,
};
Object.assign(process.env, env);

// The demo build: the app plus the demo panel and the layout that stands in for the admin.
const BUILD = buildOutput("demo").serverBuildPath;

function log(line: string) {
  process.stdout.write(`${line}\n`);
}

/** The latest modification time of any file below `dir`: the build is stale when the source is newer. */
function newestSourceChange(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(latest, entry.isDirectory() ? newestSourceChange(full) : statSync(full).mtimeMs);
  }, 0);
}

/** Runs a setup command, showing its output only when it fails. */
function quietly(command: string, extraEnv: Record<string, string> = {}) {
  try {
    execSync(command, { env: { ...process.env, ...extraEnv }, stdio: "pipe" });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${command} failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    throw error;
  }
}

async function waitFor(url: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers: { "User-Agent": "Mozilla/5.0 demo-check Chrome/156" } });
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000}s`);
}

async function main() {
  quietly("npx prisma migrate deploy");
  const newestSource = Math.max(newestSourceChange("app"), statSync("remix.config.js").mtimeMs);
  if (!existsSync(BUILD) || newestSource > statSync(BUILD).mtimeMs || process.env.DEMO_BUILD === "1") {
    log("Building the app…");
    quietly("npx remix build", { APP_BUILD: "demo" });
  }

  const { startSandbox } = await import("../sandbox/server");
  const sandbox = await startSandbox({ port: sandboxPort, host, appId: env.TIKTOK_APP_ID, appSecret: env.TIKTOK_APP_SECRET });

  const { startAdminDouble } = await import("../app/features/demo/admin-double.server");
  const admin = await startAdminDouble({ port: adminPort, host, appUrl, apiKey: env.SHOPIFY_API_KEY, apiSecret: env.SHOPIFY_API_SECRET, shop });

  const { seedDemoShop } = await import("../app/features/demo/seed.server");
  await seedDemoShop({ shop, sandboxUrl: sandbox.url, fresh: process.env.DEMO_FRESH === "1" });

  const app = spawn(process.execPath, ["scripts/serve.mjs", BUILD], {
    env: { ...process.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  app.stdout.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line.trim() && !line.includes("[serve]")) log(`  ${line}`);
  });
  const stop = async () => {
    app.kill("SIGTERM");
    await Promise.allSettled([sandbox.close(), admin.close()]);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  app.on("exit", (code) => {
    log(`app exited (${code})`);
    void stop();
  });

  await waitFor(`${appUrl}/healthcheck`);
  if (process.env.DEMO_FRESH !== "1") {
    const { playDemoShopHistory } = await import("../app/features/demo/seed.server");
    const t = Date.now();
    const played = await playDemoShopHistory({ shop, sandboxUrl: sandbox.url, appUrl, secret: env.SHOPIFY_API_SECRET });
    if (played) log(`Played 30 days of orders through the app (${played} orders, ${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }
  log(`app: ${appUrl}`);
  log(`sandbox: ${sandbox.url}`);
  log(env.SMTP_URL ? `alerts: emailed through SMTP_URL (${new URL(env.SMTP_URL).host}) to the store's contact email` : "alerts: in the app only (set SMTP_URL to email them)");
  log(`open: ${admin.url}/  (the embedded admin for ${shop}, outside the Shopify iframe)`);
  log(`Send a sample TikTok visit + order: open the Demo page in the app, or run: npm run demo:order`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
