// The sandbox's OAuth, read endpoints, report rules, inspection/control endpoints and faults,
// exercised over raw HTTP.
import { startSandbox, type Sandbox } from "../../../sandbox/server";
import { sandboxControl, type SandboxControl } from "../../../sandbox/control";
import { purchaseEvent, raw } from "../../../sandbox/test-support";
import { ADVERTISER_IDS, baseDailySpendMinor, buildWorld, formatAmount } from "../../../sandbox/world";

// 05:00 UTC: already 1 January in Berlin and Tokyo, still 31 December in Los Angeles.
const NOW = new Date("2025-01-01T05:00:00Z");
const APP = { appId: "7000000000000000042", appSecret: "s3cret-for-tests" };
const V = "/open_api/v1.3";

let sandbox: Sandbox;
let control: SandboxControl;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, ...APP, now: () => NOW });
  control = sandboxControl(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(() => control.reset());

const get = (path: string, token: string | undefined, query: Record<string, unknown>) => raw(sandbox.url, `${V}${path}`, { token, query });

describe("world", () => {
  test("GET /__sandbox/world has exactly the fixed shape", async () => {
    const world = await control.world();
    expect(Object.keys(world)).toEqual(["advertisers"]);
    for (const a of world.advertisers) {
      expect(Object.keys(a).sort()).toEqual(["adgroups", "advertiser_id", "campaigns", "currency", "name", "pixels", "timezone"]);
      for (const p of a.pixels) expect(Object.keys(p).sort()).toEqual(["pixel_code", "pixel_name"]);
      for (const c of a.campaigns) expect(Object.keys(c).sort()).toEqual(["campaign_id", "campaign_name", "deleted"]);
      for (const g of a.adgroups) expect(Object.keys(g).sort()).toEqual(["adgroup_id", "adgroup_name", "campaign_id", "deleted"]);
      // every ad group belongs to one of the advertiser's campaigns
      expect(a.adgroups.every((g) => a.campaigns.some((c) => c.campaign_id === g.campaign_id))).toBe(true);
    }
    expect(world.advertisers.map((a) => [a.currency, a.timezone])).toEqual([
      ["EUR", "Europe/Berlin"],
      ["USD", "America/Los_Angeles"],
      ["JPY", "Asia/Tokyo"],
    ]);
    expect(Math.max(...world.advertisers.map((a) => a.pixels.length))).toBeGreaterThan(20);
  });

  test("every advertiser has a deleted campaign and a deleted ad group under a live campaign", () => {
    for (const a of buildWorld().advertisers) {
      expect(a.campaigns.some((c) => c.deleted)).toBe(true);
      const live = new Set(a.campaigns.filter((c) => !c.deleted).map((c) => c.campaignId));
      expect(a.adgroups.some((g) => g.deleted && live.has(g.campaignId))).toBe(true);
    }
  });

  test("spend is a pure function of ad group and date", () => {
    expect(baseDailySpendMinor("1710000000100000001", "2025-01-01")).toBe(baseDailySpendMinor("1710000000100000001", "2025-01-01"));
    const days = Array.from({ length: 60 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10));
    const values = days.map((d) => baseDailySpendMinor("1710000000100000001", d));
    expect(new Set(values).size).toBeGreaterThan(30);
    expect(values).toContain(0);
  });
});

describe("OAuth", () => {
  const redirect = "https://app.example.com/tiktok/callback";
  const portal = (query: Record<string, string>) => raw(sandbox.url, "/portal/auth", { query });

  test("GIVEN the auth page WHEN opened THEN it names the app, says it is not TikTok and lists the advertisers", async () => {
    const res = await portal({ app_id: APP.appId, state: "st<ate>", redirect_uri: redirect });
    expect(res.status).toBe(200);
    expect(res.text).toContain(APP.appId);
    expect(res.text).toContain("This is not TikTok");
    expect(res.text).toContain("Approve");
    expect(res.text).toContain('value="st&lt;ate&gt;"');
    expect(res.text.match(/name="advertiser_ids"/g)).toHaveLength(3);
  });

  async function approve(advertiserIds: string[], state = "opaque-1") {
    const form = new URLSearchParams({ app_id: APP.appId, state, redirect_uri: redirect });
    for (const id of advertiserIds) form.append("advertiser_ids", id);
    const res = await fetch(`${sandbox.url}/portal/auth`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form.toString(),
      redirect: "manual",
    });
    return res;
  }

  const exchange = (authCode: string, secret = APP.appSecret) =>
    raw(sandbox.url, `${V}/oauth2/access_token/`, { body: { app_id: APP.appId, secret, auth_code: authCode } });

  test("WHEN approved THEN redirects with auth_code and the same state; the code works once", async () => {
    const res = await approve([ADVERTISER_IDS.berlin, ADVERTISER_IDS.tokyo], "state-xyz");
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(redirect);
    expect(location.searchParams.get("state")).toBe("state-xyz");
    const code = location.searchParams.get("auth_code")!;

    const first = await exchange(code);
    expect(first.json).toMatchObject({ code: 0, message: "OK", data: { advertiser_ids: [ADVERTISER_IDS.berlin, ADVERTISER_IDS.tokyo] } });
    const token = first.json.data.access_token;
    const advertisers = await get("/oauth2/advertiser/get/", token, { app_id: APP.appId, secret: APP.appSecret });
    expect(advertisers.json.data.list).toEqual([
      { advertiser_id: ADVERTISER_IDS.berlin, advertiser_name: "Berliner Kaffeerösterei" },
      { advertiser_id: ADVERTISER_IDS.tokyo, advertiser_name: "Tokyo Stationery" },
    ]);

    expect((await exchange(code)).json.code).toBe(40110);
  });

  test("a wrong secret → 40101; an unknown code → 40110", async () => {
    const code = new URL((await approve([ADVERTISER_IDS.berlin])).headers.get("location")!).searchParams.get("auth_code")!;
    expect((await exchange(code, "wrong")).json.code).toBe(40101);
    expect((await exchange("nope")).json.code).toBe(40110);
  });

  test("approving no advertiser re-renders the page with an error", async () => {
    const res = await approve([]);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Select at least one ad account");
  });

  test("an unknown app_id or a relative redirect_uri is refused", async () => {
    expect((await portal({ app_id: "other", state: "s", redirect_uri: redirect })).status).toBe(400);
    expect((await portal({ app_id: APP.appId, state: "s", redirect_uri: "/callback" })).status).toBe(400);
  });

  test("an autoApprove sandbox redirects at once; registered redirect URIs are enforced", async () => {
    const auto = await startSandbox({ port: 0, ...APP, autoApprove: true, redirectUris: [redirect] });
    try {
      const ok = await raw(auto.url, "/portal/auth", { query: { app_id: APP.appId, state: "s1", redirect_uri: redirect } });
      expect(ok.status).toBe(302);
      expect(new URL(ok.headers.get("location")!).searchParams.get("state")).toBe("s1");
      const bad = await raw(auto.url, "/portal/auth", { query: { app_id: APP.appId, state: "s1", redirect_uri: "https://evil.example/cb" } });
      expect(bad.status).toBe(400);
    } finally {
      await auto.close();
    }
  });

  test("revoke_token kills the token; revoking again → 40105", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    const revoke = () => raw(sandbox.url, `${V}/oauth2/revoke_token/`, { body: { app_id: APP.appId, secret: APP.appSecret, access_token: token } });
    expect((await revoke()).json.code).toBe(0);
    expect((await get("/advertiser/info/", token, { advertiser_ids: [ADVERTISER_IDS.berlin] })).json.code).toBe(40105);
    expect((await revoke()).json.code).toBe(40105);
  });
});

