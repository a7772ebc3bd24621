import { z } from "zod";

// Values the demo and the docs use. They are public, so a production process must never run on them.
export const DEV_ONLY_VALUES: Record<string, string> = {
  SHOPIFY_API_KEY: "demo-api-key",
  SHOPIFY_API_SECRET: "demo-shopify-secret",
  TIKTOK_APP_ID: "demo-tiktok-app",
  TIKTOK_APP_SECRET: "demo-tiktok-secret",
  TOKEN_ENCRYPTION_KEY: "ZGVtby1vbmx5LWtleS1kZW1vLW9ubHkta2V5LTAwMDA=",
  CRON_SECRET: "demo-cron-secret",
};

const required = (name: string) =>
  z.string({ required_error: `${name} is required` }).trim().min(1, `${name} is required`);

const flag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: required("SHOPIFY_API_KEY"),
  SHOPIFY_API_SECRET: required("SHOPIFY_API_SECRET"),
  SHOPIFY_APP_URL: required("SHOPIFY_APP_URL").url("SHOPIFY_APP_URL must be an absolute URL"),
  SCOPES: z.string().default("read_orders,read_themes,write_app_proxy,write_pixels,read_customer_events,read_pixels"),
  SHOPIFY_ADMIN_URL: z.string().url().default("https://admin.shopify.com"),
  // The demo's and tests' Shopify stand-in for the Admin GraphQL API (app/features/demo/admin-double.server.ts).
  // Unset: the app calls each shop's own Admin API. Refused in production.
  SHOPIFY_ADMIN_API_URL: z.string().url().optional(),
  DATABASE_URL: z
    .string()
    .default("file:./prisma/dev.sqlite")
    .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), "DATABASE_URL must start with file: or postgresql://"),
  TIKTOK_APP_ID: required("TIKTOK_APP_ID"),
  TIKTOK_APP_SECRET: required("TIKTOK_APP_SECRET"),
  TIKTOK_API_BASE_URL: z.string().url("TIKTOK_API_BASE_URL must be an absolute URL").default("https://business-api.tiktok.com"),
  TIKTOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // The developer app's Business API tier (TikTok's quota, app-wide across all advertisers):
  // basic 10 QPS / 600 QPM / 864,000 QPD, advanced 20 / 1,200, premium 30 / 1,800 (ADR 0016).
  TIKTOK_QUOTA_TIER: z.enum(["basic", "advanced", "premium"]).default("basic"),
  // Override the tier's figures (a quota TikTok granted that is none of the three); unset: the tier's.
  TIKTOK_RATE_QPS: z.coerce.number().int().min(1).optional(),
  TIKTOK_RATE_QPM: z.coerce.number().int().min(1).optional(),
  // Processes that call TikTok with this app's credentials (app instances + workers): each takes
  // an equal share of TIKTOK_RATE_QPS/QPM in its in-process limiter, so together their OAuth, pixel
  // and event calls stay within TikTok's app-wide quota. Spend report requests are also paced by one
  // budget shared through the database (app/features/spend/quota.server.ts), whatever this says.
  INSTANCE_COUNT: z.coerce.number().int().min(1).max(1_000).default(1),
  // A comma-separated list, newest first (key rotation: README "Rotating TOKEN_ENCRYPTION_KEY").
  TOKEN_ENCRYPTION_KEY: required("TOKEN_ENCRYPTION_KEY").refine(
    (v) => v.split(",").every((k) => Buffer.from(k.trim(), "base64").length === 32),
    "TOKEN_ENCRYPTION_KEY must be one or more comma-separated keys of 32 bytes, base64-encoded (openssl rand -base64 32)",
  ),
  // New storefront touchpoints stored per shop and UTC day; past it, clicks are not recorded (Home says so).
  TOUCHPOINT_DAILY_CAP: z.coerce.number().int().min(1).default(50_000),
  // Proxies of our own (load balancer) that append to X-Forwarded-For after Shopify's app proxy.
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
  CRON_SECRET: z.string().min(16, "CRON_SECRET must be at least 16 characters").optional(),
  // Where merchants get support: shown on the Help page. Unset: Help says no support address is configured.
  SUPPORT_EMAIL: z.string().trim().email("SUPPORT_EMAIL must be an email address").optional(),
  // The address this app's README is published at (e.g. its page on GitHub): Help links its sections
  // by their GitHub heading anchors. Unset: Help says no documentation link is configured.
  DOCS_URL: z
    .string()
    .trim()
    .url("DOCS_URL must be the https:// address of this app's README")
    .refine((v) => v.startsWith("https://") && !v.includes("#"), "DOCS_URL must be the https:// address of this app's README, without a #section")
    .optional(),
  RUN_JOBS_IN_PROCESS: z.enum(["0", "1"]).default("1").transform((v) => v === "1"),
  // `npm start` (scripts/serve.mjs) listens here.
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  HOST: z.string().trim().min(1).optional(),
  // How long SIGTERM waits for running work before the process exits (`npm start`, `npm run worker`):
  // inside the 10 s Docker and most platforms wait before SIGKILL. A delivery pass still waiting for
  // TikTok then hands its rows back (worker.server.ts handBackRunningPasses).
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1_000).max(300_000).default(8_000),
  DEMO_MODE: flag,
  // Email alerts (docs/decisions/0025-alerts.md). Unset: incidents are shown in the app only.
  SMTP_URL: z
    .string()
    .trim()
    .url("SMTP_URL must be a URL such as smtp://user:pass@host:587")
    .refine((v) => /^smtps?:\/\//.test(v), "SMTP_URL must start with smtp:// or smtps://")
    .optional(),
  // The sender of alert emails, "alerts@example.com" or "Name <alerts@example.com>"; required with SMTP_URL.
  ALERT_EMAIL_FROM: z
    .string()
    .trim()
    .regex(/^([^<>@\r\n]*<)?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?$/, "ALERT_EMAIL_FROM must be an email address, optionally as Name <address>")
    .optional(),
});

