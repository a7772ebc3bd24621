import { simulateVisitAndOrder } from "../../app/features/demo/simulate.server";
import { formatDateRange } from "../../app/components/format";
import { addDays } from "../../app/features/spend/dates";
import { adminUrl, disconnect, ensureConnected, expect, expectAccessible, sandbox, snap, test } from "./helpers";

// Issue 26 as a merchant walks it, at 1366×900 and 390×844: the setup guide from a disconnected
// store to done, the Events search, filters and CSV export, and the dashboard's date presets.
test.describe.configure({ mode: "serial" });

async function setThemeEmbed(enabled: boolean) {
  const res = await fetch(`${process.env.E2E_ADMIN_URL}/__admin/theme-embed`, { method: "POST", body: JSON.stringify({ enabled }) });
  expect(res.status).toBe(204);
}
const order = () => simulateVisitAndOrder({ appUrl: process.env.E2E_APP_URL!, shop: process.env.E2E_SHOP!, secret: process.env.E2E_SHOPIFY_SECRET! });
const guide = (page: import("@playwright/test").Page) => page.getByRole("list", { name: "Setup steps" });
const step = (page: import("@playwright/test").Page, title: string) => guide(page).getByRole("listitem").filter({ hasText: title });

const SIZES = [{ name: "desktop", width: 1366, height: 900 }, { name: "phone", width: 390, height: 844 }];

