import { BlockStack, Card, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { formatCount, formatMoneyWithCode } from "~/components/format";
import { PlainTable } from "~/components/PlainTable";
import { formatDifference } from "./tiktok-figures";

/**
 * Per day: TikTok's purchases and value beside this app's attributed orders and revenue, on days with
 * either. A day before the connection shows TikTok's figures only, marked: the app saw none of its orders.
 */
export function TikTokByDay({ data }: { data: DashboardData }) {
  const days = data.daily.filter((d) => d.attributedOrders > 0 || (d.tiktokPurchases ?? 0) > 0).reverse();
  if (days.length === 0) return null;
  const notReported = "not reported";
  const before = "before the connection";
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          TikTok&apos;s purchases and this app&apos;s orders by day
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          TikTok&apos;s days are the ad account&apos;s ({data.accountTimezone}); this app&apos;s are the store&apos;s ({data.revenueTimezone}). Days with neither are left out{data.totals.connectedOn && days.some((d) => d.beforeConnection) ? `; days before ${data.totals.connectedOn}, when the app was connected to this ad account, show TikTok's figures only and are not compared` : ""}.
        </Text>
        <PlainTable
          label="TikTok's purchases and this app's orders by day"
          headings={["Day", "TikTok purchases", "TikTok value", "Attributed orders", "Attributed revenue", "Refund-adjusted", "Difference"]}
          rows={days.map((d) => [
            d.beforeConnection ? `${d.date} (${before})` : d.date,
            d.tiktokPurchases !== null ? formatCount(d.tiktokPurchases) : notReported,
            d.tiktokPurchaseValue !== null ? formatMoneyWithCode(d.tiktokPurchaseValue, data.spendCurrency) : notReported,
            d.beforeConnection ? before : formatCount(d.attributedOrders),
            d.beforeConnection ? before : formatMoneyWithCode(d.revenue, data.storeCurrency),
            d.beforeConnection ? before : formatMoneyWithCode(d.netRevenue, data.storeCurrency),
            d.beforeConnection ? "not compared" : (formatDifference(d.purchaseDifference) ?? notReported),
          ])}
        />
      </BlockStack>
    </Card>
  );
}
