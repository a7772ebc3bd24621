import { expect, test } from "@playwright/test";
import { adminUrl, ensureConnected, sandbox, snap } from "./helpers";

// Issue 13: a "Buy it now" order with no cart attributes is attributed through the web pixel and
// sent to TikTok once. Connecting activated the pixel on the Shopify stand-in; the demo panel runs
// the pixel's real code with the settings Shopify holds, then delivers orders/create.
test("a Buy it now order with no cart attributes is attributed through the web pixel and sent once", async ({ page }) => {
  test.setTimeout(90_000);
  await page.route("https://cdn.shopify.com/**", (route) => route.abort());
  await ensureConnected(page);

  await page.goto(adminUrl("/app"));
  await expect(page.getByText("Web pixel", { exact: true })).toBeVisible();
  await page.goto(adminUrl("/app/help"));
  await expect(page.getByText(/same event_id within 48 hours/)).toBeVisible();

  await page.goto(adminUrl("/app/demo"));
  await page.getByRole("button", { name: "Buy it now (web pixel only)" }).click();
  const banner = page.getByText(/^Buy it now order \d+ placed with no cart attributes/);
  await expect(banner).toBeVisible();
  const orderId = /order (\d+)/.exec((await banner.textContent())!)![1];

  await page.goto(adminUrl("/app/events"));
  const row = page.getByRole("listitem").filter({ hasText: "Web pixel (checkout)" }).first();
  await expect(async () => {
    await page.reload();
    await expect(row.getByText("Sent", { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await snap(page, "13-events-web-pixel");

  const received = await sandbox("/__sandbox/events");
  const mine = received.events.filter((e: { event: { event_id: string } }) => e.event.event_id === orderId);
  expect(mine).toHaveLength(1);
  expect(mine[0].event.user.ttclid).toMatch(/^E\.C\.P\.pixel/);
});