describe("advertiser and pixel endpoints", () => {
  test("advertiser/info returns currency and timezone for granted advertisers only", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin, ADVERTISER_IDS.tokyo]);
    const res = await get("/advertiser/info/", token, { advertiser_ids: [ADVERTISER_IDS.berlin, ADVERTISER_IDS.tokyo], fields: ["advertiser_id", "name", "currency", "timezone"] });
    expect(res.json.data.list).toEqual([
      { advertiser_id: ADVERTISER_IDS.berlin, name: "Berliner Kaffeerösterei", currency: "EUR", timezone: "Europe/Berlin" },
      { advertiser_id: ADVERTISER_IDS.tokyo, name: "Tokyo Stationery", currency: "JPY", timezone: "Asia/Tokyo" },
    ]);
    expect((await get("/advertiser/info/", token, { advertiser_ids: [ADVERTISER_IDS.pacific] })).json.code).toBe(40001);
  });

  test("array params must be JSON-encoded, once", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    const comma = await get("/advertiser/info/", token, { advertiser_ids: ADVERTISER_IDS.berlin });
    expect(comma.json).toMatchObject({ code: 40002, message: "Invalid value for advertiser_ids: must be a JSON array" });
    const repeated = await fetch(`${sandbox.url}${V}/advertiser/info/?advertiser_ids=%5B%221%22%5D&advertiser_ids=%5B%222%22%5D`, { headers: { "Access-Token": token } });
    // Whether TikTok refuses or ignores a repeated parameter is not in its sources.
    expect(await repeated.json()).toMatchObject({ code: null, message: expect.stringMatching(/^Sandbox limit.*more than once/) });
    const tooMany = await get("/advertiser/info/", token, { advertiser_ids: Array.from({ length: 101 }, (_, i) => String(i)) });
    expect(tooMany.json.code).toBe(40011);
  });

  test("pixel/list pages by at most 20 and the last page holds the rest", async () => {
    const token = await control.token([ADVERTISER_IDS.pacific]);
    const page = (n: number, size: number) => get("/pixel/list/", token, { advertiser_id: ADVERTISER_IDS.pacific, page: String(n), page_size: String(size) });
    const first = await page(1, 20);
    expect(first.json.data.page_info).toEqual({ page: 1, page_size: 20, total_number: 23, total_page: 2 });
    expect(first.json.data.pixels).toHaveLength(20);
    expect(first.json.data.pixels[0]).toMatchObject({ pixel_code: expect.stringMatching(/^[A-Z0-9]{20}$/), pixel_name: expect.any(String), pixel_id: expect.any(String) });
    expect((await page(2, 20)).json.data.pixels).toHaveLength(3);
    expect((await page(1, 21)).json).toMatchObject({ code: 40002, message: expect.stringContaining("page_size") });
  });
});