// Dismissing the guide is for good (it stays hidden after a disconnect), so the phone walk goes
// first and stops at done; the desktop walk then dismisses it.
for (const size of [SIZES[1], SIZES[0]]) {
  const dismisses = size.name === "desktop";
  test(`the setup guide walks a store from disconnected to done${dismisses ? ", then can be dismissed" : ""} (${size.name})`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(size);
    await page.goto(adminUrl("/app/settings"));
    if (await page.getByRole("button", { name: "Disconnect TikTok" }).isVisible()) await disconnect(page);
    await setThemeEmbed(false);
    await page.goto(adminUrl("/app"));
    await expect(page.getByRole("heading", { name: "Setup guide" })).toBeVisible();
    await expect(step(page, "Connect TikTok for Business").getByText("To do", { exact: true })).toBeVisible();
    // The guide's steps are the call to action: no separate connection card with a third Connect button.
    await expect(page.getByRole("heading", { name: "TikTok", exact: true })).toHaveCount(0);
    // The guide sits above everything but the status line.
    const guideTop = (await page.getByRole("heading", { name: "Setup guide" }).boundingBox())!.y;
    expect((await page.getByRole("heading", { name: "Storefront embed", exact: true }).boundingBox())!.y).toBeGreaterThan(guideTop);
    await expectAccessible(page);
    if (size.name === "desktop") await snap(page, "14-home-setup-guide");

    await ensureConnected(page);
    await page.goto(adminUrl("/app"));
    await expect(step(page, "Connect TikTok for Business").getByText("Done", { exact: true })).toBeVisible();
    await expect(step(page, "Choose the ad account and pixel").getByText("Done", { exact: true })).toBeVisible();

    // The merchant switches the embed on in the theme editor; "Check again" reads the theme now.
    await setThemeEmbed(true);
    await page.getByRole("button", { name: "Check again" }).click();
    await expect(step(page, "Turn on the storefront embed").getByText("Done", { exact: true })).toBeVisible();

    // The first order from a TikTok ad visitor reaches TikTok.
    await order();
    await expect(async () => {
      await page.reload();
      await expect(step(page, "See the first order sent to TikTok").getByText("Done", { exact: true })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 60_000 });
    await expect(page.getByText("4 of 4 steps done")).toBeVisible();
    await expect(page.getByRole("button", { name: "Dismiss the guide" })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expectAccessible(page);
    if (!dismisses) return;
    await page.getByRole("button", { name: "Dismiss the guide" }).click();
    await expect(page.getByRole("heading", { name: "Setup guide" })).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Last 7 days", level: 2 })).toBeVisible();
  });
}

test("Resend on an event TikTok refused says what it sends, answers on the page, and the list keeps its filter", async ({ page }) => {
  test.setTimeout(120_000);
  await ensureConnected(page);
  // TikTok refuses the next event request, as it does an event whose content it does not accept.
  await sandbox("/__sandbox/faults", { kind: "code", path: "/event/track/", code: 40002, message: "Invalid value for properties.value.", count: 1 });
  const { orderId } = await order();
  const orderName = `#${1000 + (Number(orderId) % 100000)}`;
  await page.goto(adminUrl(`/app/events?status=failed&q=${encodeURIComponent(orderName)}`));
  const row = page.getByRole("list", { name: "Orders" }).getByRole("listitem").filter({ hasText: orderName });
  await expect(async () => {
    await page.reload();
    await expect(row.getByRole("button", { name: "Resend" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(row.getByText(/^TikTok refused this event\. Resend sends the same stored event again/)).toBeVisible();
  await row.getByRole("button", { name: "Resend" }).click();
  await expect(page.getByText("Queued again with the same event ID.")).toBeVisible();
  await expect(page).toHaveURL(/status=failed/);
  await expect(page).toHaveURL(/q=%23/);
});

for (const size of SIZES) {
  test(`Events: search, filters and CSV export (${size.name})`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(size);
    await ensureConnected(page);
    const { orderId } = await order();
    const orderName = `#${1000 + (Number(orderId) % 100000)}`;
    await page.goto(adminUrl("/app/events"));
    await expect(page.getByRole("heading", { name: "Events", level: 1 })).toBeVisible();
    await page.getByLabel("Order", { exact: true }).fill(orderName);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/[?&]q=%23/);
    await expect(page.getByRole("list", { name: "Orders" }).getByRole("listitem")).toHaveCount(1);
    await expect(page.getByRole("link", { name: orderName })).toBeVisible();
    await expect(page.getByText("1 order(s)", { exact: false })).toBeVisible();
    // A date range with no orders, then the export of what is shown.
    await page.getByRole("link", { name: "Clear" }).click();
    await expect(page).not.toHaveURL(/q=/);
    await page.getByLabel("From", { exact: true }).fill("2020-01-01");
    await page.getByLabel("To", { exact: true }).fill("2020-01-31");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByText("No order matches these filters.")).toBeVisible();
    await page.goto(adminUrl(`/app/events?q=${encodeURIComponent(orderName)}`));
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const csv = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^order,order_id,placed_at \(.+\),value,currency,status,reason,match_keys$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(orderId);
    expect(csv).not.toMatch(/@example\.com/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expectAccessible(page);
    await snap(page, size.name === "phone" ? "m-events-search" : "15-events-search");

    // The Status filter: once TikTok has accepted this order, "Sent" lists only sent orders, this one among them.
    const orders = page.getByRole("list", { name: "Orders" }).getByRole("listitem");
    await expect(async () => {
      await page.reload();
      await expect(orders.filter({ hasText: orderName }).getByText("Sent", { exact: true })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await page.getByRole("link", { name: "Clear" }).click();
    await expect(page).not.toHaveURL(/q=/);
    const pickStatus = (status: string) =>
      // A choice made before React has hydrated the page changes nothing: pick until the URL has it.
      expect(async () => {
        await page.getByLabel("Status", { exact: true }).selectOption(status);
        await expect(page).toHaveURL(new RegExp(`[?&]status=${status}`), { timeout: 1_000 });
      }).toPass({ timeout: 15_000 });
    await pickStatus("sent");
    await expect(orders.first()).toBeVisible();
    const shown = await orders.count();
    expect(shown).toBeGreaterThan(0);
    await expect(orders.filter({ has: page.getByText("Sent", { exact: true }) })).toHaveCount(shown);
    // Searching keeps the status in the URL, and a reload keeps both.
    await page.getByLabel("Order", { exact: true }).fill(orderName);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/[?&]q=%23/);
    await expect(page).toHaveURL(/[?&]status=sent/);
    await expect(orders).toHaveCount(1);
    await page.reload();
    await expect(page.getByLabel("Status", { exact: true })).toHaveValue("sent");
    await expect(orders.filter({ hasText: orderName })).toHaveCount(1);
    // A status this order is not in lists nothing for it.
    await pickStatus("failed");
    await expect(page).toHaveURL(/[?&]q=%23/);
    await expect(page.getByText("No order matches these filters.")).toBeVisible();
    await expectAccessible(page);
  });

  test(`Spend & ROAS: date presets with the change against the period before (${size.name})`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(size);
    await ensureConnected(page);
    await page.goto(adminUrl("/app/dashboard"));
    await expect(page.getByRole("heading", { name: "Spend & ROAS", level: 1 })).toBeVisible();
    await page.getByLabel("Date range").selectOption("last7");
    await expect(page).toHaveURL(/preset=last7/);
    await expect(page.getByLabel("Date range")).toHaveValue("last7");
    await expect
      .poll(async () => (Date.parse(await page.getByLabel("To", { exact: true }).inputValue()) - Date.parse(await page.getByLabel("From", { exact: true }).inputValue())) / 86_400_000)
      .toBe(6);
    // Custom: the merchant's own start and end, applied as typed (a range no preset covers).
    const today = await page.getByLabel("To", { exact: true }).inputValue();
    const day = (offset: number) => addDays(today, offset);
    await page.getByLabel("Date range").selectOption("custom");
    await expect(page.getByLabel("Date range")).toHaveValue("custom");
    await page.getByLabel("From", { exact: true }).fill(day(-20));
    await page.getByLabel("To", { exact: true }).fill(day(-11));
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]start=${day(-20)}&end=${day(-11)}`));
    await expect(page).not.toHaveURL(/preset=/);
    await expect(page.getByLabel("Date range")).toHaveValue("custom");
    await expect(page.getByLabel("From", { exact: true })).toHaveValue(day(-20));
    await expect(page.getByLabel("To", { exact: true })).toHaveValue(day(-11));
    // Each headline card names the days it covers.
    const spendCard = page.getByRole("heading", { name: "Spend", level: 3, exact: true }).locator("xpath=..");
    await expect(spendCard.getByText(formatDateRange(day(-20), day(-11)), { exact: true })).toBeVisible();
    await page.getByLabel("Date range").selectOption("last90");
    await expect(page).toHaveURL(/preset=last90/);
    await expect(page.getByText(/^Days are the store's/)).toBeVisible();
    if (size.name === "phone") {
      // Ad groups are inside each campaign's card on a phone.
      await expect(page.getByRole("list", { name: /^Ad groups of / }).first()).toBeVisible();
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    }
    await expectAccessible(page);
    await snap(page, size.name === "phone" ? "m-dashboard-presets" : "16-dashboard-presets");
  });
}
