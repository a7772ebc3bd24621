// The sandbox's fixed, deterministic world: advertisers in different currencies and time zones,
// pixels (one advertiser has more than one page of them), campaigns and ad groups including
// deleted ones, and daily spend that is a pure function of (ad group id, date) so tests can
// compute the numbers they expect.

export type WorldOptions = {
  /** Adds "Benchmark Megastore" (USD, UTC) with this many active ad groups, 10 per campaign. */
  bigAdvertiserAdgroups?: number;
  /** First day with delivery, `YYYY-MM-DD`. Default 2024-01-01. */
  firstSpendDate?: string;
  /**
   * Adds one advertiser per entry (USD, UTC) with that many active ad groups, 10 per campaign;
   * 0 is an account with nothing running. For simulations of many shops (bench/spend-scale.ts).
   */
  fleet?: number[];
};

/** The id of fleet advertiser `i` (0-based). */
export const fleetAdvertiserId = (i: number) => `72${String(i + 1).padStart(17, "0")}`;

export type Pixel = { pixelId: string; pixelCode: string; pixelName: string; createTime: string };

export type Campaign = {
  campaignId: string;
  campaignName: string;
  advertiserId: string;
  deleted: boolean;
};

export type Adgroup = {
  adgroupId: string;
  adgroupName: string;
  campaignId: string;
  advertiserId: string;
  deleted: boolean;
};

export type Advertiser = {
  advertiserId: string;
  name: string;
  currency: string;
  timezone: string;
  country: string;
  company: string;
  pixels: Pixel[];
  campaigns: Campaign[];
  adgroups: Adgroup[];
};

export type World = {
  advertisers: Advertiser[];
  firstSpendDate: string;
  advertiser(id: string): Advertiser | undefined;
  pixelOwner(pixelCode: string): Advertiser | undefined;
};

// Ids above 2^53, as TikTok's are: anything that parses them as numbers gets them wrong.
export const ADVERTISER_IDS = {
  berlin: "7100000000000000001",
  pacific: "7100000000000000002",
  tokyo: "7100000000000000003",
  big: "7100000000000000009",
} as const;

const SEEDS: { key: keyof typeof ADVERTISER_IDS; name: string; currency: string; timezone: string; country: string; pixels: number }[] = [
  { key: "berlin", name: "Berliner Kaffeerösterei", currency: "EUR", timezone: "Europe/Berlin", country: "DE", pixels: 2 },
  { key: "pacific", name: "Pacific Outfitters", currency: "USD", timezone: "America/Los_Angeles", country: "US", pixels: 23 },
  { key: "tokyo", name: "Tokyo Stationery", currency: "JPY", timezone: "Asia/Tokyo", country: "JP", pixels: 1 },
];

// Three campaigns per advertiser: one with a deleted ad group, one plain, one deleted outright.
const CAMPAIGN_PLAN = [
  { name: "Prospecting", deleted: false, adgroups: [["Broad", false], ["Lookalike", false], ["Interest test", true]] },
  { name: "Retargeting", deleted: false, adgroups: [["Cart abandoners", false]] },
  { name: "Summer Sale", deleted: true, adgroups: [["Summer Sale · All", true]] },
] as const;

/** Pixel codes look like TikTok's: 20 upper-case alphanumerics. */
function pixelCode(advertiserNo: number, index: number) {
  return `C${String(advertiserNo)}SBX${String(index + 1).padStart(3, "0")}`.padEnd(20, "K");
}

function buildAdvertiser(
  seed: { advertiserId: string; name: string; currency: string; timezone: string; country: string; pixels: number },
  advertiserNo: number,
  campaigns: { name: string; deleted: boolean; adgroups: readonly (readonly [string, boolean])[] }[],
): Advertiser {
  const pixels = Array.from({ length: seed.pixels }, (_, i) => ({
    pixelId: `72${advertiserNo}${String(i + 1).padStart(16, "0")}`,
    pixelCode: pixelCode(advertiserNo, i),
    pixelName: i === 0 ? `${seed.name} Pixel` : `${seed.name} Pixel ${i + 1}`,
    createTime: `2024-01-${String((i % 28) + 1).padStart(2, "0")} 09:00:00`,
  }));
  const outCampaigns: Campaign[] = [];
  const adgroups: Adgroup[] = [];
  campaigns.forEach((plan, c) => {
    const campaignId = `18${advertiserNo}${String(c + 1).padStart(14, "0")}`;
    outCampaigns.push({ campaignId, campaignName: plan.name, advertiserId: seed.advertiserId, deleted: plan.deleted });
    plan.adgroups.forEach(([name, deleted], g) => {
      adgroups.push({
        adgroupId: `17${advertiserNo}${String(c + 1).padStart(8, "0")}${String(g + 1).padStart(6, "0")}`,
        adgroupName: name,
        campaignId,
        advertiserId: seed.advertiserId,
        deleted: plan.deleted || deleted,
      });
    });
  });
  return {
    advertiserId: seed.advertiserId,
    name: seed.name,
    currency: seed.currency,
    timezone: seed.timezone,
    country: seed.country,
    company: seed.name,
    pixels,
    campaigns: outCampaigns,
    adgroups,
  };
}

