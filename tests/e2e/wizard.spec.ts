import { expect, test } from "./helpers";
import { adminUrl, confirmGrant, disconnect, expectAccessible, sandbox, snap, tabTo } from "./helpers";

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
  if (await page.getByRole("button", { name: "Disconnect TikTok" }).isVisible()) await disconnect(page);

  // Step 1: Connect, then TikTok's consent page (the sandbox) outside the admin iframe.
  await page.goto(adminUrl("/app/connect"));
  await expect(page.getByText("Step 1 of 4")).toBeVisible();
  await expectAccessible(page);
  await snap(page, "02-wizard-1-connect");
  // The whole wizard by keyboard: Tab to each control, Enter or Space to act.
  await tabTo(page, page.getByRole("button", { name: "Connect TikTok" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: /Authorize app/ })).toBeVisible();
  await snap(page, "03-sandbox-consent");
  await tabTo(page, page.getByRole("button", { name: "Approve" }));
  await page.keyboard.press("Enter");

  // Back in the embedded app: the grant is this store's only once the merchant confirms it here.
  await expect(page.getByRole("heading", { name: `Connect this TikTok authorization to ${process.env.E2E_SHOP}?` })).toBeVisible();
  await expect(page.getByText(`${pacific.name} (ID ${pacific.advertiser_id})`)).toBeVisible();
  await expectAccessible(page);
  await tabTo(page, page.getByRole("button", { name: "Confirm and connect" }));
  await page.keyboard.press("Enter");

  // Step 2: back in the embedded app, choose the account.
  await expect(page.getByText("Step 2 of 4")).toBeVisible();
  await expect(page.getByText(pacific.name, { exact: true })).toBeVisible();
  await expect(page.getByText(`ID ${pacific.advertiser_id} · USD · America/Los_Angeles`)).toBeVisible();
  // A EUR account for this USD store warns before Continue; Continue says why it is disabled.
  const berlin = world.advertisers.find((a: { currency: string }) => a.currency !== "USD");
  await expect(page.getByRole("button", { name: "Continue" })).toBeDisabled();
  await expect(page.getByText("Choose an ad account above to continue.")).toBeVisible();
  await expect(page.getByText(/Only the accounts you ticked on TikTok's consent page are listed/)).toBeVisible();
  // A click before React hydrates ticks the radio natively, and hydration unticks it: retry until the page reacts.
  await expect(async () => {
    await page.getByText(berlin.name, { exact: true }).click();
    await expect(page.getByText(`This ad account spends in ${berlin.currency}; your store sells in USD`)).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expectAccessible(page);
  await snap(page, "04-wizard-2-account");
  // Tab reaches the radio group on its checked account; the arrow keys move the choice.
  await tabTo(page, page.getByLabel(berlin.name));
  const order = world.advertisers.map((a: { name: string }) => a.name);
  await page.keyboard.press(order.indexOf(pacific.name) > order.indexOf(berlin.name) ? "ArrowDown" : "ArrowUp");
  await expect(page.getByLabel(pacific.name)).toBeChecked();
  await expect(page.getByText(/spends in EUR/)).toHaveCount(0);
  await tabTo(page, page.getByRole("button", { name: "Continue" }));
  await page.keyboard.press("Enter");

  // Step 3: the pixel list spans more than one page of TikTok's pixel API (page size 20); it is
  // searchable, and nothing is chosen until the merchant chooses.
  await expect(page.getByText("Step 3 of 4")).toBeVisible();
  await expect(page.getByRole("radio")).toHaveCount(pacific.pixels.length);
  await expect(page.getByRole("radio", { checked: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save" })).toBeDisabled();
  await expect(page.getByText("Choose a pixel above to save.")).toBeVisible();
  await tabTo(page, page.getByLabel("Search pixels"));
  await page.keyboard.type(pixel.pixel_code);
  await expect(page.getByRole("radio")).toHaveCount(1);
  await tabTo(page, page.getByRole("radio", { name: `${pixel.pixel_name} (${pixel.pixel_code})` }));
  await page.keyboard.press("Space");
  await expect(page.getByRole("radio", { name: `${pixel.pixel_name} (${pixel.pixel_code})` })).toBeChecked();
  await expectAccessible(page);
  await snap(page, "05-wizard-3-pixel");
  await tabTo(page, page.getByRole("button", { name: "Save" }));
  await page.keyboard.press("Enter");

  // Step 4: Connected, and a test event reaches TikTok's Test Events.
  await expect(page.getByText("Step 4 of 4")).toBeVisible();
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  await expect(page.getByText(`Pixel: ${pixel.pixel_name} (${pixel.pixel_code})`)).toBeVisible();
  await page.getByLabel("Test event code").fill("TEST24680");
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByText("TikTok received a test Purchase event")).toBeVisible();
  await snap(page, "06-wizard-4-done");
  const received = await sandbox("/__sandbox/events");
  const testEvent = received.events.find((e: { test_event_code: string; pixel_code: string }) => e.test_event_code === "TEST24680" && e.pixel_code === pixel.pixel_code);
  // The name on the page is the name TikTok received.
  expect(testEvent?.event.event).toBe("Purchase");

  // TikTok revokes the token: the next call flips the connection to Needs reconnect.
  await sandbox("/__sandbox/faults", { kind: "revoke", path: "/pixel/list/", count: 1 });
  await page.goto(adminUrl("/app/connect/pixel"));
  await expect(page.getByText(/no longer accepts this app's access/)).toBeVisible();
  // Every page says so, with the Reconnect action, and what becomes of held events under both horizons (ADR 0023 §1).
  const bothHorizons = "except those of orders more than 47 hours old by then where the app knows a browser pixel reports purchases to the TikTok pixel (TikTok would count them twice), and more than 7 days old otherwise, which expire";
  for (const path of ["/app/events", "/app/dashboard", "/app/settings"]) {
    await page.goto(adminUrl(path));
    await expect(page.getByText("TikTok needs to be reconnected")).toBeVisible();
    await expect(page.getByRole("button", { name: "Reconnect" })).toBeVisible();
    await expect(page.getByText(`New orders' events are held and sent when you reconnect, ${bothHorizons}; spend sync is paused`, { exact: false })).toBeVisible();
  }
  await page.goto(adminUrl("/app/connect"));
  await expect(page.getByText(`reconnect and they are sent, ${bothHorizons}.`, { exact: false })).toBeVisible();
  await page.goto(adminUrl("/app"));
  // Home may also show the alert's own line ("TikTok needs to be reconnected: purchase events wait…").
  await expect(page.getByRole("heading", { name: "TikTok needs to be reconnected", exact: true })).toBeVisible();
  await expect(page.getByText(`Events are held until you reconnect, then sent, ${bothHorizons}.`, { exact: false })).toBeVisible();
  await snap(page, "07-home-needs-reconnect");
  await page.getByRole("button", { name: "Reconnect" }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await confirmGrant(page);
  await expect(page.getByRole("heading", { name: "TikTok connection", level: 1 })).toBeVisible();
  await expect(page.getByText(`Pixel: ${pixel.pixel_name} (${pixel.pixel_code})`)).toBeVisible();
  await page.goto(adminUrl("/app"));
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  await expect(page.getByText(new RegExp(`Ad account ${pacific.name}`))).toBeVisible();
});
