import { BlockStack, Box, Text } from "@shopify/polaris";
import { LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { ClientOnly } from "~/components/ClientOnly";

/** Daily spend and attributed revenue as lines; one chart per currency when they differ. */
export function SpendRevenueChart({ data }: { data: DashboardData }) {
  const spendName = `Spend (${data.spendCurrency ?? "ad account currency"})`;
  const revenueName = `Attributed revenue (${data.storeCurrency ?? "store currency"})`;
  const spend = { name: spendName, data: data.daily.map((d) => ({ key: d.date, value: d.spend })) };
  const revenue = { name: revenueName, data: data.daily.map((d) => ({ key: d.date, value: d.revenue })) };
  const fallback = <Box minHeight="300px" />;
  // polaris-viz reads `navigator` while rendering, which Node 20 lacks: charts render in the browser only.
  // Its SVG has no text alternative and ARIA roles screen readers cannot use: it is inert (out of
  // the accessibility tree and the tab order), and a sentence says where the same figures are.
  return (
    <>
      <Text as="p" visuallyHidden>
        {`Chart of daily spend and attributed revenue from ${data.range.start} to ${data.range.end}. The same figures are in the totals above and the campaign table below.`}
      </Text>
      <div ref={(el) => el?.setAttribute("inert", "")}>
        <ClientOnly fallback={fallback}>
          {() => (
            <PolarisVizProvider>
              {data.currencyDiffers ? (
                // Two currencies never share an axis: one chart each.
                <BlockStack gap="400">
                  <div style={{ height: 260 }}>
                    <LineChart data={[spend]} theme="Light" />
                  </div>
                  <div style={{ height: 260 }}>
                    <LineChart data={[revenue]} theme="Light" />
                  </div>
                </BlockStack>
              ) : (
                <div style={{ height: 300 }}>
                  <LineChart data={[spend, revenue]} theme="Light" />
                </div>
              )}
            </PolarisVizProvider>
          )}
        </ClientOnly>
      </div>
    </>
  );
}
