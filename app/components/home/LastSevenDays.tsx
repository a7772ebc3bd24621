import { BlockStack, Box, InlineGrid, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { MetricCard } from "~/components/dashboard/MetricCard";
import { UnknownValue } from "~/components/UnknownValue";
import { formatCount, formatDateRange, formatMoneyWithCode, formatRoas } from "~/components/format";
import { ROAS_NOTE, roasHelp } from "~/components/dashboard/roas-reason";

/**
 * Home's first answer to "is TikTok working and paying off": the dashboard's own figures for the
 * last 7 days of the ad account, and the events TikTok accepted on the same days.
 */
export function LastSevenDays({ figures, eventsSent }: { figures: DashboardData; eventsSent: number }) {
  const t = figures.totals;
  const period = formatDateRange(figures.range.start, figures.range.end);
  const dashboard = { to: `/app/dashboard?start=${figures.range.start}&end=${figures.range.end}`, label: "See spend and ROAS" };
  const importing = !figures.hasAnySpend && figures.sync.active !== null;
  const noRoas = t.roasNote
    ? ROAS_NOTE[t.roasNote]
    : figures.currencyDiffers
    ? `Spend is in ${figures.spendCurrency}, revenue in ${figures.storeCurrency}; the app never converts one into the other.`
    : importing
      ? "Spend is still being imported from TikTok."
      : "No spend in these days.";
  // The 7 days may start before the app's first connection to the ad account: ROAS divides only the spend since.
  const beforeConnection =
    t.spendBeforeConnection && t.connectedOn
      ? `${formatMoneyWithCode(t.spendBeforeConnection, figures.spendCurrency)} of these days' spend is from before the app was connected to this ad account on ${t.connectedOn}: it is shown, and left out of ROAS.`
      : null;
  return (
    <BlockStack gap="200">
      <Box paddingInline={{ xs: "400", sm: "0" }}>
        <Text as="h2" variant="headingMd">
          Last 7 days
        </Text>
      </Box>
      <InlineGrid columns={{ xs: 1, sm: 2, lg: 4 }} gap="400">
        <MetricCard
          label="Spend"
          period={period}
          value={importing ? <UnknownValue why="Spend is still being imported from TikTok." /> : formatMoneyWithCode(t.spend, figures.spendCurrency)}
          link={dashboard}
        />
        <MetricCard label="Attributed revenue" period={period} value={formatMoneyWithCode(t.grossRevenue, figures.storeCurrency)} help={`${formatCount(t.attributedOrders)} order(s) TikTok accepted · refund-adjusted ${formatMoneyWithCode(t.netRevenue, figures.storeCurrency)}`} link={dashboard} />
        <MetricCard label="ROAS" period={period} value={t.roas !== null ? formatRoas(t.roas) : <UnknownValue why={noRoas} />} help={roasHelp(t, formatRoas)} link={dashboard} />
        <MetricCard label="Events sent" period={period} value={formatCount(eventsSent)} help="Purchases TikTok accepted on these days" link={{ to: "/app/events", label: "See events" }} />
      </InlineGrid>
      {beforeConnection ? (
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <Text as="p" variant="bodySm" tone="subdued">
            {beforeConnection}
          </Text>
        </Box>
      ) : null}
    </BlockStack>
  );
}
