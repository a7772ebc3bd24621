import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { DEV_ONLY_VALUES, parseEnv } from "~/core/env.server";

const valid = () => ({
  NODE_ENV: "production",
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: randomBytes(16).toString("hex"),
  SHOPIFY_APP_URL: "https://app.example.com",
  TIKTOK_APP_ID: "7000000000000000001",
  TIKTOK_APP_SECRET: randomBytes(16).toString("hex"),
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
});

describe("environment validation", () => {
  it("accepts a complete production environment and applies defaults", () => {
    const env = parseEnv(valid());
    expect(env.TIKTOK_API_BASE_URL).toBe("https://business-api.tiktok.com");
    expect(env.DATABASE_URL).toMatch(/^file:/);
    expect(env.RUN_JOBS_IN_PROCESS).toBe(true);
  });

  it("takes TikTok's quota from TIKTOK_QUOTA_TIER (Basic by default); TIKTOK_RATE_QPS/QPM override it; an unknown tier is refused", () => {
    expect(parseEnv(valid())).toMatchObject({ TIKTOK_QUOTA_TIER: "basic", TIKTOK_RATE_QPS: 10, TIKTOK_RATE_QPM: 600 });
    expect(parseEnv({ ...valid(), TIKTOK_QUOTA_TIER: "advanced" })).toMatchObject({ TIKTOK_RATE_QPS: 20, TIKTOK_RATE_QPM: 1_200 });
    expect(parseEnv({ ...valid(), TIKTOK_QUOTA_TIER: "premium" })).toMatchObject({ TIKTOK_RATE_QPS: 30, TIKTOK_RATE_QPM: 1_800 });
    expect(parseEnv({ ...valid(), TIKTOK_QUOTA_TIER: "premium", TIKTOK_RATE_QPM: "1500" })).toMatchObject({ TIKTOK_RATE_QPS: 30, TIKTOK_RATE_QPM: 1_500 });
    expect(() => parseEnv({ ...valid(), TIKTOK_QUOTA_TIER: "gold" })).toThrow("TIKTOK_QUOTA_TIER");
  });

  it.each(["SHOPIFY_API_SECRET", "SHOPIFY_API_KEY", "TIKTOK_APP_SECRET", "TOKEN_ENCRYPTION_KEY", "SHOPIFY_APP_URL"])(
    "names %s when it is missing",
    (name) => {
      const source: Record<string, string> = valid();
      delete source[name];
      expect(() => parseEnv(source)).toThrow(name);
    },
  );

  it("DOCS_URL, linked from Help, must be an https address without a #section", () => {
    expect(parseEnv(valid()).DOCS_URL).toBeUndefined();
    expect(parseEnv({ ...valid(), DOCS_URL: "https://docs.example.com/README.md" }).DOCS_URL).toBe("https://docs.example.com/README.md");
    expect(() => parseEnv({ ...valid(), DOCS_URL: "http://docs.example.com/README.md" })).toThrow(/DOCS_URL must be the https:\/\/ address/);
    expect(() => parseEnv({ ...valid(), DOCS_URL: "https://docs.example.com/README.md#screens" })).toThrow(/without a #section/);
    expect(() => parseEnv({ ...valid(), DOCS_URL: "README.md" })).toThrow(/DOCS_URL must be the https:\/\/ address/);
  });

  it("SUPPORT_EMAIL, shown on Help, must be an email address", () => {
    expect(parseEnv(valid()).SUPPORT_EMAIL).toBeUndefined();
    expect(parseEnv({ ...valid(), SUPPORT_EMAIL: "support@example.com" }).SUPPORT_EMAIL).toBe("support@example.com");
    expect(() => parseEnv({ ...valid(), SUPPORT_EMAIL: "call us" })).toThrow(/SUPPORT_EMAIL must be an email address/);
  });

  it("email alerts: SMTP_URL must be smtp(s)://, and needs ALERT_EMAIL_FROM", () => {
    expect(parseEnv(valid()).SMTP_URL).toBeUndefined();
    const ok = parseEnv({ ...valid(), SMTP_URL: "smtp://user:pass@mail.example.com:587", ALERT_EMAIL_FROM: "TikTok Ads <alerts@example.com>" });
    expect(ok.SMTP_URL).toBe("smtp://user:pass@mail.example.com:587");
    expect(() => parseEnv({ ...valid(), SMTP_URL: "smtp://mail.example.com:587" })).toThrow(/ALERT_EMAIL_FROM: required when SMTP_URL is set/);
    expect(() => parseEnv({ ...valid(), SMTP_URL: "http://mail.example.com", ALERT_EMAIL_FROM: "a@example.com" })).toThrow(/SMTP_URL must start with smtp/);
    expect(() => parseEnv({ ...valid(), SMTP_URL: "smtp://mail.example.com", ALERT_EMAIL_FROM: "not an address" })).toThrow(/ALERT_EMAIL_FROM must be an email address/);
    expect(() => parseEnv({ ...valid(), SMTP_URL: "smtp://mail.example.com", ALERT_EMAIL_FROM: "a@example.com\r\nBcc: x@example.com" })).toThrow(/ALERT_EMAIL_FROM/);
  });

  it("rejects a malformed encryption key, URL and database URL with the variable's name", () => {
    expect(() => parseEnv({ ...valid(), TOKEN_ENCRYPTION_KEY: "short" })).toThrow(/TOKEN_ENCRYPTION_KEY must be .*32 bytes/);
    // a rotation list, newest first: every entry must be a key
    const k = () => randomBytes(32).toString("base64");
    expect(parseEnv({ ...valid(), TOKEN_ENCRYPTION_KEY: `${k()},${k()}` }).TOKEN_ENCRYPTION_KEY).toContain(",");
    expect(() => parseEnv({ ...valid(), TOKEN_ENCRYPTION_KEY: `${k()},short` })).toThrow(/TOKEN_ENCRYPTION_KEY must be .*32 bytes/);
    expect(() => parseEnv({ ...valid(), SHOPIFY_APP_URL: "not a url" })).toThrow(/SHOPIFY_APP_URL/);
    expect(() => parseEnv({ ...valid(), DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
  });

  it("validates what npm start reads: PORT, HOST and SHUTDOWN_GRACE_MS, with their defaults", () => {
    expect(parseEnv(valid())).toMatchObject({ PORT: 3000, SHUTDOWN_GRACE_MS: 8_000 });
    expect(parseEnv(valid()).HOST).toBeUndefined();
    expect(parseEnv({ ...valid(), PORT: "8080", HOST: "0.0.0.0", SHUTDOWN_GRACE_MS: "20000" })).toMatchObject({ PORT: 8080, HOST: "0.0.0.0", SHUTDOWN_GRACE_MS: 20_000 });
    expect(() => parseEnv({ ...valid(), PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseEnv({ ...valid(), PORT: "70000" })).toThrow(/PORT/);
    expect(() => parseEnv({ ...valid(), SHUTDOWN_GRACE_MS: "10" })).toThrow(/SHUTDOWN_GRACE_MS/);
  });

  it("refuses the demo's public values and DEMO_MODE in production, allows them in development", () => {
    expect(() => parseEnv({ ...valid(), SHOPIFY_API_SECRET: DEV_ONLY_VALUES.SHOPIFY_API_SECRET })).toThrow(/SHOPIFY_API_SECRET/);
    expect(() => parseEnv({ ...valid(), DEMO_MODE: "1" })).toThrow(/DEMO_MODE/);
    expect(parseEnv({ ...valid(), ...DEV_ONLY_VALUES, NODE_ENV: "development", DEMO_MODE: "1" }).DEMO_MODE).toBe(true);
  });

  it("stops the process at boot (loading the database module) with a message naming the missing secret", () => {
    const env = { ...process.env, ...valid() } as NodeJS.ProcessEnv;
    delete env.SHOPIFY_API_SECRET;
    const result = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "-e", "import('./app/core/db.server.ts')"], {
      env,
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("SHOPIFY_API_SECRET is required");
  });
});
