// Shared by the spend tests: an in-process TikTok sandbox on a pinned clock, a connected shop
// seeded with a real sandbox token, and the rows the sandbox's world says a sync must store.
// The sandbox listens on the address tests/setup/worker-db.ts gave the app (TIKTOK_API_BASE_URL).
import prisma from "~/core/db.server";
import { encryptToken } from "~/core/connection/token-crypto.server";
import { startSandbox, type WorldOptions } from "../../sandbox/server";
import { sandboxControl } from "../../sandbox/control";
import { sandboxPort } from "../support/orders";
import { adgroupSpendMinor } from "../../sandbox/reports";
import { addDays, currencyDigits, deliveryFor, formatAmount, type World } from "../../sandbox/world";

export const REPORT_PATH = "/open_api/v1.3/report/integrated/get/";

/** Runs after every report response the app receives (while set): lets a test break a run mid-way. */
export const reportHook: { after: ((n: number) => Promise<void>) | null; count: number } = { after: null, count: 0 };

export async function startSpendSandbox(opts: { now: () => Date; world?: WorldOptions; rateLimit?: { qps: number; qpm: number } }) {
  const sandbox = await startSandbox({
    port: sandboxPort(),
    appId: process.env.TIKTOK_APP_ID,
    appSecret: process.env.TIKTOK_APP_SECRET,
    now: opts.now,
    world: opts.world,
    rateLimit: opts.rateLimit,
  });
  // The app's client looks up globalThis.fetch on every call, so this wrapper sees its requests.
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(sandbox.url) && url.includes("/report/integrated/get/")) {
      reportHook.count++;
      if (reportHook.after) await reportHook.after(reportHook.count);
    }
    return response;
  };
  const control = sandboxControl(sandbox.url);
  return {
    sandbox,
    control,
    close: async () => {
      globalThis.fetch = realFetch;
      await sandbox.close();
    },
  };
}

export type Control = ReturnType<typeof sandboxControl>;

/** A shop connected to one sandbox advertiser, the way the connect wizard leaves it. */
export async function connectShop(shop: string, control: Control, advertiserId: string) {
  const world = await control.world();
  const advertiser = world.advertisers.find((a) => a.advertiser_id === advertiserId);
  if (!advertiser) throw new Error(`no sandbox advertiser ${advertiserId}`);
  const token = await control.token([advertiserId]);
  const data = {
    status: "connected",
    accessTokenEnc: encryptToken(token),
    authorizedAdvertisers: JSON.stringify([advertiserId]),
    advertiserId,
    advertiserName: advertiser.name,
    advertiserCurrency: advertiser.currency,
    advertiserTimezone: advertiser.timezone,
    pixelCode: advertiser.pixels[0]?.pixel_code ?? null,
    pixelName: advertiser.pixels[0]?.pixel_name ?? null,
    connectedAt: new Date(),
    lastAuthError: null,
  };
  await prisma.tikTokConnection.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return { token, advertiser };
}

type ExpectedRow = {
  level: "campaign" | "adgroup";
  entityId: string;
  campaignId: string;
  name: string;
  date: string;
  spend: string;
  impressions: number;
  clicks: number;
  conversions: number;
  currency: string;
};

/**
 * What TikTok's report holds for an advertiser over [start, end], computed from the sandbox's
 * world functions (not through its HTTP API): deleted entities included, days without delivery
 * left out, as TikTok does.
 */
export function expectedRows(
  world: World,
  advertiserId: string,
  range: { start: string; end: string },
  opts: { today: string; factor?: (date: string) => number },
): ExpectedRow[] {
  const advertiser = world.advertiser(advertiserId)!;
  const model = { world, now: () => new Date(0), factor: (_a: string, d: string) => opts.factor?.(d) ?? 1 };
  const out: ExpectedRow[] = [];
  for (let date = range.start; date <= range.end; date = addDays(date, 1)) {
    for (const campaign of advertiser.campaigns) {
      let spend = 0;
      let impressions = 0;
      let clicks = 0;
      let conversions = 0;
      for (const adgroup of advertiser.adgroups.filter((a) => a.campaignId === campaign.campaignId)) {
        const s = adgroupSpendMinor(model, adgroup, date, opts.today);
        const d = deliveryFor(adgroup.adgroupId, date, s);
        if (s > 0 || d.impressions > 0) {
          out.push({
            level: "adgroup",
            entityId: adgroup.adgroupId,
            campaignId: campaign.campaignId,
            name: adgroup.adgroupName,
            date,
            spend: formatAmount(s, advertiser.currency),
            ...d,
            currency: advertiser.currency,
          });
        }
        spend += s;
        impressions += d.impressions;
        clicks += d.clicks;
        conversions += d.conversions;
      }
      if (spend > 0 || impressions > 0) {
        out.push({
          level: "campaign",
          entityId: campaign.campaignId,
          campaignId: campaign.campaignId,
          name: campaign.campaignName,
          date,
          spend: formatAmount(spend, advertiser.currency),
          impressions,
          clicks,
          conversions,
          currency: advertiser.currency,
        });
      }
    }
  }
  return out;
}

/** The fewest report requests that can fetch these rows: per level and ≤30-day window, its pages (at least one). */
export function minimalRequests(rows: ExpectedRow[], windows: { start: string; end: string }[], pageSize = 1_000) {
  let total = 0;
  // One ad-group report per window serves both levels (the campaign rows are rolled up from it).
  for (const level of ["adgroup"] as const) {
    for (const w of windows) {
      const n = rows.filter((r) => r.level === level && r.date >= w.start && r.date <= w.end).length;
      total += Math.max(1, Math.ceil(n / pageSize));
    }
  }
  return total;
}

/** Stored rows in the same shape, for a deep comparison. */
export async function storedRows(shop: string) {
  const rows = await prisma.spendRow.findMany({ where: { shop }, orderBy: [{ level: "asc" }, { entityId: "asc" }, { date: "asc" }] });
  return rows.map((r) => ({
    level: r.level as "campaign" | "adgroup",
    entityId: r.entityId,
    campaignId: r.campaignId!,
    name: r.name!,
    date: r.date,
    spend: r.spend.toFixed(currencyDigits(r.currency)),
    impressions: r.impressions,
    clicks: r.clicks,
    conversions: r.conversions!,
    currency: r.currency,
  }));
}

export function sortRows<T extends { level: string; entityId: string; date: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.level.localeCompare(b.level) || a.entityId.localeCompare(b.entityId) || a.date.localeCompare(b.date));
}
