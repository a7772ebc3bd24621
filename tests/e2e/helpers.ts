import { expect, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";

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

/** Runs the connect wizard through the sandbox's consent page unless the e2e shop is connected already. */
export async function ensureConnected(page: Page) {
  await page.goto(adminUrl("/app/connect"));
  await page.waitForLoadState("networkidle");
  if (await page.getByText("Step 4 of 4").isVisible()) return;
  await page.getByRole("button", { name: /^(Connect|Reconnect) TikTok$/ }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.getByText("Step 2 of 4").waitFor();
  // A click that lands before React hydrates the page is undone by hydration: click until it holds.
  await expect(async () => {
    await page.getByText("Pacific Outfitters", { exact: true }).click();
    await expect(page.getByLabel("Pacific Outfitters")).toBeChecked({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByText("Step 3 of 4").waitFor();
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("Step 4 of 4").waitFor();
}
