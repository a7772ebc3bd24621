import { expect, test } from "./helpers";
import { adminUrl, sandbox, snap } from "./helpers";

test.describe.configure({ mode: "serial" });

test.beforeEach(async ({ page }) => {
  await page.route("https://cdn.shopify.com/**", (route) => route.abort());
});

test("a merchant connects TikTok, picks account and pixel, sends a test event; revoke → Reconnect restores it", async ({ page }) => {
  test.setTimeout(120_000);
  await sandbox("/__sandbox/reset", {});
  const world = await sandbox("/__sandbox/world");
  const pacific = world.advertisers.find((a: { currency: string; pixels: unknown[] }) => a.pixels.length > 20);
  const pixel = pacific.pixels[21];

  // Another spec may have connected the shop: Disconnect first (revokes at TikTok, keeps history).
  await page.goto(adminUrl("/app/settings"));
  if (await page.getByRole("button", { name: "Disconnect TikTok" }).isVisible()) {
    await page.getByRole("button", { name: "Disconnect TikTok" }).click();
    await expect(page.getByText("TikTok is disconnected.")).toBeVisible();
  }

  // Step 1: Connect, then TikTok's consent page (the sandbox) outside the admin iframe.
  await page.goto(adminUrl("/app/connect"));
  await expect(page.getByText("Step 1 of 4")).toBeVisible();
  await snap(page, "02-wizard-1-connect");
  await page.getByRole("button", { name: "Connect TikTok" }).click();
  await expect(page.getByRole("heading", { name: /Authorize app/ })).toBeVisible();
  await snap(page, "03-sandbox-consent");
  await page.getByRole("button", { name: "Approve" }).click();

  // Step 2: back in the embedded app, choose the account.
  await expect(page.getByText("Step 2 of 4")).toBeVisible();
  await expect(page.getByText(pacific.name, { exact: true })).toBeVisible();
  await expect(page.getByText(`ID ${pacific.advertiser_id} · USD · America/Los_Angeles`)).toBeVisible();
  await snap(page, "04-wizard-2-account");
  await page.getByText(pacific.name, { exact: true }).click();
  await expect(page.getByLabel(pacific.name)).toBeChecked();
  await page.getByRole("button", { name: "Continue" }).click();

  // Step 3: the pixel list spans more than one page of TikTok's pixel API (page size 20).
  await expect(page.getByText("Step 3 of 4")).toBeVisible();
  const options = page.getByLabel("Pixel").locator("option");
  await expect(options).toHaveCount(pacific.pixels.length);
  await page.getByLabel("Pixel").selectOption(pixel.pixel_code);
  await snap(page, "05-wizard-3-pixel");
  await page.getByRole("button", { name: "Save" }).click();

  // Step 4: Connected, and a test event reaches TikTok's Test Events.
  await expect(page.getByText("Step 4 of 4")).toBeVisible();
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  await expect(page.getByText(`Pixel: ${pixel.pixel_name} (${pixel.pixel_code})`)).toBeVisible();
  await page.getByLabel("Test event code").fill("TEST24680");
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByText(/code 0: OK/)).toBeVisible();
  await snap(page, "06-wizard-4-done");
  const received = await sandbox("/__sandbox/events");
  expect(received.events.some((e: { test_event_code: string; pixel_code: string }) => e.test_event_code === "TEST24680" && e.pixel_code === pixel.pixel_code)).toBe(true);

  // TikTok revokes the token: the next call flips the connection to Needs reconnect.
  await sandbox("/__sandbox/faults", { kind: "revoke", path: "/pixel/list/", count: 1 });
  await page.goto(adminUrl("/app/connect/pixel"));
  await expect(page.getByText(/no longer accepts this app's access/)).toBeVisible();
  await page.goto(adminUrl("/app"));
  await expect(page.getByText("TikTok needs to be reconnected")).toBeVisible();
  await snap(page, "07-home-needs-reconnect");
  await page.getByRole("button", { name: "Reconnect" }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("Step 4 of 4")).toBeVisible();
  await expect(page.getByText(`Pixel: ${pixel.pixel_name} (${pixel.pixel_code})`)).toBeVisible();
  await page.goto(adminUrl("/app"));
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  await expect(page.getByText(new RegExp(`Ad account ${pacific.name}`))).toBeVisible();
});
