#!/usr/bin/env node
// Builds the storefront embed script: extensions/tiktok-capture/src/main.ts → assets/capture.min.js
// (esbuild: bundle, minify, IIFE, ES2017) and prints its gzipped size.
//   node scripts/build-embed.mjs           write the asset
//   node scripts/build-embed.mjs --check   fail if the committed asset is not what the source builds to
// Both fail when the script is over the 2 KB gzipped budget (issue 5).
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const extension = path.join(root, "extensions/tiktok-capture");
export const EMBED_ENTRY = path.join(extension, "src/main.ts");
export const EMBED_ASSET = path.join(extension, "assets/capture.min.js");
export const EMBED_BUDGET_GZIP = 2048;

/** One storefront script as Shopify's CLI bundles extensions: bundled, minified, IIFE, ES2017. */
export async function bundleStorefrontScript(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2017",
    platform: "browser",
    legalComments: "none",
    charset: "utf8",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

/** The asset's text as the source builds it. */
export const buildEmbed = () => bundleStorefrontScript(EMBED_ENTRY);

export function gzipSize(text) {
  return gzipSync(Buffer.from(text), { level: 9 }).length;
}

async function main() {
  const check = process.argv.includes("--check");
  const text = await buildEmbed();
  const size = gzipSize(text);
  console.log(`embed: ${size} bytes gzipped (${Buffer.byteLength(text)} bytes raw, budget ${EMBED_BUDGET_GZIP})`);
  let ok = size <= EMBED_BUDGET_GZIP;
  if (!ok) console.error(`embed: over budget by ${size - EMBED_BUDGET_GZIP} bytes`);
  if (check) {
    let committed = "";
    try {
      committed = readFileSync(EMBED_ASSET, "utf8");
    } catch {
      /* missing counts as stale */
    }
    if (committed !== text) {
      console.error(`embed: ${path.relative(root, EMBED_ASSET)} is stale; run node scripts/build-embed.mjs`);
      ok = false;
    }
  } else {
    writeFileSync(EMBED_ASSET, text);
  }
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