describe("/report/integrated/get/", () => {
  let token: string;
  beforeEach(async () => {
    token = await control.token([ADVERTISER_IDS.berlin, ADVERTISER_IDS.pacific, ADVERTISER_IDS.tokyo]);
  });

  const base = (overrides: Record<string, unknown> = {}) => ({
    advertiser_id: ADVERTISER_IDS.berlin,
    report_type: "BASIC",
    data_level: "AUCTION_CAMPAIGN",
    dimensions: ["campaign_id", "stat_time_day"],
    metrics: ["spend", "impressions", "clicks", "campaign_name"],
    start_date: "2024-12-30",
    end_date: "2024-12-31",
    page_size: "1000",
    ...overrides,
  });
  const report = (overrides: Record<string, unknown> = {}) => get("/report/integrated/get/", token, base(overrides));
  const statusAll = (field: string) => [{ field_name: field, filter_type: "IN", filter_value: '["STATUS_ALL"]' }];

  test("metrics are strings, dates are 'YYYY-MM-DD 00:00:00', campaign spend sums its ad groups (deleted ones too)", async () => {
    const res = await report();
    expect(res.json.code).toBe(0);
    const world = buildWorld();
    const berlin = world.advertiser(ADVERTISER_IDS.berlin)!;
    const prospecting = berlin.campaigns[0];
    const row = res.json.data.list.find((r: any) => r.dimensions.campaign_id === prospecting.campaignId && r.dimensions.stat_time_day === "2024-12-31 00:00:00");
    const expected = berlin.adgroups
      .filter((g) => g.campaignId === prospecting.campaignId)
      .reduce((sum, g) => sum + baseDailySpendMinor(g.adgroupId, "2024-12-31"), 0);
    expect(row.metrics).toEqual({ spend: formatAmount(expected, "EUR"), impressions: expect.stringMatching(/^\d+$/), clicks: expect.stringMatching(/^\d+$/), campaign_name: "Prospecting" });
    for (const r of res.json.data.list) {
      expect(r.dimensions.stat_time_day).toMatch(/^\d{4}-\d{2}-\d{2} 00:00:00$/);
      for (const v of Object.values(r.metrics)) expect(typeof v).toBe("string");
    }
  });

  test("JPY spend has no decimals", async () => {
    const res = await report({ advertiser_id: ADVERTISER_IDS.tokyo });
    expect(res.json.data.list.length).toBeGreaterThan(0);
    for (const r of res.json.data.list) expect(r.metrics.spend).toMatch(/^\d+$/);
  });

  test("deleted campaigns and ad groups appear only with STATUS_ALL filtering", async () => {
    const world = buildWorld();
    const berlin = world.advertiser(ADVERTISER_IDS.berlin)!;
    const deletedCampaign = berlin.campaigns.find((c) => c.deleted)!.campaignId;
    const ids = (res: any) => new Set(res.json.data.list.map((r: any) => r.dimensions.campaign_id ?? r.dimensions.adgroup_id));
    expect(ids(await report())).not.toContain(deletedCampaign);
    expect(ids(await report({ filtering: statusAll("campaign_status") }))).toContain(deletedCampaign);

    const deletedAdgroups = berlin.adgroups.filter((g) => g.deleted).map((g) => g.adgroupId);
    const level = { data_level: "AUCTION_ADGROUP", dimensions: ["adgroup_id", "stat_time_day"], metrics: ["spend", "adgroup_name", "campaign_id"] };
    const live = ids(await report(level));
    for (const id of deletedAdgroups) expect(live).not.toContain(id);
    const all = ids(await report({ ...level, filtering: statusAll("adgroup_status") }));
    for (const id of deletedAdgroups) expect(all).toContain(id);
  });

  test("filter_value must be a JSON-array string; a filter the sandbox does not model is a sandbox limit, not a TikTok code", async () => {
    expect((await report({ filtering: [{ field_name: "campaign_status", filter_type: "IN", filter_value: ["STATUS_ALL"] }] })).json).toMatchObject({
      code: 40002,
      message: expect.stringContaining("filtering[0].filter_value"),
    });
    const limit = await report({ filtering: statusAll("adgroup_status") });
    expect(limit.status).toBe(501);
    expect(limit.json).toMatchObject({ code: null, message: expect.stringMatching(/^Sandbox limit, not a TikTok answer: .*adgroup_status/) });
    // `filters` is not a parameter: a client using it would silently miss deleted spend at TikTok.
    expect((await report({ filters: statusAll("campaign_status") })).json).toMatchObject({ code: null, message: expect.stringContaining("filters") });
  });

  test("parameters TikTok's spec lists are accepted: advertiser_ids, AUCTION_AD, enable_total_metrics, every filter_type", async () => {
    const { advertiser_id: _single, ...multi } = base({ advertiser_ids: [ADVERTISER_IDS.berlin, ADVERTISER_IDS.pacific], dimensions: ["campaign_id"] });
    const both = await get("/report/integrated/get/", token, multi);
    expect(both.json.code).toBe(0);
    const world = buildWorld();
    const campaignIds = new Set(both.json.data.list.map((r: any) => r.dimensions.campaign_id));
    expect(campaignIds).toContain(world.advertiser(ADVERTISER_IDS.pacific)!.campaigns[0].campaignId);
    expect(campaignIds).toContain(world.advertiser(ADVERTISER_IDS.berlin)!.campaigns[0].campaignId);

    const ads = await report({ data_level: "AUCTION_AD", dimensions: ["ad_id"], metrics: ["spend", "ad_name", "adgroup_id"] });
    expect(ads.json.code).toBe(0);
    expect(ads.json.data.list[0].dimensions.ad_id).toMatch(/^18\d+$/);

    const totals = await report({ enable_total_metrics: "true", dimensions: ["campaign_id"], metrics: ["spend", "impressions"] });
    const rows = totals.json.data.list;
    expect(totals.json.data.total_metrics.impressions).toBe(String(rows.reduce((n: number, r: any) => n + Number(r.metrics.impressions), 0)));

    for (const filterType of ["BETWEEN", "RANGE", "LOWER_THAN", "GREATER_THAN", "LOWER_EQUAL", "GREATER_EQUAL", "MATCH"]) {
      const res = await report({ filtering: [{ field_name: "spend", filter_type: filterType, filter_value: '["1"]' }] });
      // A listed type is not refused as TikTok would refuse it; the sandbox says what it does not model.
      expect(res.json).toMatchObject({ code: null, message: expect.stringMatching(/^Sandbox limit/) });
    }
    expect((await report({ filtering: [{ field_name: "campaign_status", filter_type: "LIKE", filter_value: '["x"]' }] })).json.code).toBe(40002);
  });

  test.each([
    ["report_type AUDIENCE", { report_type: "AUDIENCE" }, "AUDIENCE"],
    ["RESERVATION", { service_type: "RESERVATION" }, "RESERVATION"],
    ["query_mode CHUNK", { query_mode: "CHUNK" }, "CHUNK"],
    ["a dimension of another level", { dimensions: ["adgroup_id", "stat_time_day"] }, "adgroup_id"],
    ["an unknown metric", { metrics: ["spend", "revenue"] }, "revenue"],
  ])("%s is a sandbox limit (HTTP 501, no TikTok code)", async (_label, overrides, what) => {
    const res = await report(overrides);
    expect(res.status).toBe(501);
    expect(res.json).toMatchObject({ code: null, message: expect.stringContaining(what) });
  });

  test.each([
    ["report_type missing", { report_type: undefined }, "report_type"],
    ["report_type FOO", { report_type: "FOO" }, "report_type"],
    ["an unknown data_level", { data_level: "CAMPAIGN" }, "data_level"],
    ["31 days with stat_time_day", { start_date: "2024-12-01", end_date: "2024-12-31" }, "30 days"],
    ["end before start", { start_date: "2024-12-31", end_date: "2024-12-30" }, "end_date"],
    ["a date with a time", { start_date: "2024-12-30 00:00:00" }, "start_date"],
    ["page_size 1001", { page_size: "1001" }, "page_size"],
    ["page 0", { page: "0" }, "page"],
  ])("refuses %s with 40002", async (_label, overrides, field) => {
    const query = Object.fromEntries(Object.entries(base(overrides)).filter(([, v]) => v !== undefined));
    const res = await get("/report/integrated/get/", token, query);
    expect(res.json).toMatchObject({ code: 40002, message: expect.stringContaining(field) });
  });

  test("30 days inclusive is fine; 365 without a time dimension too", async () => {
    expect((await report({ start_date: "2024-12-02", end_date: "2024-12-31" })).json.code).toBe(0);
    const yearly = await report({ dimensions: ["campaign_id"], start_date: "2024-01-01", end_date: "2024-12-30" });
    expect(yearly.json.code).toBe(0);
    expect(yearly.json.data.list.every((r: any) => !("stat_time_day" in r.dimensions))).toBe(true);
  });

  test("a report for another advertiser → 40001", async () => {
    const own = await control.token([ADVERTISER_IDS.tokyo]);
    const res = await get("/report/integrated/get/", own, base());
    expect(res.json.code).toBe(40001);
  });

  test("days after 'today' in the advertiser's time zone have no rows", async () => {
    const newYear = { start_date: "2025-01-01", end_date: "2025-01-01" };
    expect((await report({ ...newYear, advertiser_id: ADVERTISER_IDS.berlin })).json.data.list.length).toBeGreaterThan(0);
    expect((await report({ ...newYear, advertiser_id: ADVERTISER_IDS.pacific })).json.data.list).toEqual([]);
  });

  test("pagination covers every row exactly once", async () => {
    const full = (await report()).json.data.list;
    const pages: unknown[] = [];
    const first = await report({ page_size: "2" });
    const totalPage = first.json.data.page_info.total_page;
    expect(first.json.data.page_info.total_number).toBe(full.length);
    for (let p = 1; p <= totalPage; p++) pages.push(...(await report({ page_size: "2", page: String(p) })).json.data.list);
    expect(pages).toEqual(full);
  });

  test("POST /__sandbox/restate bumps recent days only", async () => {
    const level = { advertiser_id: ADVERTISER_IDS.berlin, start_date: "2024-12-25", end_date: "2025-01-01" };
    const before = (await report(level)).json.data.list;
    const { restated } = await control.restate({ advertiser_id: ADVERTISER_IDS.berlin, days: 2, factor: 2 });
    expect(restated.map((r) => r.date)).toEqual(["2025-01-01", "2024-12-31"]);
    const after = (await report(level)).json.data.list;
    const spendOf = (rows: any[], day: string) => rows.filter((r) => r.dimensions.stat_time_day.startsWith(day)).map((r) => Number(r.metrics.spend));
    expect(spendOf(after, "2024-12-30")).toEqual(spendOf(before, "2024-12-30"));
    const b = spendOf(before, "2024-12-31");
    const a = spendOf(after, "2024-12-31");
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i] * 2, 1));
  });
});