const QUOTA_TIERS = { basic: { qps: 10, qpm: 600 }, advanced: { qps: 20, qpm: 1_200 }, premium: { qps: 30, qpm: 1_800 } } as const;

type Env = Omit<z.infer<typeof schema>, "TIKTOK_RATE_QPS" | "TIKTOK_RATE_QPM"> & { TIKTOK_RATE_QPS: number; TIKTOK_RATE_QPM: number };

class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const tier = QUOTA_TIERS[result.data.TIKTOK_QUOTA_TIER];
  const env: Env = { ...result.data, TIKTOK_RATE_QPS: result.data.TIKTOK_RATE_QPS ?? tier.qps, TIKTOK_RATE_QPM: result.data.TIKTOK_RATE_QPM ?? tier.qpm };
  if (env.SMTP_URL && !env.ALERT_EMAIL_FROM) throw new EnvError("Invalid environment:\n  ALERT_EMAIL_FROM: required when SMTP_URL is set (the sender of alert emails)");
  if (env.NODE_ENV === "production") {
    const dev = Object.entries(DEV_ONLY_VALUES)
      .filter(([k, v]) => (k === "TOKEN_ENCRYPTION_KEY" ? (source[k] ?? "").split(",").map((x) => x.trim()).includes(v) : source[k] === v))
      .map(([k]) => k);
    if (dev.length) throw new EnvError(`Refusing to start in production with the demo's public values for: ${dev.join(", ")}`);
    if (env.DEMO_MODE) throw new EnvError("DEMO_MODE is for the local demo only and cannot be set in production");
    if (env.SHOPIFY_ADMIN_API_URL) throw new EnvError("SHOPIFY_ADMIN_API_URL points the app at a Shopify stand-in and cannot be set in production");
  }
  return env;
}

let cached: Env | undefined;

/**
 * The validated environment. The first call validates; an invalid env throws an EnvError naming
 * every bad variable. db.server.ts and shopify.server.ts call it as they load, so a server or
 * worker with a bad env stops at boot with that message.
 */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** What `npm start` (scripts/serve.mjs) needs, validated like the rest; read through the server build's entry. */
export function serveSettings() {
  const { PORT, HOST, SHUTDOWN_GRACE_MS } = env();
  return { port: PORT, host: HOST, shutdownGraceMs: SHUTDOWN_GRACE_MS };
}
