// Several processes call TikTok with the same app: INSTANCE_COUNT splits TIKTOK_RATE_QPS/QPM so
// that together they stay within the app-wide quota, which the sandbox enforces (40100 beyond it).
// Each "process" here is a fresh module graph (vi.resetModules), so each has its own client and
// limiter, as two processes would.
import { startSandbox, type Sandbox } from "../../../../sandbox/server";
import { sandboxControl } from "../../../../sandbox/control";
import { testSecrets } from "../../../support/constants";

let sandbox: Sandbox;
const secrets = testSecrets();

beforeAll(async () => {
  // TikTok's app-wide quota: 4 requests in any second.
  sandbox = await startSandbox({ port: 0, appId: secrets.TIKTOK_APP_ID, appSecret: secrets.TIKTOK_APP_SECRET, rateLimit: { qps: 4, qpm: 240 } });
  Object.assign(process.env, secrets, {
    SHOPIFY_APP_URL: "https://app.example.com",
    TIKTOK_API_BASE_URL: sandbox.url,
    TIKTOK_RATE_QPS: "4",
    TIKTOK_RATE_QPM: "240",
    INSTANCE_COUNT: "2",
  });
});
afterAll(() => sandbox.close());

async function processClient() {
  vi.resetModules();
  const { tiktokClientFromEnv } = await import("~/core/tiktok/client.server");
  return tiktokClientFromEnv();
}

test("GIVEN two processes configured with INSTANCE_COUNT=2 WHEN both call TikTok as fast as their limiters allow THEN TikTok refuses none of their requests", { timeout: 20_000 }, async () => {
  const control = sandboxControl(sandbox.url);
  const token = await control.token(["7100000000000000001"]);
  const [a, b] = [await processClient(), await processClient()];
  expect(a).not.toBe(b);
  // 6 calls each: at 2 per second per process this spans about 3 s, several of TikTok's windows.
  const calls = [a, b].flatMap((client) => Array.from({ length: 6 }, () => client.listAdvertisers(token)));
  const results = await Promise.allSettled(calls);
  expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
  const log = await control.requests();
  expect(log.counts["/open_api/v1.3/oauth2/advertiser/get/"]).toBe(12);
  expect(log.rate_limited).toBe(0);
});
