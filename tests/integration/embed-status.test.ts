// Embed status, detected from the published theme through the Admin API (Shopify's documented
// answer shapes), cached with its check time; and what the embed's heartbeat tells Home.
import { readFileSync } from "node:fs";
import prisma from "~/core/db.server";
import { action as proxyAction } from "~/routes/proxy.touchpoints";
import {
  APP_HANDLE,
  CHECK_TTL_MS,
  EMBED_BLOCK_HANDLE,
  embedEnabledInSettings,
  embedStatus,
  storefrontSignals,
} from "~/features/storefront/embed-status.server";
import { TEST_SHOP } from "../support/constants";
import { appProxyRequest, call, seedOfflineSession } from "../support/requests";

const OURS = `shopify://apps/${APP_HANDLE}/blocks/${EMBED_BLOCK_HANDLE}/8a3f0c52-3d1e-4a57-9d2e-0c6a1b7f4e21`;
const HEADER = "/*\n * ------------------------------------------------------------\n * IMPORTANT: The contents of this file are auto-generated.\n * ------------------------------------------------------------\n */\n";
const settings = (blocks: Record<string, unknown>) => HEADER + JSON.stringify({ current: { blocks } });

/** An Admin API client answering like Shopify: `themes(roles: [MAIN])` → files → body. */
function admin(answer: unknown | (() => never)) {
  const calls: string[] = [];
  return {
    calls,
    graphql: async (query: string) => {
      calls.push(query);
      if (typeof answer === "function") (answer as () => never)();
      return new Response(JSON.stringify(answer));
    },
  };
}
const theme = (content: string) => ({ data: { themes: { nodes: [{ files: { nodes: [{ body: { content } }] } }] } } });

describe("reading the published theme's settings_data.json", () => {
  it("finds our embed block when it is not disabled, after Shopify's comment header", () => {
    expect(embedEnabledInSettings(settings({ "1": { type: OURS, disabled: false, settings: {} } }))).toBe(true);
    expect(embedEnabledInSettings(settings({ "1": { type: OURS, settings: {} } }))).toBe(true);
  });

  it("is off when the block is disabled, missing, or another app's block of the same name", () => {
    expect(embedEnabledInSettings(settings({ "1": { type: OURS, disabled: true } }))).toBe(false);
    expect(embedEnabledInSettings(settings({}))).toBe(false);
    expect(embedEnabledInSettings(HEADER + JSON.stringify({ current: {} }))).toBe(false);
    expect(embedEnabledInSettings(settings({ "1": { type: `shopify://apps/other-app/blocks/${EMBED_BLOCK_HANDLE}/1`, disabled: false } }))).toBe(false);
  });

  it("follows `current` when it names a preset", () => {
    const text = JSON.stringify({ current: "Dawn", presets: { Dawn: { blocks: { "9": { type: OURS, disabled: false } } } } });
    expect(embedEnabledInSettings(text)).toBe(true);
  });

  it("matches the app handle in shopify.app.toml", () => {
    expect(readFileSync("shopify.app.toml", "utf8")).toMatch(new RegExp(`^handle = "${APP_HANDLE}"$`, "m"));
    expect(readFileSync("shopify.app.toml", "utf8")).toMatch(/^scopes = ".*\bread_themes\b.*"$/m);
    expect(readFileSync(`extensions/tiktok-capture/blocks/${EMBED_BLOCK_HANDLE}.liquid`, "utf8")).toContain('"target": "body"');
  });
});

describe("embed status on Home: On / Off / Unknown, with when it was checked", () => {
  const NOW = new Date("2026-12-10T12:00:00Z");
  beforeEach(async () => {
    await seedOfflineSession(TEST_SHOP);
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { embedStatus: null, embedCheckedAt: null, embedCheckError: null } });
  });

  it("reads on / off from the Admin API and stores it with the check time", async () => {
    const on = await embedStatus(TEST_SHOP, admin(theme(settings({ "1": { type: OURS, disabled: false } }))), { now: NOW });
    expect(on).toEqual({ status: "on", checkedAt: NOW, error: null });
    expect(await prisma.shop.findUniqueOrThrow({ where: { shop: TEST_SHOP } })).toMatchObject({ embedStatus: "on", embedCheckedAt: NOW });
    const off = await embedStatus(TEST_SHOP, admin(theme(settings({ "1": { type: OURS, disabled: true } }))), { now: NOW, force: true });
    expect(off.status).toBe("off");
  });

  it("decodes a base64 body", async () => {
    const content = Buffer.from(settings({ "1": { type: OURS, disabled: false } })).toString("base64");
    const answer = { data: { themes: { nodes: [{ files: { nodes: [{ body: { contentBase64: content } }] } }] } } };
    expect((await embedStatus(TEST_SHOP, admin(answer), { now: NOW })).status).toBe("on");
  });

  it("answers from the cache for 10 minutes, then asks Shopify again", async () => {
    const client = admin(theme(settings({ "1": { type: OURS } })));
    await embedStatus(TEST_SHOP, client, { now: NOW });
    await embedStatus(TEST_SHOP, client, { now: new Date(NOW.getTime() + CHECK_TTL_MS - 1) });
    expect(client.calls).toHaveLength(1);
    const later = new Date(NOW.getTime() + CHECK_TTL_MS);
    expect((await embedStatus(TEST_SHOP, client, { now: later })).checkedAt).toEqual(later);
    expect(client.calls).toHaveLength(2);
  });

  it.each([
    ["an access error (no read_themes)", () => {
      throw new Error("GraphQL Client: Access denied for themes field. Required access: `read_themes` access scope.");
    }, /read_themes/],
    ["GraphQL errors", { errors: [{ message: "Throttled" }] }, /Throttled/],
    ["no published theme", { data: { themes: { nodes: [] } } }, /no published theme/],
    ["no settings file", { data: { themes: { nodes: [{ files: { nodes: [] } }] } } }, /settings_data/],
    ["an unexpected shape", { data: { shop: {} } }, /unexpected/],
  ])("is unknown, with the reason, on %s", async (_name, answer, reason) => {
    const r = await embedStatus(TEST_SHOP, admin(answer), { now: NOW });
    expect(r.status).toBe("unknown");
    expect(r.error).toMatch(reason);
    expect(r.checkedAt).toEqual(NOW);
  });

  it("a broken settings file is unknown, not off", async () => {
    const r = await embedStatus(TEST_SHOP, admin(theme("/* header */ {not json")), { now: NOW });
    expect(r.status).toBe("unknown");
  });
});

describe("seen on the storefront: the embed's heartbeat", () => {
  beforeEach(async () => {
    await seedOfflineSession(TEST_SHOP);
    await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { lastStorefrontSignalAt: null, storefrontPixels: null } });
  });

  it("is never seen until the embed reports, then seen, and stale after 3 days", async () => {
    expect(await storefrontSignals(TEST_SHOP)).toEqual({ lastSeenAt: null, stale: true, pixelCodes: [] });
    const res = await call(proxyAction, appProxyRequest({ shop: TEST_SHOP, body: JSON.stringify({ v: 1, pixels: ["CD9079RC77U0N3GBV16Y"] }) }));
    expect(res.status).toBe(202);
    const now = new Date();
    const seen = await storefrontSignals(TEST_SHOP, now);
    expect(seen.stale).toBe(false);
    expect(seen.pixelCodes).toEqual(["CD9079RC77U0N3GBV16Y"]);
    const threeDaysOn = new Date(seen.lastSeenAt!.getTime() + 3 * 24 * 3_600_000 + 1);
    expect((await storefrontSignals(TEST_SHOP, threeDaysOn)).stale).toBe(true);
  });
});
