import { adminUrl, disconnect, ensureConnected, expect, expectAccessible, snap, test } from "./helpers";

test("Disconnect asks first and says what stops; afterwards every page offers Connect, Settings says what applies, Sync now links to Connect", async ({ page }) => {
  test.setTimeout(120_000);
  await ensureConnected(page);

  // The confirmation says what stops; Cancel changes nothing.
  await page.goto(adminUrl("/app/connect"));
  await page.getByRole("button", { name: "Disconnect TikTok" }).click();
  const dialog = page.getByRole("dialog", { name: "Disconnect TikTok?" });
  await expect(dialog.getByText("New orders are not sent to TikTok (and are not sent later either).")).toBeVisible();
  await expect(dialog.getByText("Spend is no longer imported.")).toBeVisible();
  await expectAccessible(page);
  await snap(page, "13-disconnect-confirm");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await page.goto(adminUrl("/app/settings"));
  await expect(page.getByText("TikTok is disconnected")).toHaveCount(0);

  await disconnect(page);
  // The sandbox answered the revoke: the merchant is told TikTok confirmed it.
  await expect(page.getByText("TikTok confirmed it revoked the app's access.", { exact: false })).toBeVisible();
  // Settings: what applies while disconnected, and saving says when it applies.
  await expect(page.getByText(/While TikTok is not connected no order is sent/)).toBeVisible();
  await page.getByLabel("Attribution window (days)").fill("14");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Settings saved. They apply to orders placed after TikTok is connected again.")).toBeVisible();
  await page.getByLabel("Attribution window (days)").fill("30");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText(/^Settings saved\./)).toBeVisible();

  // Every admin page shows the state with its Connect action.
  for (const path of ["/app/events", "/app/dashboard", "/app/settings", "/app/demo"]) {
    await page.goto(adminUrl(path));
    const banner = page.locator(".Polaris-Banner").filter({ hasText: "TikTok is disconnected" });
    await expect(banner.first()).toBeVisible();
    await expect(banner.first().getByRole("link", { name: "Connect TikTok" })).toBeVisible();
    await expectAccessible(page);
  }

  // The dashboard keeps the old figures under the notice; Sync now answers with a Connect link.
  await page.goto(adminUrl("/app/dashboard"));
  await page.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByText("Connect a TikTok ad account first.")).toBeVisible();
  await expect(page.locator(".Polaris-Banner").filter({ hasText: "Connect a TikTok ad account first." }).getByRole("link", { name: "Connect TikTok" })).toBeVisible();
  await snap(page, "14-dashboard-disconnected");
  await page.locator(".Polaris-Banner").filter({ hasText: "Connect a TikTok ad account first." }).getByRole("link", { name: "Connect TikTok" }).click();
  await expect(page.getByText("Step 1 of 4")).toBeVisible();

  // Connect again for the other specs.
  await ensureConnected(page);
});
