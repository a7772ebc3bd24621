// Page vitals of the admin pages, against Built for Shopify's admin thresholds (LCP ≤ 2.5 s,
// CLS ≤ 0.1, INP ≤ 200 ms). Starts the demo (connected, 30 days of history) on its own ports and
// database, opens each page in Debian's Chromium through the admin stand-in's embedded URL, and
// reads the figures with Google's web-vitals library, the same code Shopify's field data uses.
// INP needs an interaction: each page gets one click or keystroke a merchant would make there.
// Measures, never asserts. Shopify's CDN is unreachable offline, so App Bridge is not loaded.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, mkdirSync } from "node:fs";
import { chromium, type Page } from "playwright";

const RUNS = 3;
const PORT = Number(process.env.BENCH_VITALS_PORT ?? 4780);
const DB = "tests/.tmp/bench-vitals.sqlite";
const SHOP = "vitals-store.myshopify.com";
export const THRESHOLDS = { lcp: 2500, cls: 0.1, inp: 200 };

type Vitals = { lcp: number | null; cls: number | null; inp: number | null };
type Target = {
  page: string;
  path: string | ((page: Page) => Promise<string>);
  interaction: string;
  act: (page: Page) => Promise<void>;
  /** The README's picture of the demo store: taken on the first run, before the interaction. */
  screenshot?: string;
};
/** Where the README's demo-store screenshots are written (copies live in docs/screenshots/). */
const SCREENSHOTS = process.env.BENCH_SCREENSHOTS ?? "tests/artifacts/screenshots";

/** The interaction behind each page's INP: the control a merchant would most likely use first. */
const TARGETS: Target[] = [
  { page: "Home", path: "/app", interaction: "click Check again", act: (p) => p.getByRole("button", { name: "Check again" }).click(), screenshot: "demo-home" },
  { page: "TikTok connection", path: "/app/connect", interaction: "click Disconnect TikTok (opens the confirmation)", act: (p) => p.getByRole("button", { name: "Disconnect TikTok" }).click() },
  { page: "Events", path: "/app/events", interaction: "click Next (the next page of orders)", act: (p) => p.getByRole("button", { name: "Next" }).click() },
  {
    page: "Order detail",
    path: async (p) => {
      await p.goto(adminUrl("/app/events"));
      const href = await p.locator('a[href*="/app/events/"]').first().getAttribute("href");
      return new URL(href!, "http://x").pathname;
    },
    interaction: "click the page heading (no handler: the page's own latency)",
    act: (p) => p.getByRole("heading", { level: 1 }).click(),
  },
  {
    page: "Spend & ROAS",
    path: "/app/dashboard",
    interaction: "click a campaign's ad-group disclosure",
    act: (p) => p.getByRole("button", { name: /^Show ad groups of / }).first().click(),
    screenshot: "demo-dashboard",
  },
  {
    page: "Settings",
    path: "/app/settings",
    interaction: "delete a digit in Attribution window (shows the save bar)",
    act: async (p) => {
      await p.getByLabel("Attribution window (days)").focus();
      await p.keyboard.press("End");
      await p.keyboard.press("Backspace");
    },
  },
  { page: "Data requests", path: "/app/data-requests", interaction: "click the page heading (no handler: the page's own latency)", act: (p) => p.getByRole("heading", { level: 1 }).click() },
];

let adminBase = "";
const adminUrl = (path: string) => `${adminBase}/store/${SHOP.replace(".myshopify.com", "")}/apps/key${path}`;

