import { simulateVisitAndOrder } from "../../app/features/demo/simulate.server";
import { adminUrl, ensureConnected, expect, expectAccessible, sandbox, snap, tabTo, test } from "./helpers";

test.beforeEach(async ({ page }) => {
  await page.route("https://cdn.shopify.com/**", (route) => route.abort());
});

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
  // Match keys in plain words; no raw request id in the list; amounts with their code, times with their zone.
  await expect(row.getByText("Email ✓ Phone ✓ Click ✓ · also Visitor ID, First name, Country, IP address, Browser")).toBeVisible();
  await expect(row.getByText(/accepted \w{3} \d+, \d{4}, \d+:\d{2}\s[AP]M \S+$/)).toBeVisible();
  await expect(row.getByText(/request/)).toHaveCount(0);
  await expect(row.getByText(/ [A-Z]{3} · /)).toBeVisible();
  await snap(page, "08-events");

  // The order's detail, reached by keyboard: what was sent field by field, TikTok's answer, the timeline.
  await tabTo(page, row.getByRole("link", { name: orderName }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: `Order ${orderName}`, level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(`Order ${orderName} · TikTok Ads`);
  await expect(page.getByText("What was sent to TikTok")).toBeVisible();
  await expect(page.getByText("Sent as a SHA-256 hash (TikTok cannot read it back)").first()).toBeVisible();
  await expect(page.getByText(/^Accepted by TikTok /)).toBeVisible();
  await expect(page.getByText(/^TikTok request id \(for TikTok support\): \S+/)).toBeVisible();
  await expect(page.getByText(/: queued for TikTok$/)).toBeVisible();
  await expect(page.getByText(/: accepted by TikTok$/)).toBeVisible();
  const shopifyLink = page.getByRole("link", { name: "Open the order in Shopify" });
  await expect(shopifyLink).toHaveAttribute("href", `shopify://admin/orders/${orderId}`);
  await expect(shopifyLink).toHaveAttribute("target", "_top");
  await tabTo(page, shopifyLink);
  await expectAccessible(page);
  await snap(page, "08b-event-detail");

  // And TikTok has it, once, under the order id.
  const received = await sandbox("/__sandbox/events");
  expect(received.events.filter((e: { event: { event_id: string } }) => e.event.event_id === orderId)).toHaveLength(1);
});
