// tiktokClientFromEnv: configured from the validated environment, one client per process.
import { startSandbox, type Sandbox } from "../../../../sandbox/server";
import { sandboxControl } from "../../../../sandbox/control";
import { testSecrets } from "../../../support/constants";

let sandbox: Sandbox;
const secrets = testSecrets();

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, appId: secrets.TIKTOK_APP_ID, appSecret: secrets.TIKTOK_APP_SECRET });
  Object.assign(process.env, secrets, { SHOPIFY_APP_URL: "https://app.example.com", TIKTOK_API_BASE_URL: sandbox.url, TIKTOK_TIMEOUT_MS: "500" });
});
afterAll(() => sandbox.close());

test("GIVEN the env WHEN the client is requested twice THEN it is one client talking to TIKTOK_API_BASE_URL with the app's credentials", async () => {
  const { tiktokClientFromEnv } = await import("~/core/tiktok/client.server");
  const client = tiktokClientFromEnv();
  expect(tiktokClientFromEnv()).toBe(client);
  expect(client.authorizationUrl({ state: "s", redirectUri: "https://app.example.com/cb" })).toMatch(
    new RegExp(`^${sandbox.url}/portal/auth\\?app_id=${secrets.TIKTOK_APP_ID}&`),
  );
  // The sandbox checks app_id and secret on this call.
  const token = await sandboxControl(sandbox.url).token(["7100000000000000001"]);
  expect(await client.listAdvertisers(token)).toEqual([{ advertiserId: "7100000000000000001", advertiserName: "Berliner Kaffeerösterei" }]);
});
