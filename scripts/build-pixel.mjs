#!/usr/bin/env node
// Builds the web pixel the way the Shopify CLI bundles it (extensions/tiktok-pixel/src/index.ts,
// esbuild: bundle, minify, ES2017) in memory and prints its gzipped size. Nothing is written: the
// CLI builds the extension itself at deploy. Fails when it is over the 4 KB gzipped budget (issue 13).
//   node scripts/build-pixel.mjs [--check]
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleStorefrontScript, gzipSize } from "./build-embed.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PIXEL_ENTRY = path.join(root, "extensions/tiktok-pixel/src/index.ts");
export const PIXEL_BUDGET_GZIP = 4096;

/** The pixel bundle's text. */
export const buildPixel = () => bundleStorefrontScript(PIXEL_ENTRY);

async function main() {
  const text = await buildPixel();
  const size = gzipSize(text);
  console.log(`pixel: ${size} bytes gzipped (${Buffer.byteLength(text)} bytes raw, budget ${PIXEL_BUDGET_GZIP})`);
  if (size > PIXEL_BUDGET_GZIP) console.error(`pixel: over budget by ${size - PIXEL_BUDGET_GZIP} bytes`);
  process.exitCode = size <= PIXEL_BUDGET_GZIP ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
