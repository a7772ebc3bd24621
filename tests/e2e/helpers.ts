import { test as base, expect, type ConsoleMessage, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { mkdirSync } from "node:fs";

/** Console messages that are not the app's fault: Shopify's CDN (App Bridge) is unreachable offline, on purpose. */
const fromBlockedCdn = (msg: ConsoleMessage) => msg.location().url.startsWith("https://cdn.shopify.com/");

/**
 * Every spec's `test`: Shopify's CDN is cut off (App Bridge cannot load, as offline), and a
 * console.error or an uncaught exception on any page fails the test it happened in.
 */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error" && !fromBlockedCdn(msg)) errors.push(`${page.url()}: ${msg.text()}`);
      });
      page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
      await page.route("https://cdn.shopify.com/**", (route) => route.abort());
      await use(errors);
      expect(errors, "console errors").toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** axe-core on the page as it is now: no serious or critical violation. */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
  expect(bad, `axe on ${page.url()}`).toEqual([]);
}

export const adminUrl = (path = "/app") => `${process.env.E2E_ADMIN_URL}/store/e2e-store/apps/key${path}`;
const sandboxUrl = () => process.env.E2E_SANDBOX_URL!;

/** Screenshots a reviewer can look at, kept as test artifacts. */
export async function snap(page: Page, name: string) {
  mkdirSync("tests/artifacts/screenshots", { recursive: true });
  await page.screenshot({ path: `tests/artifacts/screenshots/${name}.png`, fullPage: true });
}

export async function sandbox(path: string, body?: unknown) {
  const res = await fetch(`${sandboxUrl()}${path}`, body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return res.json();
}

/** Picks a pixel in the wizard: searches for its code, then ticks the one match. */
async function choosePixel(page: Page, pixelCode: string) {
  await page.getByLabel("Search pixels").fill(pixelCode);
  await expect(async () => {
    await page.getByText(`(${pixelCode})`).click({ timeout: 1_000 });
    await expect(page.getByRole("radio", { name: new RegExp(pixelCode) })).toBeChecked({ timeout: 1_000 });
    await expect(page.getByRole("button", { name: "Save" })).toBeEnabled({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
}

/** Back from TikTok's consent page: the admin asks to confirm the grant for this store (docs/decisions/0014). */
export async function confirmGrant(page: Page) {
  await expect(page.getByRole("heading", { name: `Connect this TikTok authorization to ${process.env.E2E_SHOP}?` })).toBeVisible();
  // A click before React has hydrated the page posts nothing: click until the page changes.
  await expect(async () => {
    await page.getByRole("button", { name: "Confirm and connect" }).click({ timeout: 1_000 });
    await expect(page.getByRole("button", { name: "Confirm and connect" })).toBeHidden({ timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
}

/**
 * Waits until React has hydrated the element `selector` names (React puts its props on the DOM node
 * when it hydrates it). A merchant's click before that is replayed by React 18 during hydration;
 * in CI one such click on the account step ended in React's internal error #345.
 */
async function hydrated(page: Page, selector: string) {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return !!el && Object.keys(el).some((k) => k.startsWith("__reactProps"));
  }, selector);
}

/** Runs the connect wizard through the sandbox's consent page unless the e2e shop is connected already. */
export async function ensureConnected(page: Page, advertiserName = "Pacific Outfitters", onStep?: (step: number) => Promise<void>) {
  await page.goto(adminUrl("/app/connect"));
  await page.waitForLoadState("networkidle");
  if (await page.getByRole("heading", { name: "TikTok connection", level: 1 }).isVisible()) return;
  if (!(await page.getByText("Step 1 of 4").isVisible())) {
    // Setup was left half-way: start again from the first step.
    await page.goto(adminUrl("/app/settings"));
    await disconnect(page);
    await page.goto(adminUrl("/app/connect"));
  }
  await onStep?.(1);
  const world = await sandbox("/__sandbox/world");
  const advertiser = world.advertisers.find((a: { name: string }) => a.name === advertiserName);
  await page.getByRole("button", { name: /^(Connect|Reconnect) TikTok$/ }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await confirmGrant(page);
  await page.getByText("Step 2 of 4").waitFor();
  await onStep?.(2);
  await hydrated(page, 'input[type="radio"]');
  // A click before React has hydrated the page changes nothing: click until the choice holds.
  await expect(async () => {
    await page.getByText(advertiserName, { exact: true }).click();
    await expect(page.getByLabel(advertiserName)).toBeChecked({ timeout: 1_000 });
    await expect(page.getByRole("button", { name: "Continue" })).toBeEnabled({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByText("Step 3 of 4").waitFor();
  await onStep?.(3);
  await hydrated(page, 'input[type="search"], input[type="text"]');
  await choosePixel(page, advertiser.pixels[0].pixel_code);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Step 4 of 4").waitFor();
  await onStep?.(4);
}

/** On Settings or the connection page: Disconnect, confirmed in the modal. */
export async function disconnect(page: Page) {
  await page.getByRole("button", { name: "Disconnect TikTok" }).click();
  await page.getByRole("dialog", { name: "Disconnect TikTok?" }).getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByText("TikTok is disconnected.")).toBeVisible();
}

/** Presses Tab until `target` has the focus (a keyboard user's path); fails after `max` presses. */
export async function tabTo(page: Page, target: ReturnType<Page["locator"]>, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)).catch(() => false)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}
