import { simulateVisitAndOrder } from "../../app/features/demo/simulate.server";
import { adminUrl, ensureConnected, expect, expectAccessible, test } from "./helpers";

// Every admin page, connected: it has a document title equal to its heading, logs no console
// error (the fixture in helpers.ts checks) and has no serious or critical axe-core violation.
test("every admin page has its title, no console error and no serious accessibility violation", async ({ page }) => {
  test.setTimeout(180_000);
  await ensureConnected(page);
  const { orderId } = await simulateVisitAndOrder({
    appUrl: process.env.E2E_APP_URL!,
    shop: process.env.E2E_SHOP!,
    secret: process.env.E2E_SHOPIFY_SECRET!,
  });

  const pages: Array<[path: string, heading: string]> = [
    ["/app", "TikTok Ads"],
    ["/app/connect", "TikTok connection"],
    ["/app/connect/account", "Connect TikTok"],
    ["/app/connect/pixel", "Connect TikTok"],
    ["/app/events", "Events"],
    [`/app/events/${orderId}`, "Order #"],
    ["/app/dashboard", "Spend & ROAS"],
    ["/app/settings", "Settings"],
    ["/app/data-requests", "Data requests"],
    ["/app/help", "Help"],
    ["/app/demo", "Demo panel"],
  ];
  for (const [path, heading] of pages) {
    await page.goto(adminUrl(path));
    await expect(page.getByRole("heading", { level: 1 })).toContainText(heading);
    await page.waitForLoadState("networkidle");
    const h1 = (await page.getByRole("heading", { level: 1 }).textContent())!;
    await expect(page).toHaveTitle(h1 === "TikTok Ads" ? "TikTok Ads" : `${h1} · TikTok Ads`);
    await expectAccessible(page);
  }
});

test("each menu label is its page's title", async ({ page }) => {
  await ensureConnected(page);
  await page.goto(adminUrl("/app"));
  const labels = await page.locator("ui-nav-menu a:not([rel=home])").allTextContents();
  expect(labels).toEqual(["TikTok connection", "Events", "Spend & ROAS", "Settings", "Data requests", "Help", "Demo panel"]);
  for (const label of labels) {
    await page.locator("ui-nav-menu a", { hasText: label }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(label);
  }
});
