import { formatCount } from "~/components/format";

/** TikTok's own purchase count was not in its report for these rows: not reported, never 0. */
export const TIKTOK_NOT_REPORTED = "TikTok did not report purchases for this in its report (it refused the metric or left it out); spend is still counted.";

/** "+3" / "−2" / "0": TikTok's purchases minus our attributed orders; null when TikTok did not report them. */
export function formatDifference(n: number | null) {
  if (n === null) return null;
  return n > 0 ? `+${formatCount(n)}` : n < 0 ? `−${formatCount(-n)}` : "0";
}
