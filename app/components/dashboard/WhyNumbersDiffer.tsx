import { BlockStack, Card, List, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";

/** Why the dashboard's numbers differ from TikTok Ads Manager's: currency, refunds, windows, zones, delays. */
export function WhyNumbersDiffer({ data }: { data: DashboardData }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Why these numbers differ from TikTok Ads Manager
        </Text>
        <List>
          <List.Item>
            Currency: spend is shown in the ad account currency ({data.spendCurrency ?? "unknown"}) exactly as TikTok reports it; revenue is in the store
            currency ({data.storeCurrency ?? "unknown"}). Nothing is converted.
          </List.Item>
          <List.Item>
            Refunds and cancellations: revenue is what the order was worth when we sent the event. Refunds Shopify reports later, and orders cancelled
            before their payment was captured, lower the refund-adjusted figure; the event already sent to TikTok is never changed or re-sent, so TikTok
            keeps the original value.
          </List.Item>
          <List.Item>Discounts: we send the order total after discounts, which may differ from what the ad click suggested.</List.Item>
          <List.Item>
            Attribution windows: TikTok credits conversions by its own click and view windows; we count orders that carried a TikTok click id (ttclid)
            within this store&apos;s attribution window and whose event TikTok accepted for this ad account.
          </List.Item>
          <List.Item>
            Time zones: spend days are the ad account&apos;s days ({data.accountTimezone}); revenue days are the store&apos;s ({data.revenueTimezone}).
          </List.Item>
          <List.Item>Processing delay: TikTok restates recent days for up to a few days; we re-pull the last 3 days every hour.</List.Item>
        </List>
      </BlockStack>
    </Card>
  );
}