export function buildWorld(options: WorldOptions = {}): World {
  const advertisers = SEEDS.map((seed, i) =>
    buildAdvertiser(
      { ...seed, advertiserId: ADVERTISER_IDS[seed.key] },
      i + 1,
      CAMPAIGN_PLAN.map((c) => ({ ...c, adgroups: c.adgroups })),
    ),
  );
  const catalog = (groups: number) =>
    Array.from({ length: Math.ceil(groups / 10) }, (_, c) => ({
      name: `Catalog ${c + 1}`,
      deleted: false,
      adgroups: Array.from({ length: Math.min(10, groups - c * 10) }, (_, g) => [`Catalog ${c + 1} · Set ${g + 1}`, false] as const),
    }));
  const big = options.bigAdvertiserAdgroups ?? 0;
  if (big > 0) {
    const plan = catalog(big);
    advertisers.push(
      buildAdvertiser(
        { advertiserId: ADVERTISER_IDS.big, name: "Benchmark Megastore", currency: "USD", timezone: "UTC", country: "US", pixels: 1 },
        9,
        plan,
      ),
    );
  }
  (options.fleet ?? []).forEach((groups, i) => {
    const advertiserId = fleetAdvertiserId(i);
    // Ids of campaigns and ad groups derive from the advertiser number: 100 + i keeps them apart from the fixed ones.
    advertisers.push(buildAdvertiser({ advertiserId, name: `Fleet shop ${i + 1}`, currency: "USD", timezone: "UTC", country: "US", pixels: 0 }, 100 + i, catalog(groups)));
  });
  const byId = new Map(advertisers.map((a) => [a.advertiserId, a]));
  const byPixel = new Map(advertisers.flatMap((a) => a.pixels.map((p) => [p.pixelCode, a] as const)));
  return {
    advertisers,
    firstSpendDate: options.firstSpendDate ?? "2024-01-01",
    advertiser: (id) => byId.get(id),
    pixelOwner: (code) => byPixel.get(code),
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic delivery numbers.

function hash32(input: string): number {
  // FNV-1a followed by a murmur3 finalizer: cheap, stable across runs and platforms.
  let h = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    h ^= input.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Digits after the decimal point in amounts of this currency (JPY 0, EUR 2). */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}
// Building a NumberFormat costs far more than the rest of a report row.
const digitsCache = new Map<string, number>();

/**
 * An ad group's spend on one day, in minor units of the account currency, before any
 * restatement. Roughly one day in seven has no delivery (0).
 */
export function baseDailySpendMinor(adgroupId: string, date: string): number {
  const h = hash32(`spend:${adgroupId}:${date}`);
  if (h % 7 === 0) return 0;
  return 500 + ((h >>> 3) % 20_000);
}

/** Impressions, clicks and conversions that go with a day's spend. */
export function deliveryFor(adgroupId: string, date: string, spendMinor: number) {
  if (spendMinor === 0) return { impressions: 0, clicks: 0, conversions: 0 };
  const h = hash32(`delivery:${adgroupId}:${date}`);
  const impressions = spendMinor * (2 + (h % 5));
  const clicks = Math.floor(impressions / (50 + ((h >>> 4) % 100)));
  const conversions = Math.floor(clicks / (10 + ((h >>> 12) % 20)));
  return { impressions, clicks, conversions };
}

/** Minor units → TikTok's string form, e.g. 1234 EUR → "12.34", 1234 JPY → "1234". */
export function formatAmount(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

/** `YYYY-MM-DD` of `at` in the given IANA time zone. */
export function localDate(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function daysBetweenInclusive(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1;
}
