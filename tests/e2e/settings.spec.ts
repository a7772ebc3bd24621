import { adminUrl, ensureConnected, expect, expectAccessible, snap, tabTo, test } from "./helpers";

test("Settings validates inline with messages that say what to enter, never with the browser's pop-ups, and saves from the keyboard", async ({ page }) => {
  test.setTimeout(90_000);
  await ensureConnected(page);
  await page.goto(adminUrl("/app/settings"));
  const days = page.getByLabel("Attribution window (days)");
  await expect(days).toHaveValue("30");
  // A plain text field for digits: no native min/max/required checks and no unnamed step buttons.
  await expect(days).toHaveAttribute("type", "text");
  await expect(days).toHaveAttribute("inputmode", "numeric");
  for (const attr of ["min", "max", "required", "step"]) await expect(days).not.toHaveAttribute(attr, /.*/);
  // The default shows neutral help, not a warning; nothing to save yet.
  await expect(page.locator(".Polaris-InlineError")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save", exact: true })).toBeDisabled();

  for (const bad of ["0", "91", "2.5", "abc"]) {
    await days.fill(bad);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    // The server's answer, shown next to the field (the page stays; nothing is saved).
    await expect(page.locator(".Polaris-InlineError")).toHaveText("Enter a whole number of days from 1 to 90.");
    await expect(days).toHaveAttribute("aria-invalid", "true");
  }
  await expectAccessible(page);
  await snap(page, "11b-settings-invalid");
  await page.reload();
  await expect(days).toHaveValue("30");

  // Typing a bad value and leaving the field says so at once.
  await days.fill("100");
  await days.blur();
  await expect(page.locator(".Polaris-InlineError")).toHaveText("Enter a whole number of days from 1 to 90.");
  await page.getByRole("button", { name: "Discard" }).click();
  await expect(days).toHaveValue("30");

  // Keyboard: Tab to the field, change it, Tab to Save, Enter.
  await tabTo(page, days);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("7");
  // TikTok's own 28-day limit is always cited; only past it does the help warn that TikTok's reports may count fewer.
  await expect(page.getByText(/TikTok Ads Manager credits clicks up to 28 days old/)).toBeVisible();
  await expect(page.getByText(/may count fewer of these orders/)).toHaveCount(0);
  await tabTo(page, page.getByRole("button", { name: "Save", exact: true }));
  await page.keyboard.press("Enter");
  await expect(page.getByText("Settings saved. They apply to orders from now on.")).toBeVisible();
  await page.reload();
  await expect(days).toHaveValue("7");
  await days.fill("30");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText(/^Settings saved\./)).toBeVisible();
});

test("Settings: without a mail server alerts are in the app only; the alert address defaults to the store's email, a bad one is refused inline", async ({ page }) => {
  await page.goto(adminUrl("/app/settings"));
  await expect(page.getByText("Email alerts are off: the app's server has no mail server configured (SMTP_URL).", { exact: false })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send test email" })).toHaveCount(0);
  // The store's email as Shopify's Admin API gave it (the admin stand-in), until the merchant enters another.
  await expect(page.getByText(`Empty: the store owner's email in Shopify, owner@${process.env.E2E_SHOP!.replace(".myshopify.com", "")}.example.com.`)).toBeVisible();
  const field = page.getByLabel("Send alerts to");
  await field.fill("not an email");
  await page.getByRole("button", { name: "Set alert address" }).click();
  await expect(page.getByText(/^Enter an email address such as you@example.com/)).toBeVisible();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await field.fill("ops@example.com");
  await page.getByRole("button", { name: "Set alert address" }).click();
  await expect(page.getByText("Alert address saved.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Send alerts to")).toHaveValue("ops@example.com");
  await expectAccessible(page);
  // Back to the store's email.
  await page.getByLabel("Send alerts to").fill("");
  await page.getByRole("button", { name: "Set alert address" }).click();
  await expect(page.getByText("Alert address saved.")).toBeVisible();
});
