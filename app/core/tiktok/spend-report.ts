// What the spend sync asks TikTok's integrated report for, and the typed rows it gets back. The
// metric and dimension names, TikTok's "-" for a missing figure and its `stat_time_day` labels
// stop here; the rest of the app sees SpendReportRow.
import { TikTokApiError } from "./errors";

export type SpendLevel = "campaign" | "adgroup";

type ReportRequest = {
  dataLevel: "AUCTION_CAMPAIGN" | "AUCTION_ADGROUP";
  dimensions: string[];
  metrics: string[];
  filtering: { field_name: string; filter_type: string; filter_value: string }[];
};

/**
 * TikTok's own purchase figures, as its SDK names them (tiktok/tiktok-business-api-sdk at f809c396,
 * yml_files/smart_plus_material_report_breakdown.yml): `complete_payment` (web purchases, counted by the
 * advertiser's attribution settings), `total_complete_payment_rate` (their total value: the spec maps it
 * to time_attr_total_shopping_value, whatever the name says), and the view-through parts
 * `vta_complete_payment` / `vta_complete_payment_value`. docs/decisions/0008.
 */
export const PURCHASE_METRICS = ["complete_payment", "total_complete_payment_rate", "vta_complete_payment", "vta_complete_payment_value"] as const;

export const SPEND_REPORT: Record<SpendLevel, ReportRequest> = {
  campaign: {
    dataLevel: "AUCTION_CAMPAIGN",
    dimensions: ["campaign_id", "stat_time_day"],
    metrics: ["spend", "impressions", "clicks", "conversion", "currency", "campaign_name", ...PURCHASE_METRICS],
    // Without this TikTok leaves out deleted campaigns, and the money they spent.
    filtering: [{ field_name: "campaign_status", filter_type: "IN", filter_value: JSON.stringify(["STATUS_ALL"]) }],
  },
  adgroup: {
    dataLevel: "AUCTION_ADGROUP",
    dimensions: ["adgroup_id", "stat_time_day"],
    // campaign_id and campaign_name as attribute metrics of the ad-group report: one report serves
    // both levels, the campaign rows being the sums of their ad groups' rows (docs/decisions/0008).
    metrics: ["spend", "impressions", "clicks", "conversion", "currency", "adgroup_name", "campaign_id", "campaign_name", ...PURCHASE_METRICS],
    filtering: [{ field_name: "adgroup_status", filter_type: "IN", filter_value: JSON.stringify(["STATUS_ALL"]) }],
  },
};

/** One day of one campaign (campaign level) or ad group (ad-group level). */
export type SpendReportRow = {
  /** The day in the ad account's time zone, `YYYY-MM-DD`. */
  day: string;
  /** Always set at campaign level; at ad-group level null when TikTok left it out. */
  campaignId: string | null;
  /** At ad-group level the campaign's name when TikTok sent it. */
  campaignName: string | null;
  /** Always set at ad-group level; null at campaign level. */
  adgroupId: string | null;
  adgroupName: string | null;
  /** Decimal text in `currency`; null when TikTok has no figure. Never a float. */
  spend: string | null;
  impressions: number | null;
  clicks: number | null;
  conversions: number | null;
  /** TikTok's purchases and their value (in `currency`), and the view-through parts; null when not reported. */
  purchases: number | null;
  purchaseValue: string | null;
  viewPurchases: number | null;
  viewPurchaseValue: string | null;
  /** The currency the row's money is in, when TikTok says; else the account currency applies. */
  currency: string | null;
};

// TikTok sends metric values as strings and "-" (or "") where a metric does not apply.
const value = (v: string | undefined) => (v === undefined || v === "" || v === "-" ? null : v);
const count = (v: string | undefined) => {
  const n = Math.round(Number(value(v) ?? NaN));
  return Number.isNaN(n) ? null : n;
};
const decimal = (v: string | undefined) => {
  const s = value(v);
  return s === null || Number.isNaN(Number(s)) ? null : s;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `stat_time_day` ("2026-11-24 00:00:00") as the day it names. */
function statDay(label: string | undefined): string | null {
  const day = (label ?? "").slice(0, 10);
  if (!DATE.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day ? day : null;
}

const unreadable = (message: string) =>
  new TikTokApiError({ kind: "invalid", code: null, httpStatus: 200, endpoint: "/report/integrated/get/", message });

/** Rows of a report requested with SPEND_REPORT[level]. A row without its id or day is refused. */
export function spendRows(level: SpendLevel, list: { dimensions: Record<string, string>; metrics: Record<string, string> }[]): SpendReportRow[] {
  return list.map(({ dimensions: d, metrics: m }) => {
    const id = value(level === "campaign" ? d.campaign_id : d.adgroup_id);
    if (!id) throw unreadable(`report row without ${level === "campaign" ? "campaign_id" : "adgroup_id"}`);
    const day = statDay(d.stat_time_day);
    if (!day) throw unreadable(`unexpected stat_time_day ${JSON.stringify(d.stat_time_day)}`);
    return {
      day,
      campaignId: level === "campaign" ? id : value(m.campaign_id),
      campaignName: value(m.campaign_name),
      adgroupId: level === "adgroup" ? id : null,
      adgroupName: level === "adgroup" ? value(m.adgroup_name) : null,
      spend: decimal(m.spend),
      impressions: count(m.impressions),
      clicks: count(m.clicks),
      conversions: count(m.conversion),
      purchases: count(m.complete_payment),
      purchaseValue: decimal(m.total_complete_payment_rate),
      viewPurchases: count(m.vta_complete_payment),
      viewPurchaseValue: decimal(m.vta_complete_payment_value),
      currency: value(m.currency),
    };
  });
}
