import { Fragment, useState } from "react";
import { Box, Button, IndexTable, InlineStack, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { formatCount, formatMoneyWithCode, formatRoas } from "~/components/format";
import { UnknownValue } from "~/components/UnknownValue";
import { CampaignCards } from "./CampaignCards";
import { roasUnknownReason } from "./roas-reason";
import { campaignCoverageNote, formatDifference, tiktokUnknownWhy } from "./tiktok-figures";

type Campaign = DashboardData["campaigns"][number];
type Row = Campaign | Campaign["adgroups"][number];

function NumberCell({ children }: { children: React.ReactNode }) {
  return (
    <IndexTable.Cell>
      <Text as="span" alignment="end" numeric>
        {children}
      </Text>
    </IndexTable.Cell>
  );
}

/** The cells after the name: the same for a campaign and an ad group. */
function FigureCells({ row, data, noId }: { row: Row; data: DashboardData; noId: string }) {
  const roasWhy = roasUnknownReason(data, row.revenue, noId, data.totals.roasNote);
  const tiktokWhy = tiktokUnknownWhy(data);
  return (
    <>
      <NumberCell>{formatMoneyWithCode(row.spend, data.spendCurrency)}</NumberCell>
      <NumberCell>{row.tiktokPurchases !== null ? formatCount(row.tiktokPurchases) : <UnknownValue why={tiktokWhy} />}</NumberCell>
      <NumberCell>
        {row.tiktokPurchaseValue !== null ? formatMoneyWithCode(row.tiktokPurchaseValue, data.spendCurrency) : <UnknownValue why={tiktokWhy} />}
      </NumberCell>
      <NumberCell>{formatCount(row.attributedOrders)}</NumberCell>
      <NumberCell>{formatDifference(row.purchaseDifference) ?? <UnknownValue why={tiktokWhy} />}</NumberCell>
      <NumberCell>{row.revenue !== null ? formatMoneyWithCode(row.revenue, data.storeCurrency) : <UnknownValue why={noId} />}</NumberCell>
      <NumberCell>{row.netRevenue !== null ? formatMoneyWithCode(row.netRevenue, data.storeCurrency) : <UnknownValue why={noId} />}</NumberCell>
      <NumberCell>{row.roas !== null ? formatRoas(row.roas) : <UnknownValue why={roasWhy} />}</NumberCell>
      <NumberCell>{row.netRoas !== null ? formatRoas(row.netRoas) : <UnknownValue why={roasWhy} />}</NumberCell>
    </>
  );
}

/** Campaigns with their spend, TikTok's own purchases beside our attributed orders and revenue; each opens to its ad groups. */
export function CampaignSpendTable({ data }: { data: DashboardData }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const noMacro =
    "No order TikTok accepted in this range carried this campaign's id. Orders carry it when the ad's URL includes TikTok's __CAMPAIGN_ID__ macro.";
  const noAdgroupMacro =
    "No order TikTok accepted in this range carried this ad group's id. Orders carry it when the ad's URL includes TikTok's __AID__ macro (tt_adgroup_id=__AID__).";
  const roasWhy = (revenue: string | null, noId: string) => roasUnknownReason(data, revenue, noId, data.totals.roasNote);
  const coverage = campaignCoverageNote(data);
  return (
    <>
      {coverage ? (
        <Box paddingInline="400" paddingBlockEnd="200">
          <Text as="p" variant="bodySm" tone="subdued">
            {coverage}
          </Text>
        </Box>
      ) : null}
      <div className="campaigns-wide">
        <IndexTable
          resourceName={{ singular: "campaign", plural: "campaigns" }}
          itemCount={data.campaigns.length}
          selectable={false}
          headings={[
            { title: "Campaign" },
            { title: "Spend", alignment: "end" },
            { title: "TikTok purchases", alignment: "end" },
            { title: "TikTok purchase value", alignment: "end" },
            { title: "Attributed orders", alignment: "end" },
            { title: "Difference", alignment: "end" },
            { title: "Attributed revenue", alignment: "end" },
            { title: "Refund-adjusted", alignment: "end" },
            { title: "ROAS", alignment: "end" },
            { title: "Refund-adjusted ROAS", alignment: "end" },
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
                        accessibilityLabel={`${open[c.campaignId] ? "Hide" : "Show"} ad groups of ${c.name}`}
                        onClick={() => setOpen((o) => ({ ...o, [c.campaignId]: !o[c.campaignId] }))}
                      />
                    ) : null}
                    <Text as="span" fontWeight="semibold">
                      {c.name}
                    </Text>
                  </InlineStack>
                </IndexTable.Cell>
                <FigureCells row={c} data={data} noId={noMacro} />
              </IndexTable.Row>
              {open[c.campaignId]
                ? c.adgroups.map((g, j) => (
                    <IndexTable.Row key={g.adgroupId} id={g.adgroupId} position={index + (j + 1) / 1000} rowType="child">
                      <IndexTable.Cell>
                        <Box paddingInlineStart="800">
                          <Text as="span">{g.name}</Text>
                        </Box>
                      </IndexTable.Cell>
                      <FigureCells row={g} data={data} noId={noAdgroupMacro} />
                    </IndexTable.Row>
                  ))
                : null}
              {open[c.campaignId] && c.ordersOutsideAdgroups > 0 ? (
                <IndexTable.Row id={`${c.campaignId}-outside`} position={index + 0.999} rowType="child">
                  <IndexTable.Cell colSpan={10}>
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
