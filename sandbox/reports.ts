// `/report/integrated/get/` over the deterministic world. Parameters and enums follow TikTok's spec
// (tiktok/tiktok-business-api-sdk yml_files/report_integrated_get.yml at f809c396): a listed value
// the sandbox does not model is a SandboxLimit, never a TikTok-style refusal; only values outside
// the spec's enums get TikTok's 40002. docs/decisions/0015.
import { SandboxApiError, SandboxLimit, invalidField } from "./errors";
import type { PurchaseBook } from "./purchases";
import { QueryParams, paginate } from "./params";
import {
  addDays,
  baseDailySpendMinor,
  daysBetweenInclusive,
  deliveryFor,
  formatAmount,
  localDate,
  type Adgroup,
  type Advertiser,
  type World,
} from "./world";

const MAX_REPORT_DAYS = 30;
const MAX_REPORT_DAYS_NO_TIME = 365;
const MAX_PAGE_SIZE = 1_000;
const MAX_FILTER_IDS = 100;

export type DeliveryModel = {
  world: World;
  now: () => Date;
  /** Restatement multiplier for an advertiser's day (1 when never restated). */
  factor: (advertiserId: string, date: string) => number;
  /**
   * Full result sets by query (without page), so paging through a big report does not rebuild
   * it for every page. The server clears it whenever the numbers change (restate, reset).
   */
  reportCache?: Map<string, ReportRow[]>;
  /** TikTok's purchase figures from what the sandbox received (sandbox/purchases.ts); none without it. */
  purchases?: PurchaseBook;
};

type ReportRow = { dimensions: Record<string, string>; metrics: Record<string, string> };
const REPORT_CACHE_ENTRIES = 8;

/** Spend in minor units for one ad group and day as the sandbox currently reports it. */
export function adgroupSpendMinor(model: DeliveryModel, adgroup: Adgroup, date: string, today?: string): number {
  const lastDay = today ?? localDate(model.now(), model.world.advertiser(adgroup.advertiserId)!.timezone);
  if (date < model.world.firstSpendDate || date > lastDay) return 0;
  return Math.round(baseDailySpendMinor(adgroup.adgroupId, date) * model.factor(adgroup.advertiserId, date));
}

export const REPORT_PARAMS = [
  "advertiser_id",
  "advertiser_ids",
  "bc_id",
  "service_type",
  "report_type",
  "data_level",
  "dimensions",
  "metrics",
  "start_date",
  "end_date",
  "query_lifetime",
  "page",
  "page_size",
  "filtering",
  "query_mode",
  "order_field",
  "order_type",
  "enable_total_metrics",
  "multi_adv_report_in_utc_time",
] as const;

const LEVELS = {
  AUCTION_ADVERTISER: { id: "advertiser_id", statusField: null, idFilter: null, metrics: ["advertiser_name"] },
  AUCTION_CAMPAIGN: { id: "campaign_id", statusField: "campaign_status", idFilter: "campaign_ids", metrics: ["campaign_name"] },
  AUCTION_ADGROUP: { id: "adgroup_id", statusField: "adgroup_status", idFilter: "adgroup_ids", metrics: ["campaign_name", "campaign_id", "adgroup_name"] },
  // The world has one ad per ad group.
  AUCTION_AD: { id: "ad_id", statusField: "ad_status", idFilter: "ad_ids", metrics: ["campaign_name", "campaign_id", "adgroup_name", "adgroup_id", "ad_name"] },
} as const;
type Level = keyof typeof LEVELS;
// report_integrated_get.yml:208-259, :381-422, :173-206.
const SPEC_DATA_LEVELS = new Set([...Object.keys(LEVELS), "RESERVATION_AD", "RESERVATION_ADGROUP", "RESERVATION_ADVERTISER", "RESERVATION_CAMPAIGN"]);
const SPEC_FILTER_TYPES = new Set(["IN", "BETWEEN", "RANGE", "LOWER_THAN", "GREATER_THAN", "LOWER_EQUAL", "GREATER_EQUAL", "MATCH"]);
const SPEC_REPORT_TYPES = new Set(["AUDIENCE", "BASIC", "BC", "CATALOG", "PLAYABLE_MATERIAL", "TT_SHOP"]);

/** The world's ad for an ad group: same digits, `18` instead of `17`. */
const adIdFor = (adgroupId: string) => `18${adgroupId.slice(2)}`;

