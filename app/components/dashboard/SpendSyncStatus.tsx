import { useEffect } from "react";
import { useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, ProgressBar, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";

/**
 * An instant in the page's zone (the store's), with seconds and the zone named: Sync now finishes
 * within seconds, and the merchant sees "Last synced" change.
 */
function formatSyncTime(iso: string, timeZone: string) {
  return new Intl.DateTimeFormat("en-US", { timeZone, dateStyle: "medium", timeStyle: "long" }).format(new Date(iso));
}

/**
 * How often spend is refreshed, by the cadence refreshSchedule reports (features/spend/sync.server):
 * every hour while the account spent in the last 7 days, once a day otherwise.
 */
export function refreshCadenceText(cadence: "hourly" | "daily") {
  return cadence === "hourly"
    ? "refreshed every hour while the account has spend in the last 7 days"
    : "refreshed once a day while the account has no spend in the last 7 days, and every hour once it has";
}

/** The running sync's progress, the last error, when spend was last synced and when the next refresh is due; refreshes while a run is active. */
export function SpendSyncStatus({ data }: { data: DashboardData }) {
  const { active, lastSyncedAt, lastError, cadence, nextRefreshAt } = data.sync;
  const revalidator = useRevalidator();
  // While a run is queued or running, refresh every few seconds so progress moves.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 3_000);
    return () => clearInterval(timer);
  }, [active, revalidator]);

  return (
    <BlockStack gap="200">
      {active ? (
        <Banner tone={active.waitingFor === "reconnect" ? "warning" : "info"} title={active.kind === "backfill" ? "Importing the last 30 days of spend" : "Syncing spend"}>
          <BlockStack gap="200">
            <ProgressBar progress={active.windowsTotal ? Math.round((100 * active.windowsDone) / active.windowsTotal) : 0} size="small" />
            <Text as="p">
              {active.windowsTotal
                ? `${active.windowsDone} of ${active.windowsTotal} report windows done (${active.requestsMade} request${active.requestsMade === 1 ? "" : "s"} to TikTok)`
                : "Queued; starts within a minute."}
              {active.range ? ` · ${active.range.start} to ${active.range.end}` : ""}
            </Text>
            {active.waitingFor === "reconnect" ? <Text as="p">Paused until TikTok is reconnected; it continues where it stopped.</Text> : null}
            {active.waitingFor === "rate_limit" ? <Text as="p">TikTok asked us to slow down; the sync continues by itself shortly.</Text> : null}
          </BlockStack>
        </Banner>
      ) : null}
      {lastError && !active?.waitingFor ? (
        <Banner tone="critical" title="The last sync did not finish">
          <Text as="p">{lastError}</Text>
        </Banner>
      ) : null}
      <Text as="p" tone="subdued">
        {lastSyncedAt ? `Last synced ${formatSyncTime(lastSyncedAt, data.revenueTimezone)}` : "Not synced yet"}
        {nextRefreshAt && !active ? ` · next refresh due ${formatSyncTime(nextRefreshAt, data.revenueTimezone)}` : ""}
        {cadence ? ` · ${refreshCadenceText(cadence)}, re-pulling the last 3 days` : ""}
      </Text>
    </BlockStack>
  );
}
