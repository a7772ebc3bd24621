#!/usr/bin/env node
// Runs Shopify's theme app extension checks (@shopify/theme-check-node, config
// `theme-check:theme-app-extension`, the one `shopify app deploy` applies) over every extension in
// extensions/ that has a shopify.extension.toml, and exits 1 on any offense, warnings included.
// The package has no CLI of its own (the Shopify CLI wraps it), hence this script.
//   node scripts/theme-check.mjs
import { readdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The checker refreshes its Liquid docs from raw.githubusercontent.com on every run and falls back
// to the copy bundled in the package when that fails. Pointing it at the package directory keeps
// the run offline and the same on every machine.
const fromChecker = createRequire(createRequire(import.meta.url).resolve("@shopify/theme-check-node"));
process.env.SHOPIFY_TLD_ROOT ??= path.dirname(fromChecker.resolve("@shopify/theme-check-docs-updater/package.json"));

const { themeCheckRun } = await import("@shopify/theme-check-node");

// Our extension has no locales/ folder (its one setting-free embed has nothing to translate), and
// the translation checks console.error the ENOENT stack before treating it as "no translations".
// Only that exact error is hushed; anything else the checker prints still shows.
const consoleError = console.error;
console.error = (...args) => {
  const [error] = args;
  const missingLocales = args.length === 1 && error?.code === "ENOENT" && path.basename(error.path ?? "") === "locales";
  if (!missingLocales) consoleError(...args);
};

const SEVERITY = ["error", "warning", "info"];
const extensionsDir = path.join(root, "extensions");
const extensions = readdirSync(extensionsDir)
  .map((name) => path.join(extensionsDir, name))
  .filter((dir) => existsSync(path.join(dir, "shopify.extension.toml")));

let offenses = 0;
let files = 0;
for (const dir of extensions) {
  const run = await themeCheckRun(dir, "theme-check:theme-app-extension");
  files += run.theme.length;
  for (const offense of run.offenses) {
    offenses += 1;
    const file = path.relative(root, fileURLToPath(offense.uri));
    const where = offense.start ? `${file}:${offense.start.line + 1}:${offense.start.character + 1}` : file;
    console.error(`${where} ${SEVERITY[offense.severity] ?? offense.severity} ${offense.check}: ${offense.message}`);
  }
}
console.log(`theme-check: ${offenses} offense(s) in ${files} file(s) of ${extensions.length} extension(s)`);
process.exitCode = offenses === 0 && files > 0 ? 0 : 1;
