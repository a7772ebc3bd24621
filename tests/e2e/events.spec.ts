import type { Page } from "@playwright/test";
import { expect, test } from "./helpers";
import { simulateVisitAndOrder } from "../../app/features/demo/simulate.server";
import { adminUrl, sandbox, snap } from "./helpers";

test.beforeEach(async ({ page }) => {
  await page.route("https://cdn.shopify.com/**", (route) => route.abort());
});

/** Connects TikTok through the wizard unless this stack's shop already is (specs run in any order). */
async function ensureConnected(page: Page) {
  await page.goto(adminUrl("/app/connect"));
  const step = page.getByText(/Step [1-4] of 4/);
  await expect(step).toBeVisible();
  if ((await step.textContent())?.includes("Step 4 of 4") && (await page.getByText("Connected", { exact: true }).count()) > 0) return;
  if (!(await step.textContent())?.includes("Step 1 of 4")) await page.goto(adminUrl("/app/connect"));
  const world = await sandbox("/__sandbox/world");
  const berlin = world.advertisers[0];
  await page.getByRole("button", { name: /Connect TikTok|Reconnect/ }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("Step 2 of 4")).toBeVisible();
  await page.getByText(berlin.name, { exact: true }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Step 3 of 4")).toBeVisible();
  await page.getByLabel("Pixel").selectOption(berlin.pixels[0].pixel_code);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Step 4 of 4")).toBeVisible();
}

test("an order from a TikTok ad visitor appears on the Events page as Sent, with its match keys", async ({ page }) => {
  test.setTimeout(120_000);
  await ensureConnected(page);

  // A shopper arrives from a TikTok ad (signed touchpoint through the app proxy), then Shopify
  // posts the signed orders/create for that visitor.
  const { orderId } = await simulateVisitAndOrder({
    appUrl: process.env.E2E_APP_URL!,
    shop: process.env.E2E_SHOP!,
    secret: process.env.E2E_SHOPIFY_SECRET!,
  });
  const orderName = `#${1000 + (Number(orderId) % 100000)}`;

  // The in-app worker delivers it within seconds; the merchant sees it on the Events page.
  await page.goto(adminUrl("/app/events"));
  await expect(page.getByRole("heading", { name: "Events" })).toBeVisible();
  const row = page.getByRole("listitem").filter({ hasText: orderName });
  await expect(async () => {
    await page.reload();
    await expect(row.getByText("Sent", { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(row.getByText(/Attribution: Storefront visit/)).toBeVisible();
  await expect(row.getByText(/Match keys: email, phone, ttclid, external_id, ip, user_agent$/)).toBeVisible();
  await expect(row.getByText(/accepted .* \(request \S+\)/)).toBeVisible();
  await snap(page, "08-events");

  // And TikTok has it, once, under the order id.
  const received = await sandbox("/__sandbox/events");
  expect(received.events.filter((e: { event: { event_id: string } }) => e.event.event_id === orderId)).toHaveLength(1);
});
