import type { DashboardData } from "~/features/spend/dashboard.server";
import { formatCount } from "~/components/format";

/** TikTok's own purchase count was not in its report for these rows: not reported, never 0. */
const TIKTOK_NOT_REPORTED = "TikTok did not report purchases for this in its report (it refused the metric or left it out); spend is still counted.";

/** Why a campaign or ad group has no TikTok purchase figure: the range is before the connection, or TikTok did not report it. */
export function tiktokUnknownWhy(data: DashboardData) {
  return data.totals.tiktokComparedFrom === null
    ? "These days are before the app was connected to this ad account; TikTok's purchases are compared with orders only from the connection on."
    : TIKTOK_NOT_REPORTED;
}

/**
 * Said above the campaigns when the range starts before the connection: their TikTok purchases, orders and
 * ROAS cover the days since; spend covers the whole range. Null when every day is covered.
 */
export function campaignCoverageNote(data: DashboardData) {
  const from = data.totals.tiktokComparedFrom;
  if (!data.totals.spendBeforeConnection || !data.totals.connectedOn) return null;
  if (from === null) return `These days are before the app was connected to this ad account on ${data.totals.connectedOn}: campaigns show their spend only.`;
  return `TikTok's purchases, attributed orders, revenue and ROAS count the days from ${from}, when the app was connected to this ad account; spend counts every day of the range.`;
}

/** "+3" / "−2" / "0": TikTok's purchases minus our attributed orders; null when TikTok did not report them. */
export function formatDifference(n: number | null) {
  if (n === null) return null;
  return n > 0 ? `+${formatCount(n)}` : n < 0 ? `−${formatCount(-n)}` : "0";
}
