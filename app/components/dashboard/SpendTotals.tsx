import { BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { changeAgainst, formatCount, formatDateRange, formatMoneyWithCode, formatRoas } from "~/components/format";
import { ROAS_NOTE, spendBeforeConnectionNote } from "./roas-reason";
import { UnknownValue } from "~/components/UnknownValue";
import { STATUS_LABEL } from "~/components/OrderEventItem";
import { MetricCard } from "./MetricCard";
import { tiktokUnknownWhy } from "./tiktok-figures";

/** The range's headline numbers (spend, revenue, ROAS, orders, cost per order, TikTok's purchases) and gross vs refund-adjusted revenue. */
export function SpendTotals({ data }: { data: DashboardData }) {
  const t = data.totals;
  const period = formatDateRange(data.range.start, data.range.end);
  const p = data.previous;
  const before = formatDateRange(p.range.start, p.range.end);
  const noRoas = t.roasNote
    ? ROAS_NOTE[t.roasNote]
    : data.currencyDiffers
      ? `Spend is in ${data.spendCurrency}, revenue in ${data.storeCurrency}; the app never converts one into the other.`
      : "No spend in this range.";
  const beforeConnection = spendBeforeConnectionNote(t, (amount) => formatMoneyWithCode(amount, data.spendCurrency));
  return (
    <>
      <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
        <MetricCard
          period={period}
          label="Spend"
          value={formatMoneyWithCode(t.spend, data.spendCurrency)}
          change={changeAgainst(t.spend, p.spend, before)}
          help={[
            `${formatCount(t.impressions)} impressions · ${formatCount(t.clicks)} clicks`,
            ...t.otherSpend.map((o) => `also ${formatMoneyWithCode(o.spend, o.currency)} reported in ${o.currency}, not added`),
            ...(beforeConnection ? [beforeConnection] : []),
          ].join(" · ")}
        />
        <MetricCard
          period={period}
          label="Attributed revenue"
          value={formatMoneyWithCode(t.grossRevenue, data.storeCurrency)}
          change={changeAgainst(t.grossRevenue, p.grossRevenue, before)}
          help={`Refund-adjusted: ${formatMoneyWithCode(t.netRevenue, data.storeCurrency)} (refunds and voided orders ${formatMoneyWithCode(t.refunded, data.storeCurrency)})`}
        />
        <MetricCard
          period={period}
          label="ROAS"
          value={t.roas !== null ? formatRoas(t.roas) : <UnknownValue why={noRoas} />}
          change={changeAgainst(t.roas, p.roas, before)}
          help={t.netRoas !== null ? `Refund-adjusted: ${formatRoas(t.netRoas)}` : undefined}
        />
        <MetricCard
          period={period}
          label="Attributed orders"
          value={formatCount(t.attributedOrders)}
          change={changeAgainst(t.attributedOrders, p.attributedOrders, before)}
          help="Orders with a TikTok click id whose event TikTok accepted"
        />
        <MetricCard
          period={period}
          label="Cost per attributed order"
          value={t.costPerOrder !== null ? formatMoneyWithCode(t.costPerOrder, data.spendCurrency) : <UnknownValue why="No attributed orders in this range." />}
        />
        <MetricCard
          period={period}
          label="TikTok-reported purchases"
          value={t.tiktokPurchases !== null ? formatCount(t.tiktokPurchases) : <UnknownValue why={tiktokUnknownWhy(data)} />}
          help={`${t.tiktokPurchaseValue !== null ? `Value ${formatMoneyWithCode(t.tiktokPurchaseValue, data.spendCurrency)} · ` : ""}TikTok's own count, by its attribution settings${
            // Compared with orders only from the connection, as the difference is.
            t.spendBeforeConnection && t.tiktokComparedFrom ? `, from ${t.tiktokComparedFrom}` : ""
          }`}
        />
      </InlineGrid>
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Gross and refund-adjusted attributed revenue
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            {period}
          </Text>
          <InlineGrid columns={2} gap="400">
            <BlockStack gap="100">
              <Text as="p" tone="subdued">
                Gross (orders TikTok accepted)
              </Text>
              <Text as="p" variant="headingMd">
                {formatMoneyWithCode(t.grossRevenue, data.storeCurrency)}
              </Text>
            </BlockStack>
            <BlockStack gap="100">
              <Text as="p" tone="subdued">
                Refund-adjusted
              </Text>
              <Text as="p" variant="headingMd">
                {formatMoneyWithCode(t.netRevenue, data.storeCurrency)}
              </Text>
            </BlockStack>
          </InlineGrid>
          <Text as="p" variant="bodySm" tone="subdued">
            Refunds are subtracted as Shopify reports them, and so is the whole total of an order cancelled before its payment was captured (voided). Events already sent to TikTok keep their original value.
            {t.otherCurrencyOrders > 0 ? ` ${t.otherCurrencyOrders} attributed order(s) in another currency are not included.` : ""}
          </Text>
          {t.notSent.length > 0 ? (
            <Text as="p" variant="bodySm">
              Attributed but not sent to TikTok, not included above:{" "}
              {t.notSent.map((n) => `${STATUS_LABEL[n.status]?.label ?? n.status}: ${formatCount(n.orders)} order(s), ${formatMoneyWithCode(n.value, data.storeCurrency)}`).join(" · ")}
            </Text>
          ) : null}
        </BlockStack>
      </Card>
    </>
  );
}
