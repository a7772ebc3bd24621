import { simulateVisitAndOrder } from "../../app/features/demo/simulate.server";
import { adminUrl, disconnect, ensureConnected, expect, expectAccessible, snap, test } from "./helpers";

// A phone (390×844): every figure reachable without horizontal scrolling, axe clean, and the
// README's mobile screenshots.
test.use({ viewport: { width: 390, height: 844 } });

test("on a phone the campaign ROAS is on screen, the pages do not scroll sideways, and axe stays clean", async ({ page }) => {
  test.setTimeout(180_000);
  // The wizard on a phone, from a disconnected store: each step fits and passes axe.
  await ensureConnected(page);
  await page.goto(adminUrl("/app/settings"));
  await disconnect(page);
  await ensureConnected(page, "Pacific Outfitters", async (step) => {
    await page.waitForLoadState("networkidle");
    await expectAccessible(page);
    await snap(page, `m-wizard-${step}`);
  });
  const { orderId } = await simulateVisitAndOrder({ appUrl: process.env.E2E_APP_URL!, shop: process.env.E2E_SHOP!, secret: process.env.E2E_SHOPIFY_SECRET! });

  await page.goto(adminUrl("/app/dashboard"));
  const campaigns = page.getByRole("list", { name: "Campaigns" });
  await expect(campaigns).toBeVisible({ timeout: 60_000 });
  const first = campaigns.getByRole("listitem").first();
  const roas = first.getByText("ROAS", { exact: true });
  await expect(roas).toBeVisible();
  const box = (await first.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  await expect(page.getByRole("columnheader", { name: "ROAS" })).toBeHidden();
  await expectAccessible(page);
  await snap(page, "m-dashboard");

  const pages: Array<[path: string, name: string]> = [
    ["/app", "m-home"],
    ["/app/connect", "m-connection"],
    ["/app/events", "m-events"],
    [`/app/events/${orderId}`, "m-event-detail"],
    ["/app/settings", "m-settings"],
  ];
  for (const [path, name] of pages) {
    await page.goto(adminUrl(path));
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.waitForLoadState("networkidle");
    // What sticks out, named in the failure (the innermost elements past the right edge).
    const wide = await page.evaluate(() =>
      [...document.body.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${(el.textContent ?? "").slice(0, 60)}`),
    );
    expect(wide, `${path} scrolls sideways`).toEqual([]);
    await expectAccessible(page);
    await snap(page, name);
  }
});
