import { expect, test } from "./helpers";
import { adminUrl, snap } from "./helpers";

test("the embedded home page renders Polaris through the real admin auth path", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Shopify's CDN is unreachable here: the App Bridge script fails, the page must still work.
  await page.route("https://cdn.shopify.com/**", (route) => route.abort());
  await page.goto(adminUrl("/app"));
  await expect(page.getByRole("heading", { name: "TikTok Ads" })).toBeVisible();
  await expect(page.locator(".Polaris-Page")).toBeVisible();
  await expect(page.getByText("Data sent to TikTok")).toBeVisible();
  const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  expect(font).toMatch(/Inter/);
  await snap(page, "01-home");

  // A client-side navigation: the Remix data request must carry the session token.
  await page.getByRole("link", { name: "See every order" }).click();
  await expect(page.getByRole("heading", { name: "Events" })).toBeVisible();
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