/** TikTok's purchase metrics (the SDK's names; sandbox/purchases.ts says how the sandbox derives them). */
const PURCHASE_METRICS = ["complete_payment", "total_complete_payment_rate", "vta_complete_payment", "vta_complete_payment_value"] as const;
const NUMERIC_METRICS = ["spend", "impressions", "clicks", "conversion", "cpc", "cpm", "ctr", ...PURCHASE_METRICS] as const;
const STATUS_VALUES = new Set(["STATUS_ALL", "STATUS_NOT_DELETE", "STATUS_DELETE"]);

type Entity = { id: string; deleted: boolean; adgroups: Adgroup[]; attributes: Record<string, string> };

function entitiesAt(level: Level, advertiser: Advertiser): Entity[] {
  const campaignName = new Map(advertiser.campaigns.map((c) => [c.campaignId, c.campaignName]));
  if (level === "AUCTION_ADVERTISER") {
    return [{ id: advertiser.advertiserId, deleted: false, adgroups: advertiser.adgroups, attributes: { advertiser_name: advertiser.name } }];
  }
  if (level === "AUCTION_CAMPAIGN") {
    return advertiser.campaigns.map((c) => ({
      id: c.campaignId,
      deleted: c.deleted,
      // Spend of a campaign includes its deleted ad groups: that money was spent.
      adgroups: advertiser.adgroups.filter((a) => a.campaignId === c.campaignId),
      attributes: { campaign_name: c.campaignName },
    }));
  }
  return advertiser.adgroups.map((a) => ({
    id: level === "AUCTION_AD" ? adIdFor(a.adgroupId) : a.adgroupId,
    deleted: a.deleted,
    adgroups: [a],
    attributes: {
      campaign_name: campaignName.get(a.campaignId) ?? "",
      campaign_id: a.campaignId,
      adgroup_name: a.adgroupName,
      adgroup_id: a.adgroupId,
      ad_name: `${a.adgroupName} ad`,
    },
  }));
}

function parseDate(value: string, field: string) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw invalidField(field, "must be a date in the format YYYY-MM-DD");
  }
  return value;
}

function parseFiltering(q: QueryParams, level: Level) {
  const filters = q.array("filtering") ?? [];
  let statuses: Set<string> = new Set(["STATUS_NOT_DELETE"]);
  let ids: Set<string> | null = null;
  const idField = LEVELS[level].idFilter;
  const statusField = LEVELS[level].statusField;
  filters.forEach((f, i) => {
    const at = `filtering[${i}]`;
    if (typeof f !== "object" || f === null || Array.isArray(f)) throw invalidField(at, "must be an object with field_name, filter_type, filter_value");
    const { field_name, filter_type, filter_value, ...rest } = f as Record<string, unknown>;
    if (Object.keys(rest).length) throw invalidField(at, `unknown key ${Object.keys(rest)[0]}`);
    if (typeof field_name !== "string" || field_name === "") throw invalidField(`${at}.field_name`, "must be a non-empty string");
    if (typeof filter_type !== "string" || !SPEC_FILTER_TYPES.has(filter_type)) {
      throw invalidField(`${at}.filter_type`, `must be one of ${[...SPEC_FILTER_TYPES].join(", ")}`);
    }
    // TikTok's repositories list no filter field names; the sandbox models status and id filters.
    if (field_name !== statusField && field_name !== idField) {
      const modelled = [statusField, idField].filter(Boolean).join(" and ") || "none";
      throw new SandboxLimit(`filtering on ${field_name} at ${level} is not modelled (modelled: ${modelled})`);
    }
    if (filter_type !== "IN") throw new SandboxLimit(`filter_type ${filter_type} on ${field_name} is not modelled (IN is)`);
    // TikTok takes IN values as a JSON array *inside a string*.
    if (typeof filter_value !== "string") throw invalidField(`${at}.filter_value`, "must be a string holding a JSON array, e.g. \"[\\\"STATUS_ALL\\\"]\"");
    let values: unknown;
    try {
      values = JSON.parse(filter_value);
    } catch {
      throw invalidField(`${at}.filter_value`, "must be a JSON array string");
    }
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== "string")) {
      throw invalidField(`${at}.filter_value`, "must be a non-empty JSON array of strings");
    }
    if (field_name === statusField) {
      for (const v of values) if (!STATUS_VALUES.has(v)) throw new SandboxLimit(`status ${v} is not modelled (${[...STATUS_VALUES].join(", ")} are)`);
      statuses = new Set(values);
    } else {
      if (values.length > MAX_FILTER_IDS) throw new SandboxApiError(40011, `Too many ids in ${at}.filter_value: at most ${MAX_FILTER_IDS}`);
      ids = new Set(values);
    }
  });
  const visible = (e: Entity) =>
    (statuses.has("STATUS_ALL") || (e.deleted ? statuses.has("STATUS_DELETE") : statuses.has("STATUS_NOT_DELETE"))) && (ids === null || ids.has(e.id));
  return visible;
}