describe("control endpoints and faults", () => {
  const info = (token: string) => get("/advertiser/info/", token, { advertiser_ids: [ADVERTISER_IDS.berlin] });

  test("reset clears tokens, faults and the request log", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    await control.fault({ path: "/pixel/list/", kind: "rate_limit", count: 5 });
    expect((await info(token)).json.code).toBe(0);
    expect(await control.requestCount("/advertiser/info/")).toBe(1);
    await control.reset();
    expect((await control.requests()).total).toBe(0);
    expect((await info(token)).json.code).toBe(40105);
    const fresh = await control.token([ADVERTISER_IDS.berlin]);
    expect((await get("/pixel/list/", fresh, { advertiser_id: ADVERTISER_IDS.berlin })).json.code).toBe(0);
  });

  test("a count-limited http_5xx fault hits the next N calls of that endpoint only", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    await control.fault({ path: "/advertiser/info/", kind: "http_5xx", count: 2, status: 502 });
    expect((await get("/pixel/list/", token, { advertiser_id: ADVERTISER_IDS.berlin })).status).toBe(200);
    expect((await info(token)).status).toBe(502);
    expect((await info(token)).status).toBe(502);
    expect((await info(token)).json.code).toBe(0);
    const log = await control.requests();
    expect(log.requests.filter((r) => r.fault === "http_5xx")).toHaveLength(2);
  });

  test("rate_limit for a time span answers 40100, then recovers", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    await control.fault({ path: "*", kind: "rate_limit", duration_ms: 150 });
    expect((await info(token)).json.code).toBe(40100);
    expect((await info(token)).json.code).toBe(40100);
    await new Promise((r) => setTimeout(r, 200));
    expect((await info(token)).json.code).toBe(0);
  });

  test("server_error answers 50000 in an HTTP 200 envelope", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    await control.fault({ path: "/advertiser/info/", kind: "server_error" });
    const res = await info(token);
    expect(res.status).toBe(200);
    expect(res.json.code).toBe(50000);
  });

  test("revoke kills the presented token", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    await control.fault({ path: "/advertiser/info/", kind: "revoke" });
    expect((await info(token)).json.code).toBe(40105);
    expect((await get("/pixel/list/", token, { advertiser_id: ADVERTISER_IDS.berlin })).json.code).toBe(40105);
  });

  test("timeout holds the request until the caller gives up, and close() still returns promptly", async () => {
    const own = await startSandbox({ port: 0 });
    const c = sandboxControl(own.url);
    const token = await c.token([ADVERTISER_IDS.berlin]);
    await c.fault({ path: "/advertiser/info/", kind: "timeout", count: 2 });
    const started = Date.now();
    await expect(
      fetch(`${own.url}${V}/advertiser/info/?advertiser_ids=${encodeURIComponent(`["${ADVERTISER_IDS.berlin}"]`)}`, {
        headers: { "Access-Token": token },
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // A second hung request that nobody aborts: close() must end it.
    const hung = fetch(`${own.url}${V}/advertiser/info/?advertiser_ids=${encodeURIComponent(`["${ADVERTISER_IDS.berlin}"]`)}`, { headers: { "Access-Token": token } });
    await new Promise((r) => setTimeout(r, 50));
    const closing = Date.now();
    await own.close();
    expect(Date.now() - closing).toBeLessThan(1000);
    await expect(hung).rejects.toThrow();
  });

  test("partial is refused for endpoints other than /event/track/; unknown kinds and paths are refused", async () => {
    await expect(control.fault({ path: "/pixel/list/", kind: "partial" })).rejects.toThrow(/event\/track/);
    await expect(control.fault({ path: "/pixel/list", kind: "rate_limit" })).rejects.toThrow(/unknown endpoint/);
    await expect(control.fault({ path: "*", kind: "boom" as never })).rejects.toThrow(/kind/);
  });

  test("code: any TikTok code with any HTTP status on any path, for a count or a span of seconds", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    await control.fault({ path: "*", kind: "code", code: 40114, count: 2 });
    const first = await info(token);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ code: 40114, message: "sandbox fault: code 40114", request_id: expect.any(String) });
    expect((await get("/pixel/list/", token, { advertiser_id: ADVERTISER_IDS.berlin })).json.code).toBe(40114);
    expect((await info(token)).json.code).toBe(0);

    await control.fault({ path: "/advertiser/info/", kind: "code", code: 50002, status: 503, message: "System timeout", duration_s: 1 });
    const during = await info(token);
    expect(during.status).toBe(503);
    expect(during.json).toMatchObject({ code: 50002, message: "System timeout" });
    expect((await control.requests()).requests.at(-1)).toMatchObject({ code: 50002, http_status: 503, fault: "code" });
    await expect(control.fault({ path: "*", kind: "code" })).rejects.toThrow(/code must be/);
  });

  test("gateway: an HTML or empty page with any 4xx/5xx status and no envelope", async () => {
    const token = await control.token([ADVERTISER_IDS.berlin]);
    await control.fault({ path: "/advertiser/info/", kind: "gateway", status: 403 });
    await control.fault({ path: "/advertiser/info/", kind: "gateway", status: 404, body: "empty" });
    const html = await info(token);
    expect(html.status).toBe(403);
    expect(html.text).toMatch(/^<html>/);
    const empty = await info(token);
    expect(empty.status).toBe(404);
    expect(empty.text).toBe("");
    await expect(control.fault({ path: "*", kind: "gateway", status: 302 })).rejects.toThrow(/status/);
  });

  test("the optional rate limit answers 40100 beyond the quota", async () => {
    const limited = await startSandbox({ port: 0, rateLimit: { qps: 2, qpm: 100 } });
    try {
      const c = sandboxControl(limited.url);
      const token = await c.token([ADVERTISER_IDS.berlin]);
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await raw(limited.url, `${V}/pixel/list/`, { token, query: { advertiser_id: ADVERTISER_IDS.berlin } })).json.code);
      expect(codes).toEqual([0, 0, 40100]);
      expect((await c.requests()).rate_limited).toBe(1);
    } finally {
      await limited.close();
    }
  });

  test("/event/track/ has its own bucket: events sent in the same second take nothing from the app's quota", async () => {
    const limited = await startSandbox({ port: 0, rateLimit: { qps: 2, qpm: 100 } });
    try {
      const c = sandboxControl(limited.url);
      const token = await c.token([ADVERTISER_IDS.pacific]);
      const pixelCode = buildWorld().advertiser(ADVERTISER_IDS.pacific)!.pixels[0].pixelCode;
      const nowS = Math.floor(Date.now() / 1000) - 5;
      const tracked = [];
      for (let i = 0; i < 5; i++) {
        const body = { event_source: "web", event_source_id: pixelCode, data: [purchaseEvent(nowS, { event_id: `bucket-${i}` })] };
        tracked.push((await raw(limited.url, `${V}/event/track/`, { token, body })).json.code);
      }
      expect(tracked).toEqual([0, 0, 0, 0, 0]);
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await raw(limited.url, `${V}/pixel/list/`, { token, query: { advertiser_id: ADVERTISER_IDS.pacific } })).json.code);
      expect(codes).toEqual([0, 0, 40100]);
      expect((await c.requests()).rate_limited).toBe(1);
    } finally {
      await limited.close();
    }
  });
});

