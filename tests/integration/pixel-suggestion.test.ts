// Choosing the pixel: the one the storefront's theme loads (reported by the embed's heartbeat) is
// suggested, and only when it belongs to the chosen ad account.
import { loader as pixelLoader } from "~/routes/app.connect.pixel";
import { action as proxyAction } from "~/routes/proxy.touchpoints";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, appProxyRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

async function heartbeat(pixels: string[]) {
  const res = await call(proxyAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels }) }));
  expect(res.status).toBe(202);
}

async function pixelStep() {
  return (await (await call(pixelLoader, adminRequest("/app/connect/pixel", { shop: TEST_SHOP }))).json()) as { suggestedPixelCode: string | null; pixels: { pixelCode: string }[] };
}

it("suggests the account's pixel the storefront loads, and nothing for a pixel of another account", async () => {
  await seedOfflineSession(TEST_SHOP);
  await connectShop(TEST_SHOP, control);
  const { pixels } = await pixelStep();
  expect((await pixelStep()).suggestedPixelCode).toBeNull();

  await heartbeat(["CZZZZZZZZZZZZZZZZZZZ"]);
  expect((await pixelStep()).suggestedPixelCode).toBeNull();

  await heartbeat(["CZZZZZZZZZZZZZZZZZZZ", pixels[pixels.length - 1].pixelCode]);
  expect((await pixelStep()).suggestedPixelCode).toBe(pixels[pixels.length - 1].pixelCode);
});