export function integratedReport(model: DeliveryModel, q: QueryParams, authorize: (advertiserId: string) => Advertiser) {
  if (q.has("bc_id")) throw new SandboxLimit("bc_id: the sandbox has no Business Centers");
  if (q.bool("multi_adv_report_in_utc_time")) throw new SandboxLimit("multi_adv_report_in_utc_time=true is not modelled");
  const many = q.stringArray("advertiser_ids");
  const single = q.string("advertiser_id");
  if (single === undefined && !many?.length) throw new SandboxApiError(40002, "Missing required param: advertiser_id");
  const advertisers = [...new Set([...(single === undefined ? [] : [single]), ...(many ?? [])])].map((id) => authorize(id));
  const serviceType = q.string("service_type") ?? "AUCTION";
  if (serviceType !== "AUCTION" && serviceType !== "RESERVATION") throw invalidField("service_type", "must be AUCTION or RESERVATION");
  if (serviceType !== "AUCTION") throw new SandboxLimit("service_type RESERVATION is not modelled");
  const reportType = q.requiredString("report_type");
  if (!SPEC_REPORT_TYPES.has(reportType)) throw invalidField("report_type", `must be one of ${[...SPEC_REPORT_TYPES].join(", ")}`);
  if (reportType !== "BASIC") throw new SandboxLimit(`report_type ${reportType} is not modelled (BASIC is)`);
  const levelName = q.requiredString("data_level");
  if (!SPEC_DATA_LEVELS.has(levelName)) throw invalidField("data_level", `must be one of ${[...SPEC_DATA_LEVELS].join(", ")}`);
  if (!(levelName in LEVELS)) throw new SandboxLimit(`data_level ${levelName} is not modelled`);
  const level = levelName as Level;
  const queryMode = q.string("query_mode") ?? "REGULAR";
  if (queryMode !== "REGULAR" && queryMode !== "CHUNK") throw invalidField("query_mode", "must be REGULAR or CHUNK");
  if (queryMode !== "REGULAR") throw new SandboxLimit("query_mode CHUNK is not modelled");
  if (q.bool("query_lifetime")) throw new SandboxLimit("lifetime reports are not modelled");
  const totals = q.bool("enable_total_metrics") ?? false;

  const dimensions = q.stringArray("dimensions");
  if (!dimensions || dimensions.length === 0) throw new SandboxApiError(40002, "Missing required param: dimensions");
  const idDimension = LEVELS[level].id;
  for (const d of dimensions) {
    if (d !== idDimension && d !== "stat_time_day") {
      throw new SandboxLimit(`dimension ${d} is not modelled at ${level} (${idDimension} and optionally stat_time_day are)`);
    }
  }
  if (!dimensions.includes(idDimension)) throw invalidField("dimensions", `${level} requires the ${idDimension} dimension`);
  if (new Set(dimensions).size !== dimensions.length) throw invalidField("dimensions", "contains duplicates");
  const daily = dimensions.includes("stat_time_day");

  const metrics = q.stringArray("metrics");
  if (!metrics || metrics.length === 0) throw new SandboxApiError(40002, "Missing required param: metrics");
  const attributeMetrics: readonly string[] = LEVELS[level].metrics;
  for (const m of metrics) {
    if (!(NUMERIC_METRICS as readonly string[]).includes(m) && m !== "currency" && !attributeMetrics.includes(m)) {
      throw new SandboxLimit(`metric ${m} is not modelled at ${level}`);
    }
  }

  const start = parseDate(q.requiredString("start_date"), "start_date");
  const end = parseDate(q.requiredString("end_date"), "end_date");
  if (end < start) throw invalidField("end_date", "must not be before start_date");
  const span = daysBetweenInclusive(start, end);
  const maxDays = daily ? MAX_REPORT_DAYS : MAX_REPORT_DAYS_NO_TIME;
  if (span > maxDays) {
    throw invalidField("end_date", `the time span between start_date and end_date must not exceed ${maxDays} days${daily ? " with stat_time_day" : ""} (got ${span})`);
  }
  const page = q.int("page", { min: 1, fallback: 1 });
  const pageSize = q.int("page_size", { min: 1, max: MAX_PAGE_SIZE, fallback: 10 });
  const visible = parseFiltering(q, level);

  const rows: ReportRow[] = [];
  for (const advertiser of advertisers) {
    // "Today" in the account's time zone: later days have no delivery yet.
    const today = localDate(model.now(), advertiser.timezone);
    const cacheKey = JSON.stringify([advertiser.advertiserId, level, dimensions, metrics, start, end, q.string("filtering") ?? null, today]);
    let own = model.reportCache?.get(cacheKey);
    if (!own) {
      own = buildRows({ model, advertiser, level, daily, metrics, start, span, today, visible });
      if (model.reportCache) {
        if (model.reportCache.size >= REPORT_CACHE_ENTRIES) model.reportCache.delete(model.reportCache.keys().next().value!);
        model.reportCache.set(cacheKey, own);
      }
    }
    rows.push(...own);
  }
  const result: Record<string, unknown> = paginate(rows, page, pageSize);
  // The spec maps `data.total_metrics` (report_integrated_get.yml:646); its shape is the sandbox's:
  // the requested numeric metrics summed over every row, as strings like the rows.
  if (totals) result.total_metrics = totalMetrics(rows, metrics);
  return result;
}

