// `/report/integrated/get/`, `/campaign/get/` and `/adgroup/get/` over the deterministic world.
import { SandboxApiError, invalidField } from "./errors";
import { QueryParams, paginate, pickFields } from "./params";
import {
  addDays,
  baseDailySpendMinor,
  daysBetweenInclusive,
  deliveryFor,
  formatAmount,
  localDate,
  type Adgroup,
  type Advertiser,
  type Campaign,
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
  AUCTION_ADVERTISER: { id: "advertiser_id", statusField: null, metrics: ["advertiser_name"] },
  AUCTION_CAMPAIGN: { id: "campaign_id", statusField: "campaign_status", metrics: ["campaign_name"] },
  AUCTION_ADGROUP: { id: "adgroup_id", statusField: "adgroup_status", metrics: ["campaign_name", "campaign_id", "adgroup_name"] },
} as const;
type Level = keyof typeof LEVELS;

const NUMERIC_METRICS = ["spend", "impressions", "clicks", "conversion", "cpc", "cpm", "ctr"] as const;
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
    id: a.adgroupId,
    deleted: a.deleted,
    adgroups: [a],
    attributes: { campaign_name: campaignName.get(a.campaignId) ?? "", campaign_id: a.campaignId, adgroup_name: a.adgroupName },
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
  const idField = level === "AUCTION_CAMPAIGN" ? "campaign_ids" : level === "AUCTION_ADGROUP" ? "adgroup_ids" : null;
  const statusField = LEVELS[level].statusField;
  filters.forEach((f, i) => {
    const at = `filtering[${i}]`;
    if (typeof f !== "object" || f === null || Array.isArray(f)) throw invalidField(at, "must be an object with field_name, filter_type, filter_value");
    const { field_name, filter_type, filter_value, ...rest } = f as Record<string, unknown>;
    if (Object.keys(rest).length) throw invalidField(at, `unknown key ${Object.keys(rest)[0]}`);
    if (field_name !== statusField && field_name !== idField) {
      const expected = [statusField, idField].filter(Boolean).join(" or ") || "nothing at this data level";
      throw invalidField(`${at}.field_name`, `${String(field_name)} cannot filter ${level} (expected ${expected})`);
    }
    if (filter_type !== "IN") throw invalidField(`${at}.filter_type`, `${field_name} supports filter_type IN`);
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
      for (const v of values) if (!STATUS_VALUES.has(v)) throw invalidField(`${at}.filter_value`, `unknown status ${v}`);
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
  if (q.has("advertiser_ids") || q.has("bc_id") || q.has("multi_adv_report_in_utc_time")) {
    throw new SandboxApiError(40002, "Invalid param: the sandbox models single-advertiser reports only; use advertiser_id");
  }
  const advertiser = authorize(q.requiredString("advertiser_id"));
  const serviceType = q.string("service_type") ?? "AUCTION";
  if (serviceType !== "AUCTION") throw invalidField("service_type", "the sandbox models AUCTION only");
  const reportType = q.requiredString("report_type");
  if (reportType !== "BASIC") throw invalidField("report_type", `${reportType} is not modelled; use BASIC`);
  const levelName = q.requiredString("data_level");
  if (levelName === "AUCTION_AD") throw invalidField("data_level", "AUCTION_AD is not modelled by the sandbox (it has no ads)");
  if (!(levelName in LEVELS)) throw invalidField("data_level", `must be one of AUCTION_ADVERTISER, AUCTION_CAMPAIGN, AUCTION_ADGROUP, AUCTION_AD`);
  const level = levelName as Level;
  if (q.has("query_mode") && q.string("query_mode") !== "REGULAR") throw invalidField("query_mode", "the sandbox models REGULAR only");
  if (q.bool("query_lifetime")) throw invalidField("query_lifetime", "lifetime reports are not modelled by the sandbox");

  const dimensions = q.stringArray("dimensions");
  if (!dimensions || dimensions.length === 0) throw new SandboxApiError(40002, "Missing required param: dimensions");
  const idDimension = LEVELS[level].id;
  for (const d of dimensions) {
    if (d !== idDimension && d !== "stat_time_day") {
      throw invalidField("dimensions", `${d} is not a valid dimension for ${level} (use ${idDimension} and optionally stat_time_day)`);
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
      throw invalidField("metrics", `${m} is not a valid metric for ${level}`);
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

  // "Today" in the account's time zone: later days have no delivery yet.
  const today = localDate(model.now(), advertiser.timezone);
  const cacheKey = JSON.stringify([advertiser.advertiserId, level, dimensions, metrics, start, end, q.string("filtering") ?? null, today]);
  let rows = model.reportCache?.get(cacheKey);
  if (!rows) {
    rows = buildRows({ model, advertiser, level, daily, metrics, start, span, today, visible });
    if (model.reportCache) {
      if (model.reportCache.size >= REPORT_CACHE_ENTRIES) model.reportCache.delete(model.reportCache.keys().next().value!);
      model.reportCache.set(cacheKey, rows);
    }
  }
  return paginate(rows, page, pageSize);
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
      for (const date of bucket) {
        for (const adgroup of entity.adgroups) {
          const s = adgroupSpendMinor(model, adgroup, date, today);
          if (s === 0) continue;
          const d = deliveryFor(adgroup.adgroupId, date, s);
          spend += s;
          impressions += d.impressions;
          clicks += d.clicks;
          conversions += d.conversions;
        }
      }
      // Like TikTok's default, rows without delivery are left out.
      if (spend === 0 && impressions === 0) continue;
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

// ---------------------------------------------------------------------------------------------
// /campaign/get/ and /adgroup/get/

export const ENTITY_GET_PARAMS = ["advertiser_id", "fields", "filtering", "page", "page_size", "exclude_field_types_in_response"] as const;

const CAMPAIGN_FIELDS = ["campaign_id", "campaign_name", "advertiser_id", "secondary_status", "operation_status", "objective_type", "budget_mode", "create_time"] as const;
const ADGROUP_FIELDS = ["adgroup_id", "adgroup_name", "campaign_id", "campaign_name", "advertiser_id", "secondary_status", "operation_status", "create_time"] as const;

function statusFilter(value: unknown, prefix: "CAMPAIGN" | "ADGROUP") {
  const all = `${prefix}_STATUS_ALL`;
  const deleted = `${prefix}_STATUS_DELETE`;
  const notDeleted = `${prefix}_STATUS_NOT_DELETE`;
  const live = prefix === "CAMPAIGN" ? "CAMPAIGN_STATUS_ENABLE" : "ADGROUP_STATUS_DELIVERY_OK";
  if (value === undefined) return (isDeleted: boolean) => !isDeleted;
  if (value === all) return () => true;
  if (value === deleted) return (isDeleted: boolean) => isDeleted;
  if (value === notDeleted || value === live) return (isDeleted: boolean) => !isDeleted;
  throw invalidField("filtering.secondary_status", `must be one of ${all}, ${notDeleted}, ${deleted}, ${live}`);
}

function idList(filtering: Record<string, unknown>, key: string) {
  const value = filtering[key];
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalidField(`filtering.${key}`, "must be an array of id strings");
  if (value.length > MAX_FILTER_IDS) throw new SandboxApiError(40011, `Too many ids in filtering.${key}: at most ${MAX_FILTER_IDS}`);
  return new Set(value as string[]);
}

function rejectUnknownFilters(filtering: Record<string, unknown>, allowed: string[]) {
  for (const key of Object.keys(filtering)) {
    if (!allowed.includes(key)) throw invalidField("filtering", `${key} is not a supported filter (use ${allowed.join(", ")})`);
  }
}

const campaignRow = (c: Campaign) => ({
  campaign_id: c.campaignId,
  campaign_name: c.campaignName,
  advertiser_id: c.advertiserId,
  secondary_status: c.deleted ? "CAMPAIGN_STATUS_DELETE" : "CAMPAIGN_STATUS_ENABLE",
  operation_status: c.deleted ? "DISABLE" : "ENABLE",
  objective_type: "PRODUCT_SALES",
  budget_mode: "BUDGET_MODE_DAY",
  create_time: "2024-01-01 08:00:00",
});

export function campaignGet(q: QueryParams, authorize: (advertiserId: string) => Advertiser) {
  const advertiser = authorize(q.requiredString("advertiser_id"));
  const filtering = q.object("filtering") ?? {};
  rejectUnknownFilters(filtering, ["campaign_ids", "secondary_status", "campaign_name", "objective_type"]);
  const ids = idList(filtering, "campaign_ids");
  const status = statusFilter(filtering.secondary_status, "CAMPAIGN");
  const page = q.int("page", { min: 1, fallback: 1 });
  const pageSize = q.int("page_size", { min: 1, max: MAX_PAGE_SIZE, fallback: 10 });
  const rows = advertiser.campaigns.filter((c) => status(c.deleted) && (ids === null || ids.has(c.campaignId))).map(campaignRow);
  const { list, page_info } = paginate(rows, page, pageSize);
  return { list: pickFields(list, q.stringArray("fields"), CAMPAIGN_FIELDS, CAMPAIGN_FIELDS), page_info };
}

export function adgroupGet(q: QueryParams, authorize: (advertiserId: string) => Advertiser) {
  const advertiser = authorize(q.requiredString("advertiser_id"));
  const filtering = q.object("filtering") ?? {};
  rejectUnknownFilters(filtering, ["adgroup_ids", "campaign_ids", "secondary_status", "adgroup_name"]);
  const ids = idList(filtering, "adgroup_ids");
  const campaignIds = idList(filtering, "campaign_ids");
  const status = statusFilter(filtering.secondary_status, "ADGROUP");
  const page = q.int("page", { min: 1, fallback: 1 });
  const pageSize = q.int("page_size", { min: 1, max: MAX_PAGE_SIZE, fallback: 10 });
  const campaignName = new Map(advertiser.campaigns.map((c) => [c.campaignId, c.campaignName]));
  const rows = advertiser.adgroups
    .filter((a) => status(a.deleted) && (ids === null || ids.has(a.adgroupId)) && (campaignIds === null || campaignIds.has(a.campaignId)))
    .map((a) => ({
      adgroup_id: a.adgroupId,
      adgroup_name: a.adgroupName,
      campaign_id: a.campaignId,
      campaign_name: campaignName.get(a.campaignId) ?? "",
      advertiser_id: a.advertiserId,
      secondary_status: a.deleted ? "ADGROUP_STATUS_DELETE" : "ADGROUP_STATUS_DELIVERY_OK",
      operation_status: a.deleted ? "DISABLE" : "ENABLE",
      create_time: "2024-01-01 08:00:00",
    }));
  const { list, page_info } = paginate(rows, page, pageSize);
  return { list: pickFields(list, q.stringArray("fields"), ADGROUP_FIELDS, ADGROUP_FIELDS), page_info };
}
