import type { ReactNode } from "react";
import { BlockStack, Box, InlineGrid, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { formatCount, formatMoneyWithCode, formatRoas } from "~/components/format";
import { UnknownValue } from "~/components/UnknownValue";
import { formatDifference, tiktokUnknownWhy } from "./tiktok-figures";

function Figure({ label, value }: { label: string; value: ReactNode }) {
  return (
    <BlockStack gap="050">
      <Text as="p" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" numeric>
        {value}
      </Text>
    </BlockStack>
  );
}

/** The campaign table for narrow screens: one block per campaign, ROAS and revenue first, nothing off-screen. */
export function CampaignCards({ data, roasWhy, noMacro }: { data: DashboardData; roasWhy: (revenue: string | null, noId: string) => string; noMacro: string }) {
  const tiktokWhy = tiktokUnknownWhy(data);
  const store = (amount: string) => formatMoneyWithCode(amount, data.storeCurrency);
  return (
    <ul aria-label="Campaigns" style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {data.campaigns.map((c) => (
        <li key={c.campaignId} style={{ borderBottom: "var(--p-border-width-025) solid var(--p-color-border-secondary)" }}>
          <Box padding="400">
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                {c.name}
              </Text>
              <InlineGrid columns={2} gap="200">
                  <Figure label="ROAS" value={c.roas !== null ? formatRoas(c.roas) : <UnknownValue why={roasWhy(c.revenue, noMacro)} />} />
                  <Figure label="Refund-adjusted ROAS" value={c.netRoas !== null ? formatRoas(c.netRoas) : <UnknownValue why={roasWhy(c.revenue, noMacro)} />} />
                  <Figure label="Attributed revenue" value={c.revenue !== null ? formatMoneyWithCode(c.revenue, data.storeCurrency) : <UnknownValue why={noMacro} />} />
                  <Figure label="Refund-adjusted" value={c.netRevenue !== null ? formatMoneyWithCode(c.netRevenue, data.storeCurrency) : <UnknownValue why={noMacro} />} />
                  <Figure label="Spend" value={formatMoneyWithCode(c.spend, data.spendCurrency)} />
                  <Figure label="Attributed orders" value={formatCount(c.attributedOrders)} />
                  <Figure label="TikTok purchases" value={c.tiktokPurchases !== null ? formatCount(c.tiktokPurchases) : <UnknownValue why={tiktokWhy} />} />
                  <Figure
                    label="TikTok purchase value"
                    value={c.tiktokPurchaseValue !== null ? formatMoneyWithCode(c.tiktokPurchaseValue, data.spendCurrency) : <UnknownValue why={tiktokWhy} />}
                  />
                  <Figure label="Difference" value={formatDifference(c.purchaseDifference) ?? <UnknownValue why={tiktokWhy} />} />
              </InlineGrid>
              {c.adgroups.length > 0 ? (
                <BlockStack gap="100">
                  <Text as="h4" variant="headingXs" tone="subdued">
                    Ad groups
                  </Text>
                  <ul aria-label={`Ad groups of ${c.name}`} style={{ listStyle: "none", margin: 0, padding: 0 }}>
                    {c.adgroups.map((g) => (
                      <li key={g.adgroupId} style={{ paddingBlock: "var(--p-space-100)" }}>
                        <Text as="p" variant="bodySm">
                          <Text as="span" fontWeight="semibold">
                            {g.name}
                          </Text>
                          {` · ROAS ${formatRoas(g.roas)}, refund-adjusted ${formatRoas(g.netRoas)} · ${
                            g.revenue !== null && g.netRevenue !== null ? `${store(g.revenue)}, refund-adjusted ${store(g.netRevenue)}` : "no attributed orders"
                          } · spend ${formatMoneyWithCode(g.spend, data.spendCurrency)} · TikTok purchases ${g.tiktokPurchases !== null ? formatCount(g.tiktokPurchases) : "not reported"}`}
                        </Text>
                      </li>
                    ))}
                  </ul>
                </BlockStack>
              ) : null}
            </BlockStack>
          </Box>
        </li>
      ))}
    </ul>
  );
}