function totalMetrics(rows: ReportRow[], metrics: string[]) {
  const out: Record<string, string> = {};
  for (const m of metrics) {
    const money = m === "spend" || m === "total_complete_payment_rate" || m === "vta_complete_payment_value";
    if (!money && m !== "impressions" && m !== "clicks" && m !== "conversion" && m !== "complete_payment" && m !== "vta_complete_payment") continue;
    const sum = rows.reduce((total, r) => total + Number(r.metrics[m] ?? 0), 0);
    out[m] = money ? sum.toFixed(2) : String(sum);
  }
  return out;
}

function buildRows(opts: {
  model: DeliveryModel;
  advertiser: Advertiser;
  level: Level;
  daily: boolean;
  metrics: string[];
  start: string;
  span: number;
  today: string;
  visible: (e: Entity) => boolean;
}): ReportRow[] {
  const { model, advertiser, level, daily, metrics, today } = opts;
  const idDimension = LEVELS[level].id;
  const currency = advertiser.currency;
  const dates = Array.from({ length: opts.span }, (_, i) => addDays(opts.start, i));
  const rows: ReportRow[] = [];
  const entities = entitiesAt(level, advertiser).filter(opts.visible);
  const buckets = daily ? dates.map((d) => [d]) : [dates];
  for (const bucket of buckets) {
    for (const entity of entities) {
      let spend = 0;
      let impressions = 0;
      let clicks = 0;
      let conversions = 0;
      const bought = { clickCount: 0, clickValueMinor: 0, viewCount: 0, viewValueMinor: 0 };
      for (const date of bucket) {
        for (const adgroup of entity.adgroups) {
          if (model.purchases) {
            const f = model.purchases.figures(adgroup.adgroupId, date);
            bought.clickCount += f.clickCount;
            bought.clickValueMinor += f.clickValueMinor;
            bought.viewCount += f.viewCount;
            bought.viewValueMinor += f.viewValueMinor;
          }
          const s = adgroupSpendMinor(model, adgroup, date, today);
          if (s === 0) continue;
          const d = deliveryFor(adgroup.adgroupId, date, s);
          spend += s;
          impressions += d.impressions;
          clicks += d.clicks;
          conversions += d.conversions;
        }
      }
      // Like TikTok's default, rows without delivery are left out (a day with purchases stays).
      if (spend === 0 && impressions === 0 && bought.clickCount === 0) continue;
      const value = (metric: string): string => {
        switch (metric) {
          case "spend":
            return formatAmount(spend, currency);
          case "impressions":
            return String(impressions);
          case "clicks":
            return String(clicks);
          case "conversion":
            return String(conversions);
          case "cpc":
            return clicks ? formatAmount(Math.round(spend / clicks), currency) : "0";
          case "cpm":
            return impressions ? formatAmount(Math.round((spend * 1000) / impressions), currency) : "0";
          case "ctr":
            return impressions ? ((clicks / impressions) * 100).toFixed(2) : "0";
          case "complete_payment":
            return String(bought.clickCount + bought.viewCount);
          case "total_complete_payment_rate":
            return formatAmount(bought.clickValueMinor + bought.viewValueMinor, currency);
          case "vta_complete_payment":
            return String(bought.viewCount);
          case "vta_complete_payment_value":
            return formatAmount(bought.viewValueMinor, currency);
          case "currency":
            return currency;
          default:
            return entity.attributes[metric] ?? "";
        }
      };
      const dims: Record<string, string> = { [idDimension]: entity.id };
      if (daily) dims.stat_time_day = `${bucket[0]} 00:00:00`;
      const values: Record<string, string> = {};
      for (const m of metrics) values[m] = value(m);
      rows.push({ dimensions: dims, metrics: values });
    }
  }
  return rows;
}
