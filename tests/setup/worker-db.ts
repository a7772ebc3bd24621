// Per test file: a private copy of the migrated template database, and the app's env.
import { copyFileSync, mkdirSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import pg from "pg";
import { testSecrets } from "../support/constants";

/** A port nothing listens on yet: the TikTok sandbox of this test file takes it when it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// The app reads its env once (env() caches it, db.server and shopify.server call it as they load),
// so everything it needs is set here, before the test file's imports run: the file may import app
// modules statically and start the sandbox (tests/support) later, on this address.
Object.assign(process.env, testSecrets(), {
  NODE_ENV: "test",
  SHOPIFY_APP_URL: "https://app.example.com",
  TIKTOK_API_BASE_URL: `http://127.0.0.1:${await freePort()}`,
  TIKTOK_TIMEOUT_MS: "5000",
  // Generous quota: the client's limiter has its own tests; these must not wait on it.
  TIKTOK_RATE_QPS: "500",
  TIKTOK_RATE_QPM: "30000",
  RUN_JOBS_IN_PROCESS: "0",
  // Nothing listens there: Admin API calls (web pixel activation) fail at once unless a test starts
  // the Shopify stand-in and calls it itself.
  SHOPIFY_ADMIN_API_URL: "http://127.0.0.1:9",
});

const id = randomUUID().replace(/-/g, "").slice(0, 12);
const base = process.env.TEST_DATABASE_URL;
if (base?.startsWith("postgres")) {
  const name = `app_test_${id}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE app_test_template`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  afterAll(async () => {
    const { default: prisma } = await import("~/core/db.server");
    await prisma.$disconnect();
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } catch (error) {
      // A scratch database left behind is not a test failure; say so and move on.
      console.warn(`could not drop ${name}: ${error instanceof Error ? error.message : error}`);
    } finally {
      await c.end();
    }
  });
} else {
  mkdirSync("tests/.tmp/workers", { recursive: true });
  const file = `tests/.tmp/workers/${id}.sqlite`;
  copyFileSync("tests/.tmp/template.sqlite", file);
  // Prisma resolves relative SQLite paths against the schema folder for the CLI but against cwd at runtime.
  process.env.DATABASE_URL = `file:./${file}`;
}
