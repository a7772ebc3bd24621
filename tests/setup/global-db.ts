// Runs once per vitest run: migrates a template database that every test worker copies.
import { execSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import pg from "pg";

export const TEMPLATE_SQLITE = "tests/.tmp/template.sqlite";

export default async function setup() {
  const base = process.env.TEST_DATABASE_URL;
  if (base?.startsWith("postgres")) {
    const url = new URL(base);
    url.pathname = "/app_test_template";
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS app_test_template WITH (FORCE)`);
    await admin.query(`CREATE DATABASE app_test_template`);
    await admin.end();
    execSync("npx prisma migrate deploy", { env: { ...process.env, DATABASE_URL: url.toString() }, stdio: "pipe" });
    return;
  }
  mkdirSync("tests/.tmp", { recursive: true });
  rmSync(TEMPLATE_SQLITE, { force: true });
  execSync("npx prisma migrate deploy", {
    env: { ...process.env, DATABASE_URL: `file:./${TEMPLATE_SQLITE}` },
    stdio: "pipe",
  });
}
