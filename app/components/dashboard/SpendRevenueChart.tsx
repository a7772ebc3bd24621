import { BlockStack, Box, InlineStack, Text } from "@shopify/polaris";
import { LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { ClientOnly } from "~/components/ClientOnly";

/** Daily spend and attributed revenue (gross and refund-adjusted) as lines; one chart per currency when they differ. */
export function SpendRevenueChart({ data }: { data: DashboardData }) {
  const spendName = `Spend (${data.spendCurrency ?? "ad account currency"})`;
  const revenueName = `Attributed revenue (${data.storeCurrency ?? "store currency"})`;
  const spend = { name: spendName, color: SPEND_COLOR, data: data.daily.map((d) => ({ key: d.date, value: d.spend })) };
  const revenue = { name: revenueName, color: REVENUE_COLOR, data: data.daily.map((d) => ({ key: d.date, value: d.revenue })) };
  const net = {
    name: `Refund-adjusted revenue (${data.storeCurrency ?? "store currency"})`,
    color: NET_COLOR,
    data: data.daily.map((d) => ({ key: d.date, value: d.netRevenue })),
  };
  const rollingSeries = [
    { name: "ROAS (gross)", color: REVENUE_COLOR, data: data.daily.map((d) => ({ key: d.date, value: d.rollingRoas })) },
    { name: "Refund-adjusted ROAS", color: NET_COLOR, data: data.daily.map((d) => ({ key: d.date, value: d.rollingNetRoas })) },
  ];
  const fallback = <Box minHeight="320px" />;
  // Full dates as x labels make polaris-viz turn them on their side, and on a month they took more
  // height than the chart had (negative SVG heights in the console): short "Nov 3" labels fit flat.
  const xAxisOptions = { labelFormatter: (value: string | number | null) => shortDay(String(value ?? "")) };
  // polaris-viz reads `navigator` while rendering, which Node 20 lacks: charts render in the browser only.
  // Its SVG has no text alternative and ARIA roles screen readers cannot use: it is inert (out of
  // the accessibility tree and the tab order), and a sentence says where the same figures are.
  return (
    <>
      <Text as="p" visuallyHidden>
        {`Chart of daily spend, attributed revenue and refund-adjusted revenue from ${data.range.start} to ${data.range.end}. The same figures are in the totals above and the campaign table below.`}
      </Text>
      {/* Our own legend: polaris-viz measures its legend before layout and drew negative SVG heights. */}
      <InlineStack gap="400">
        {[spend, revenue, net].map((series) => (
          <InlineStack key={series.name} gap="100" blockAlign="center">
            <span aria-hidden style={{ display: "inline-block", width: 12, height: 3, background: series.color }} />
            <Text as="span" variant="bodySm">{series.name}</Text>
          </InlineStack>
        ))}
      </InlineStack>
      <div ref={(el) => el?.setAttribute("inert", "")}>
        <ClientOnly fallback={fallback}>
          {() => (
            <PolarisVizProvider>
              {data.currencyDiffers ? (
                // Two currencies never share an axis: one chart each.
                <BlockStack gap="400">
                  <div style={{ height: 300 }}>
                    <LineChart data={[spend]} theme="Light" xAxisOptions={xAxisOptions} showLegend={false} />
                  </div>
                  <div style={{ height: 300 }}>
                    <LineChart data={[revenue, net]} theme="Light" xAxisOptions={xAxisOptions} showLegend={false} />
                  </div>
                </BlockStack>
              ) : (
                <div style={{ height: 320 }}>
                  <LineChart data={[spend, revenue, net]} theme="Light" xAxisOptions={xAxisOptions} showLegend={false} />
                </div>
              )}
            </PolarisVizProvider>
          )}
        </ClientOnly>
      </div>
      {data.daily.some((d) => d.rollingRoas !== null) ? (
        <BlockStack gap="100">
          <Text as="h3" variant="headingSm">
            ROAS trend (7-day rolling), gross and refund-adjusted
          </Text>
          <InlineStack gap="400">
            {rollingSeries.map((series) => (
              <InlineStack key={series.name} gap="100" blockAlign="center">
                <span aria-hidden style={{ display: "inline-block", width: 12, height: 3, background: series.color }} />
                <Text as="span" variant="bodySm">{series.name}</Text>
              </InlineStack>
            ))}
          </InlineStack>
          <Text as="p" visuallyHidden>
            {`Chart of the 7-day rolling ROAS from ${data.range.start} to ${data.range.end}: attributed revenue, gross and refund-adjusted, divided by spend over each day and the six before it.`}
          </Text>
          <div ref={(el) => el?.setAttribute("inert", "")}>
            <ClientOnly fallback={<Box minHeight="180px" />}>
              {() => (
                <PolarisVizProvider>
                  <div style={{ height: 180 }}>
                    <LineChart
                      data={rollingSeries}
                      theme="Light"
                      xAxisOptions={xAxisOptions}
                      showLegend={false}
                    />
                  </div>
                </PolarisVizProvider>
              )}
            </ClientOnly>
          </div>
        </BlockStack>
      ) : null}
      {data.totals.connectedOn && data.daily.some((d) => d.beforeConnection) ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {`Days before ${shortDay(data.totals.connectedOn)} are before the app was connected to this ad account: their spend is TikTok's, and none of their orders count here.`}
        </Text>
      ) : null}
    </>
  );
}

const SPEND_COLOR = "#2c6ecb";
const REVENUE_COLOR = "#29845a";
const NET_COLOR = "#8051ff";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-11-03" → "Nov 3"; anything else as it is. */
function shortDay(day: string) {
  const m = /^\d{4}-(\d{2})-(\d{2})$/.exec(day);
  return m ? `${MONTHS[Number(m[1]) - 1]} ${Number(m[2])}` : day;
}
