import { expect, test } from "./helpers";
import { signAppProxyQuery } from "../../app/features/demo/shopify-double.server";
import { adminUrl, ensureConnected, snap } from "./helpers";
import { daysBetween } from "../../app/features/spend/dates";
import { simulateVisitAndOrder } from "../../app/features/demo/simulate.server";

/** The admin stand-in's published theme: our app embed switched on or off (as a merchant would in the theme editor). */
async function setThemeEmbed(enabled: boolean) {
  const res = await fetch(`${process.env.E2E_ADMIN_URL}/__admin/theme-embed`, { method: "POST", body: JSON.stringify({ enabled }) });
  expect(res.status).toBe(204);
}

/** What the storefront embed's daily heartbeat sends through Shopify's app proxy (signed as Shopify signs it). */
async function heartbeat(pixels: string[]) {
  const qs = signAppProxyQuery({ n: `e2e${Date.now()}`.padEnd(22, "x").slice(0, 22) }, { shop: process.env.E2E_SHOP!, secret: process.env.E2E_SHOPIFY_SECRET! });
  const res = await fetch(`${process.env.E2E_APP_URL}/proxy/touchpoints?${qs}`, {
    method: "POST",
    headers: { "Content-Type": "text/plain", "X-Forwarded-For": "203.0.113.50" },
    body: JSON.stringify({ v: 1, pixels }),
  });
  expect(res.status).toBe(202);
}

test("the embedded home page renders Polaris through the real admin auth path", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Shopify's CDN is unreachable here: the App Bridge script fails, the page must still work.
  await page.route("https://cdn.shopify.com/**", (route) => route.abort());
  await page.goto(adminUrl("/app"));
  await expect(page.getByRole("heading", { name: "TikTok Ads" })).toBeVisible();
  await expect(page.locator(".Polaris-Page")).toBeVisible();
  const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  expect(font).toMatch(/Inter/);
  await snap(page, "01-home");

  // A client-side navigation: the Remix data request must carry the session token.
  await page.getByRole("link", { name: "See every order" }).click();
  await expect(page.getByRole("heading", { name: "Events", exact: true, level: 1 })).toBeVisible();
  expect(errors).toEqual([]);
});

test("a page opened without a session token shows no shop data, only the login", async ({ page }) => {
  await page.goto(`${process.env.E2E_APP_URL}/app/events`);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  expect(page.url()).toContain("/auth/login");
  await expect(page.getByText(process.env.E2E_SHOP!)).toHaveCount(0);
  await expect(page.getByText("Events sent to TikTok")).toHaveCount(0);
});

test("the app serves its favicon from public/ and every page links it", async ({ page, request }) => {
  const icon = await request.get(`${process.env.E2E_APP_URL}/favicon.ico`);
  expect(icon.status()).toBe(200);
  expect((await icon.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
  await page.goto(`${process.env.E2E_APP_URL}/auth/login`);
  await expect(page.locator('link[rel="icon"]')).toHaveAttribute("href", "/favicon.ico");
});

test("embed status comes from the published theme through the Admin API, with when; Check again after switching it off", async ({ page }) => {
  await setThemeEmbed(true);
  await page.goto(adminUrl("/app"));
  // Polaris renders a card as nested boxes: the embed card is the smallest block holding its heading and its button.
  const card = page.locator("div").filter({ has: page.getByRole("heading", { name: "Storefront embed" }) }).filter({ has: page.getByRole("button", { name: "Check again" }) }).last();
  await expect(card.getByText(/^On in your published theme, checked .*\.$/)).toBeVisible();
  await expect(card.locator(".Polaris-Badge")).toHaveText(/On$/);

  await setThemeEmbed(false);
  await card.getByRole("button", { name: "Check again" }).click();
  await expect(card.getByText(/^Off in your published theme, checked .*\.$/)).toBeVisible();
  await expect(card.locator(".Polaris-Badge")).toHaveText(/Off$/);
  await expect(card.getByRole("link", { name: "Turn on the app embed" })).toBeVisible();

  await setThemeEmbed(true);
  await card.getByRole("button", { name: "Check again" }).click();
  await expect(card.locator(".Polaris-Badge")).toHaveText(/On$/);
});

test("the storefront heartbeat: seen on the storefront, and a warning when its TikTok pixel is not the selected one", async ({ page }) => {
  await ensureConnected(page);
  await heartbeat(["CZZZZZZZZZZZZZZZZZZZ"]);
  await page.goto(adminUrl("/app"));
  await expect(page.getByText(/Seen running on the storefront less than an hour ago\./)).toBeVisible();
  const warning = page.locator(".Polaris-Banner").filter({ hasText: "Confirm you selected the correct Pixel ID" });
  await expect(warning).toBeVisible();
  await expect(warning).toContainText("CZZZZZZZZZZZZZZZZZZZ");
  // Home leads with it: the first line, above the figures, says what is wrong and where to fix it.
  const status = page.locator(".Polaris-Banner").first();
  await expect(status).toContainText("Your storefront loads another TikTok pixel (CZZZZZZZZZZZZZZZZZZZ)");
  await expect(status.getByRole("link", { name: "Choose the pixel" })).toHaveAttribute("href", /\/app\/connect\/pixel/);
  expect((await status.boundingBox())!.y).toBeLessThan((await page.getByRole("heading", { name: "Last 7 days" }).boundingBox())!.y);
  await snap(page, "01b-home-pixel-mismatch");
});

test("connected, Home leads with the last 7 days, each figure with its days and a link to its page with the same range", async ({ page }) => {
  test.setTimeout(90_000);
  await ensureConnected(page);
  // An attributed order of its own, so the dashboard has a ROAS whichever specs ran before.
  await simulateVisitAndOrder({ appUrl: process.env.E2E_APP_URL!, shop: process.env.E2E_SHOP!, secret: process.env.E2E_SHOPIFY_SECRET! });
  await page.goto(adminUrl("/app"));
  await expect(page.getByRole("heading", { name: "Last 7 days", level: 2 })).toBeVisible();
  for (const label of ["Spend", "Attributed revenue", "ROAS", "Events sent"]) await expect(page.getByRole("heading", { name: label, exact: true, level: 3 })).toBeVisible();
  const range = page.getByText(/^[A-Z][a-z]{2} \d{1,2}(, \d{4})? – [A-Z][a-z]{2} \d{1,2}, \d{4}$/);
  // One clock: all four cards, events sent included, cover the same days.
  await expect(range).toHaveCount(4);
  await expect(page.getByText(/^Times and days on this page are in the store's time zone \([^)]+\), except those marked UTC \(signal health, click capture\);/)).toBeVisible();
  const period = (await range.first().textContent())!;
  await page.getByRole("link", { name: "See spend and ROAS" }).first().click();
  await expect(page.getByRole("heading", { name: "Spend & ROAS", level: 1 })).toBeVisible();
  const url = new URL(page.url());
  expect(daysBetween(url.searchParams.get("start")!, url.searchParams.get("end")!)).toBe(7);
  await expect(page.getByLabel("From", { exact: true })).toHaveValue(url.searchParams.get("start")!);
  await expect(page.getByLabel("To", { exact: true })).toHaveValue(url.searchParams.get("end")!);
  // The dashboard's cards state the same days as Home's (the spend import may still be running).
  await expect(page.getByText(period, { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/^\d+\.\d{2}×$/).first()).toBeVisible();
  await page.goto(adminUrl("/app"));
  await page.getByRole("link", { name: "See events" }).click();
  await expect(page.getByRole("heading", { name: "Events", level: 1 })).toBeVisible();
});
