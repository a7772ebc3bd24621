import { expect, test } from "./helpers";
import { adminUrl, ensureConnected, snap } from "./helpers";

// The demo's story from the merchant's side: the demo panel plays a TikTok ad visitor who buys,
// and the order goes out to TikTok; Settings shows what can be changed.
test("the demo panel's simulated visit and order shows up on Events as sent", async ({ page }) => {
  test.setTimeout(90_000);
  await page.route("https://cdn.shopify.com/**", (route) => route.abort());
  await ensureConnected(page);

  await page.goto(adminUrl("/app/demo"));
  await expect(page.getByText("This panel exists only in the demo")).toBeVisible();
  await page.getByRole("button", { name: "Simulate storefront visit and order" }).click();
  const banner = page.getByText(/^Order \d+ placed by a visitor who clicked TikTok ad click E\.C\.P\./);
  await expect(banner).toBeVisible();
  await snap(page, "10-demo-panel");

  await page.getByRole("link", { name: "Events" }).first().click();
  await expect(page.getByRole("heading", { name: "Events" })).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("listitem").first().getByText("Sent", { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  await page.goto(adminUrl("/app/settings"));
  await expect(page.getByLabel("Attribution window (days)")).toHaveValue("30");
  await page.getByLabel("Attribution window (days)").fill("45");
  await expect(page.getByText(/TikTok Ads Manager credits clicks up to 28 days old/)).toBeVisible();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await snap(page, "11-settings");
  await page.reload();
  await expect(page.getByLabel("Attribution window (days)")).toHaveValue("45");
  await page.getByLabel("Attribution window (days)").fill("30");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await page.goto(adminUrl("/app"));
  await snap(page, "12-home-connected");
});
