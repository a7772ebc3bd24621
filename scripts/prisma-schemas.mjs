// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma: one model, two providers.
// `--check` exits non-zero when the copy is stale (run by the tests).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";

const source = readFileSync("prisma/schema.prisma", "utf8");
const target = "prisma/postgresql/schema.prisma";
const generated = source
  .replace('provider = "sqlite"', 'provider = "postgresql"')
  .replace(/^\/\/ The one data model[^\n]*\n\/\/[^\n]*\n/, "// GENERATED from prisma/schema.prisma by scripts/prisma-schemas.mjs. Do not edit.\n");

if (process.argv.includes("--check")) {
  let current = "";
  try { current = readFileSync(target, "utf8"); } catch { /* missing counts as stale */ }
  if (current !== generated) {
    console.error(`${target} is stale: run node scripts/prisma-schemas.mjs`);
    process.exit(1);
  }
} else {
  mkdirSync("prisma/postgresql", { recursive: true });
  writeFileSync(target, generated);
}
