import { adminUrl, ensureConnected, expect, expectAccessible, snap, test } from "./helpers";

// Help, as a connected merchant opens it from Home: the dedup rule, the custom pixel for this
// connection (its event name), what TikTok's own Shopify app means, and the fields sent.
test("Help gives the custom pixel for this connection, the sales channel's limit and the fields sent", async ({ page }) => {
  await ensureConnected(page);
  await page.goto(adminUrl("/app"));
  await page.getByRole("button", { name: "Help" }).or(page.getByRole("link", { name: "Help", exact: true })).first().click();
  await expect(page.getByRole("heading", { name: "Help", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Counting each purchase once" })).toBeVisible();
  const code = page.getByLabel("Custom pixel code");
  await expect(code).toContainText('analytics.subscribe("checkout_completed"');
  await expect(code).toContainText("{ event_id: orderId }");
  // the event name Settings shows is the one in the code
  await page.goto(adminUrl("/app/settings"));
  const eventName = (await page.getByRole("group", { name: "Event name" }).getByRole("radio", { checked: true }).getAttribute("value"))!;
  expect(["Purchase", "CompletePayment"]).toContain(eventName);
  await page.goto(adminUrl("/app/help"));
  await expect(page.getByLabel("Custom pixel code")).toContainText(`"${eventName}"`);
  await expect(page.getByRole("heading", { name: "TikTok's own Shopify app" })).toBeVisible();
  await expect(page.getByText(/cannot be aligned with this app/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Data sent to TikTok" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "limited_data_use", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Troubleshooting and support" })).toBeVisible();
  // The e2e server sets no SUPPORT_EMAIL: Help says so instead of showing an address that does not exist.
  await expect(page.getByText("No support address is configured for this installation of the app.")).toBeVisible();
  await expectAccessible(page);
  await snap(page, "help");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Counting each purchase once" })).toBeVisible();
  // The code scrolls inside its own box; the page itself does not scroll sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expectAccessible(page);
  await snap(page, "m-help");
});