describe("TikTok's purchase figures (sandbox/purchases.ts)", () => {
  // Pacific Outfitters: USD, Los Angeles. NOW is 31 December there.
  const pacific = buildWorld().advertiser(ADVERTISER_IDS.pacific)!;
  const [broad] = pacific.adgroups.filter((g) => !g.deleted);
  const pixelCode = pacific.pixels[0].pixelCode;
  const nowS = Math.floor(NOW.getTime() / 1000) - 60;
  const track = (token: string, events: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
    raw(sandbox.url, `${V}/event/track/`, { token, body: { event_source: "web", event_source_id: pixelCode, data: events, ...extra } });
  const adgroupDay = async (token: string) => {
    const res = await get("/report/integrated/get/", token, {
      advertiser_id: ADVERTISER_IDS.pacific,
      report_type: "BASIC",
      data_level: "AUCTION_ADGROUP",
      dimensions: ["adgroup_id", "stat_time_day"],
      metrics: ["complete_payment", "total_complete_payment_rate", "vta_complete_payment", "vta_complete_payment_value"],
      start_date: "2024-12-31",
      end_date: "2024-12-31",
      page_size: "1000",
    });
    expect(res.json.code).toBe(0);
    return res.json.data.list.find((r: { dimensions: Record<string, string> }) => r.dimensions.adgroup_id === broad.adgroupId)?.metrics;
  };

  test("counts each accepted purchase of a registered click once, with its value in the account's currency, plus the stated view-through share", async () => {
    const token = await control.token([ADVERTISER_IDS.pacific]);
    for (let i = 0; i < 4; i++) await control.click(`E.C.P.sbx${i}`, broad.adgroupId, new Date(NOW.getTime() - 3_600_000));
    const bought = (i: number, value: number, currency = "USD") =>
      purchaseEvent(nowS, { event_id: `order-${i}`, user: { ttclid: `E.C.P.sbx${i}` }, properties: { value, currency, contents: [] } });
    expect((await track(token, [bought(0, 10), bought(1, 20), bought(2, 30)])).json.code).toBe(0);
    // a repeat of order 0 (TikTok drops it), a test event, a purchase in another currency (counted, no value) and one without a registered click
    await track(token, [bought(0, 10)]);
    await track(token, [bought(3, 99)], { test_event_code: "TEST123" });
    await track(token, [bought(3, 50, "EUR"), purchaseEvent(nowS, { event_id: "order-x", user: { ttclid: "E.C.P.unknown" } })]);
    // 4 click-through purchases (60.00 USD of value); view-through round(4 × 0.25) = 1, valued at the average 15.00
    expect(await adgroupDay(token)).toEqual({
      complete_payment: "5",
      total_complete_payment_rate: "75.00",
      vta_complete_payment: "1",
      vta_complete_payment_value: "15.00",
    });
  });

  test("POST /__sandbox/clicks refuses an ad group outside the world and a bad time", async () => {
    await expect(control.click("E.C.P.x", "1799999999999999999")).rejects.toThrow(/HTTP 400/);
    const res = await fetch(`${sandbox.url}/__sandbox/clicks`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ttclid: "E.C.P.y", adgroup_id: broad.adgroupId, at: "yesterday" }) });
    expect(res.status).toBe(400);
  });
});
