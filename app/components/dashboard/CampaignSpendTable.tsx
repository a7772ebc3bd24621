import { Fragment, useState } from "react";
import { Box, Button, IndexTable, InlineStack, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import {
  formatCount,
  formatMoneyWithCode,
  formatRoas,
} from "~/components/format";
import { UnknownValue } from "~/components/UnknownValue";
import { CampaignCards } from "./CampaignCards";
import { roasUnknownReason } from "./roas-reason";

/** Spend, impressions, clicks and TikTok conversions: the same four cells for a campaign and an ad group. */
function DeliveryCells({
  row,
  currency,
}: {
  row: {
    spend: string | number;
    impressions: number | null;
    clicks: number | null;
    conversions: number | null;
  };
  currency: string | null;
}) {
  return (
    <>
      {[
        formatMoneyWithCode(row.spend, currency),
        formatCount(row.impressions),
        formatCount(row.clicks),
        formatCount(row.conversions),
      ].map((value, i) => (
        <IndexTable.Cell key={i}>
          <Text as="span" alignment="end" numeric>
            {value}
          </Text>
        </IndexTable.Cell>
      ))}
    </>
  );
}

/** Campaigns with their spend, TikTok's counts and our attributed revenue; each opens to its ad groups. */
export function CampaignSpendTable({ data }: { data: DashboardData }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const noMacro =
    "No order TikTok accepted in this range carried this campaign's id. Orders carry it when the ad's URL includes TikTok's __CAMPAIGN_ID__ macro.";
  const noAdgroupMacro =
    "No order TikTok accepted in this range carried this ad group's id. Orders carry it when the ad's URL includes TikTok's __AID__ macro (tt_adgroup_id=__AID__).";
  const noValue =
    "TikTok's own conversion value is not pulled by this app; compare revenue with our attributed revenue instead.";
  const roasWhy = (revenue: string | null, noId: string) => roasUnknownReason(data, revenue, noId, data.totals.roasNote);
  return (
    <>
      <div className="campaigns-wide">
        <IndexTable
          resourceName={{ singular: "campaign", plural: "campaigns" }}
          itemCount={data.campaigns.length}
          selectable={false}
          headings={[
            { title: "Campaign" },
            { title: "Spend", alignment: "end" },
            { title: "Impressions", alignment: "end" },
            { title: "Clicks", alignment: "end" },
            { title: "TikTok conversions", alignment: "end" },
            { title: "TikTok conv. value", alignment: "end" },
            { title: "Attributed revenue", alignment: "end" },
            { title: "ROAS", alignment: "end" },
          ]}
        >
          {data.campaigns.map((c, index) => (
            <Fragment key={c.campaignId}>
              <IndexTable.Row id={c.campaignId} position={index}>
                <IndexTable.Cell>
                  <InlineStack gap="200" blockAlign="center" wrap={false}>
                    {c.adgroups.length > 0 ? (
                      <Button
                        variant="plain"
                        disclosure={open[c.campaignId] ? "up" : "down"}
                        accessibilityLabel={`${
                          open[c.campaignId] ? "Hide" : "Show"
                        } ad groups of ${c.name}`}
                        onClick={() =>
                          setOpen((o) => ({
                            ...o,
                            [c.campaignId]: !o[c.campaignId],
                          }))
                        }
                      />
                    ) : null}
                    <Text as="span" fontWeight="semibold">
                      {c.name}
                    </Text>
                  </InlineStack>
                </IndexTable.Cell>
                <DeliveryCells row={c} currency={data.spendCurrency} />
                <IndexTable.Cell>
                  <Text as="span" alignment="end">
                    {c.conversionValue ?? <UnknownValue why={noValue} />}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {c.revenue !== null ? (
                      formatMoneyWithCode(c.revenue, data.storeCurrency)
                    ) : (
                      <UnknownValue why={noMacro} />
                    )}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {c.roas !== null ? (
                      formatRoas(c.roas)
                    ) : (
                      <UnknownValue why={roasWhy(c.revenue, noMacro)} />
                    )}
                  </Text>
                </IndexTable.Cell>
              </IndexTable.Row>
              {open[c.campaignId]
                ? c.adgroups.map((g, j) => (
                    <IndexTable.Row
                      key={g.adgroupId}
                      id={g.adgroupId}
                      position={index + (j + 1) / 1000}
                      rowType="child"
                    >
                      <IndexTable.Cell>
                        <Box paddingInlineStart="800">
                          <Text as="span">{g.name}</Text>
                        </Box>
                      </IndexTable.Cell>
                      <DeliveryCells row={g} currency={data.spendCurrency} />
                      <IndexTable.Cell>
                        <Text as="span" alignment="end">
                          <UnknownValue why={noValue} />
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {g.revenue !== null ? formatMoneyWithCode(g.revenue, data.storeCurrency) : <UnknownValue why={noAdgroupMacro} />}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {g.roas !== null ? formatRoas(g.roas) : <UnknownValue why={roasWhy(g.revenue, noAdgroupMacro)} />}
                        </Text>
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  ))
                : null}
              {open[c.campaignId] && c.ordersOutsideAdgroups > 0 ? (
                <IndexTable.Row id={`${c.campaignId}-outside`} position={index + 0.999} rowType="child">
                  <IndexTable.Cell colSpan={8}>
                    <Box paddingInlineStart="800">
                      <Text as="span" tone="subdued">
                        {formatCount(c.ordersOutsideAdgroups)} attributed order(s) of this campaign are in no ad group above: they carried no ad group id, or
                        one with no spend in this range.
                      </Text>
                    </Box>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ) : null}
            </Fragment>
          ))}
        </IndexTable>
      </div>
      <div className="campaigns-narrow">
        <CampaignCards data={data} roasWhy={roasWhy} noMacro={noMacro} />
      </div>
    </>
  );
}
