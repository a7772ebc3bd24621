import { expect, test } from "./helpers";
import { adminUrl, ensureConnected, expectAccessible, sandbox, snap } from "./helpers";
import { daysBetween } from "../../app/features/spend/dates";

test("after connecting, the dashboard shows backfill progress, then spend, chart and campaigns; Sync now updates Last synced", async ({ page }) => {
  test.setTimeout(120_000);
  await page.route("https://cdn.shopify.com/**", (route) => route.abort());
  // TikTok rate-limits the first report request: the backfill pauses visibly, then resumes by itself.
  await sandbox("/__sandbox/faults", { kind: "rate_limit", path: "/report/integrated/get/", count: 1 });
  await ensureConnected(page);

  await page.goto(adminUrl("/app/dashboard"));
  await expect(page.getByText("Importing the last 30 days of spend")).toBeVisible();
  await expect(page.getByText(/report windows done|Queued; starts within a minute/)).toBeVisible();
  await snap(page, "08-dashboard-backfill-progress");
  // The backfill runs in the app process within seconds; the page refreshes itself while it runs.
  await expect(page.getByText(/Last synced \w{3} \d+, \d{4}/)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText("Prospecting").first()).toBeVisible();
  await expect(page.getByText("Summer Sale").first()).toBeVisible(); // a deleted campaign keeps its spend
  await expect(page.locator("svg").first()).toBeVisible();
  await expect(page.getByText("Why these numbers differ from TikTok Ads Manager")).toBeVisible();
  // Just connected, no order sent yet: the backfill's spend is shown, ROAS is never "0.00×".
  await expect(page.getByText(/was spent before the app was connected on \d{4}-\d{2}-\d{2}/).first()).toBeVisible();
  await expect(page.getByText(/^0\.00×$/)).toHaveCount(0);
  await snap(page, "09-dashboard");

  const lastSynced = page.getByText(/Last synced \w{3} \d+, \d{4}, \d+:\d{2}:\d{2}\s[AP]M \S+/);
  const before = await lastSynced.textContent();
  await page.waitForTimeout(1_100); // the time shows whole seconds
  await page.getByRole("button", { name: "Sync now" }).click();
  await expect(lastSynced).not.toHaveText(before ?? "", { timeout: 30_000 });

  // A campaign opens onto its ad groups, each with its own spend, revenue and ROAS cells.
  await page.getByRole("button", { name: "Show ad groups of Prospecting" }).click();
  const table = page.locator(".campaigns-wide");
  await expect(table.getByText("Broad", { exact: true })).toBeVisible();
  await expect(table.getByText("Lookalike", { exact: true })).toBeVisible();
  await expectAccessible(page);
});

test("an invalid date range is replaced in the inputs themselves, with an inline message saying why", async ({ page }) => {
  await ensureConnected(page);
  await page.goto(adminUrl("/app/dashboard?start=2026-11-20&end=2026-11-01"));
  await expect(page.getByRole("heading", { name: "Spend & ROAS", level: 1 })).toBeVisible();
  const from = page.getByLabel("From", { exact: true });
  await expect(from).not.toHaveValue("2026-11-20");
  await expect(from).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("The start date is after the end date. Showing the last 30 days instead.")).toBeVisible();
  const start = await from.inputValue();
  const end = await page.getByLabel("To", { exact: true }).inputValue();
  expect(daysBetween(start, end)).toBe(30);
  // Applying the range shown clears the message.
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText(/Showing the last 30 days instead/)).toHaveCount(0);
  await expect(from).toHaveValue(start);
  await expectAccessible(page);
});