/** Starts `npm run demo` on bench ports with a fresh database; resolves with the admin URL and a stop function. */
async function startDemo() {
  mkdirSync("tests/.tmp", { recursive: true });
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${DB}${suffix}`, { force: true });
  const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/demo.ts"], {
    env: { ...process.env, PORT: String(PORT), TIKTOK_SANDBOX_PORT: String(PORT + 100), DEMO_ADMIN_PORT: String(PORT + 1), DATABASE_URL: `file:./${DB}`, DEMO_SHOP: SHOP },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const open = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /^open: (\S+)/m.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ""));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("exit", (code) => reject(new Error(`demo exited (${code}):\n${output}`)));
  });
  child.removeAllListeners("exit");
  return { open, stop: () => process.kill(-child.pid!, "SIGTERM") };
}

// The package exports no path to its browser build; the bench runs from the repository root.
const WEB_VITALS = readFileSync("node_modules/web-vitals/dist/web-vitals.iife.js", "utf8");
// Every change is kept (reportAllChanges); the page is then made "hidden", which makes the library
// report its final values, as a merchant leaving the page would.
const COLLECT = `${WEB_VITALS}
window.__vitals = {};
const keep = (m) => { window.__vitals[m.name] = m.value; };
webVitals.onLCP(keep, { reportAllChanges: true });
webVitals.onCLS(keep, { reportAllChanges: true });
webVitals.onINP(keep, { reportAllChanges: true, durationThreshold: 16 });`;

async function measure(page: Page, target: Target, run: number): Promise<Vitals> {
  const path = typeof target.path === "string" ? target.path : await target.path(page);
  await page.goto(adminUrl(path), { waitUntil: "networkidle" });
  await page.waitForTimeout(500);
  if (target.screenshot && run === 0) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/${target.screenshot}.png`, fullPage: true });
  }
  await target.act(page);
  await page.waitForTimeout(1_000);
  const v = await page.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
    return (window as unknown as { __vitals: Record<string, number> }).__vitals;
  });
  return { lcp: v.LCP ?? null, cls: v.CLS ?? 0, inp: v.INP ?? null };
}

const median = (xs: Array<number | null>) => {
  const known = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  return known.length ? known[Math.floor((known.length - 1) / 2)] : null;
};

export async function benchAdminVitals() {
  const demo = await startDemo();
  adminBase = demo.open;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const rows: Array<{ page: string; interaction: string } & Vitals & { verdict: string }> = [];
  try {
    for (const target of TARGETS) {
      const runs: Vitals[] = [];
      for (let i = 0; i < RUNS; i++) {
        // A fresh context per run: no cached assets, as on a merchant's first visit of the day.
        const context = await browser.newContext({
          viewport: { width: 1366, height: 900 },
          // shopify-app-remix answers 410 to bot user agents, and "HeadlessChrome" is one.
          userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        });
        await context.route("https://cdn.shopify.com/**", (route) => route.abort());
        await context.addInitScript(COLLECT);
        const page = await context.newPage();
        runs.push(await measure(page, target, i));
        await context.close();
      }
      const m = { lcp: median(runs.map((r) => r.lcp)), cls: median(runs.map((r) => r.cls)), inp: median(runs.map((r) => r.inp)) };
      const pass = m.lcp !== null && m.lcp <= THRESHOLDS.lcp && m.cls !== null && m.cls <= THRESHOLDS.cls && m.inp !== null && m.inp <= THRESHOLDS.inp;
      rows.push({ page: target.page, interaction: target.interaction, ...m, verdict: pass ? "within" : "OVER or not measured" });
    }
  } finally {
    await browser.close();
    demo.stop();
  }
  return rows;
}

/** The README's table: median of RUNS cold loads per page. */
export function vitalsTable(rows: Awaited<ReturnType<typeof benchAdminVitals>>) {
  const fmt = (x: number | null, unit: "ms" | "") => (x === null ? "not measured" : unit === "ms" ? `${Math.round(x)} ms` : x.toFixed(3));
  return [
    `| Page | LCP (≤ 2,500 ms) | CLS (≤ 0.1) | INP (≤ 200 ms) | Interaction | Verdict |`,
    `|---|---|---|---|---|---|`,
    ...rows.map((r) => `| ${r.page} | ${fmt(r.lcp, "ms")} | ${fmt(r.cls, "")} | ${fmt(r.inp, "ms")} | ${r.interaction} | ${r.verdict} |`),
  ].join("\n");
}

export async function printAdminVitals() {
  console.log(`\n## Admin page vitals (median of ${RUNS} cold loads, 1366×900)\n${vitalsTable(await benchAdminVitals())}`);
}
