// Home's setup guide (issue 26 item 1): each step is done from what the app itself saw, walked as a
// merchant would: install, connect TikTok, the storefront embed's first signed request, Shopify's
// signed order sent to the sandbox, and a browser pixel declared in Settings; then dismiss.
import prisma from "~/core/db.server";
import { drainAll } from "~/features/events/worker.server";
import { action as homeAction, loader as homeLoader } from "~/routes/app._index";
import { action as touchpointAction } from "~/routes/proxy.touchpoints";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, appProxyRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, saveSettings, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

beforeEach(async () => {
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await seedOfflineSession(TEST_SHOP);
  await prisma.tikTokConnection.deleteMany({ where: { shop: TEST_SHOP } });
  await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { setupGuideDismissedAt: null, lastStorefrontSignalAt: null, storefrontPixels: null, embedStatus: null, embedCheckedAt: null } });
});
afterEach(() => vi.restoreAllMocks());

type Guide = { steps: { id: string; title: string; done: boolean; optional: boolean; help: string }[]; done: number; total: number; complete: boolean; dismissed: boolean };
const guide = async (): Promise<Guide> => (await (await call(homeLoader, adminRequest("/app", { shop: TEST_SHOP }))).json()).guide;
const doneSteps = async () => (await guide()).steps.filter((s) => s.done).map((s) => s.id);
const dismiss = async () => (await call(homeAction, adminRequest("/app", { shop: TEST_SHOP, form: { intent: "dismiss-setup-guide" } }))).json();

it("each step turns done from the app's own state, and the guide can be dismissed only then", async () => {
  expect(await guide()).toMatchObject({ done: 0, total: 4, complete: false, dismissed: false });
  expect(await dismiss()).toEqual({ ok: false, message: "Finish the setup steps marked To do first: the guide can be dismissed once they are done." });

  await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - 86_400_000) });
  expect(await doneSteps()).toEqual(["connect", "account_pixel"]);

  // The embed's first request: its daily heartbeat, with the pixel the theme loads.
  expect((await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: [] }) }))).status).toBe(202);
  expect(await doneSteps()).toEqual(["connect", "account_pixel", "embed"]);

  expect((await deliverOrder(TEST_SHOP, await demoOrder({ orderId: 6_900_000_000_001, visitorId: "tta1.SetupGuide0000000000001", ttclid: "E.C.P.setup1" }))).status).toBe(200);
  expect(await doneSteps()).toEqual(["connect", "account_pixel", "embed"]);
  expect((await drainAll()).sent).toBe(1);
  // Every required step done with no browser pixel anywhere: the guide is complete, 4 of 4, and can be dismissed.
  expect(await guide()).toMatchObject({ done: 4, total: 4, complete: true });
  expect((await guide()).steps.find((s) => s.id === "browser_pixel")).toMatchObject({ title: "No TikTok browser pixel found", done: false, optional: true });

  // The optional step: a browser pixel declared in Settings, which the app has not seen. The step
  // says it is the merchant's word, not a find; it does not count in the progress.
  await saveSettings(TEST_SHOP, { browserPixelReportsPurchases: true });
  expect(await guide()).toMatchObject({ done: 4, total: 4 });
  const declared = (await guide()).steps.find((s) => s.id === "browser_pixel");
  expect(declared).toMatchObject({ title: "You said in Settings that a browser pixel reports to this pixel: align it for deduplication", done: true });
  expect(declared!.help).toMatch(/^The app does not see it on your storefront/);
  expect(declared!.help).not.toContain("reports purchases to this pixel too");

  expect(await dismiss()).toEqual({ ok: true });
  expect((await guide()).dismissed).toBe(true);
});

it("a heartbeat that reports the selected pixel aligns the browser pixel step; another pixel does not", async () => {
  const { pixelCode } = await connectShop(TEST_SHOP, control);
  await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: ["CZZZZZZZZZZZZZZZZZZZ"] }) }));
  expect(await doneSteps()).not.toContain("browser_pixel");
  await call(touchpointAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: [pixelCode] }) }));
  expect(await doneSteps()).toContain("browser_pixel");
  // Seen on the storefront: a find, said as one, also when Settings declares it too.
  const found = { title: "Browser pixel found: align it for deduplication", help: expect.stringMatching(/^A TikTok browser pixel reports purchases to this pixel too\. /) };
  expect((await guide()).steps.find((s) => s.id === "browser_pixel")).toMatchObject(found);
  await saveSettings(TEST_SHOP, { browserPixelReportsPurchases: true });
  expect((await guide()).steps.find((s) => s.id === "browser_pixel")).toMatchObject(found);
});
