import { BlockStack, Card, List, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { formatCount, formatMoneyWithCode } from "~/components/format";
import { STATUS_LABEL } from "~/components/OrderEventItem";
import { formatDifference } from "./tiktok-figures";

/** TikTok's longest click-through attribution window in Ads Manager (as Settings says). */
const TIKTOK_MAX_CLICK_WINDOW_DAYS = 28;

type Reason = DashboardData["totals"]["reasons"][number];

/** One sentence per reason the loader backed with a figure (dashboard.server.ts differenceReasons). */
function sentence(r: Reason, data: DashboardData) {
  const store = (amount: string) => formatMoneyWithCode(amount, data.storeCurrency);
  const account = (amount: string) => formatMoneyWithCode(amount, data.spendCurrency);
  switch (r.kind) {
    case "view_through":
      return `View-through: ${formatCount(r.purchases)} of TikTok's purchases${r.value !== null ? ` (${account(r.value)})` : ""} are by people who saw an ad without clicking it. This app counts only orders that carried a TikTok click.`;
    case "not_sent":
      return `Not sent: ${formatCount(r.orders)} attributed order(s) did not reach TikTok from this app (${r.lines.map((n) => `${STATUS_LABEL[n.status]?.label ?? n.status} ${formatCount(n.orders)}`).join(", ")}); Events shows why for each.`;
    case "refunds":
      return `Refunds after sending: ${store(r.refunded)} was refunded or voided after the events were sent. TikTok keeps each purchase at its original value; the refund-adjusted figures here do not.`;
    case "currency":
      return `Currency: TikTok values its purchases at ${account(r.tiktokValue)} in the ad account's currency, this app its orders at ${store(r.ourRevenue)} in the store's; nothing is converted, so the two values cannot be compared.`;
    case "days":
      return `Days: ${formatCount(r.orders)} of the orders this app sent on these days fall outside them in the ad account's zone (${data.accountTimezone}), where TikTok counts them; this app counts days in the store's (${data.revenueTimezone}).`;
    case "attribution": {
      const window = data.attributionWindowDays;
      const ours = `this app counts the orders it sent that carried a TikTok click${window ? ` up to ${window} days old` : ""}`;
      return r.purchases > 0
        ? `Attribution: TikTok counts ${formatCount(r.purchases)} more click-through purchase(s) than this app sent. TikTok credits purchases by its own attribution settings (clicks up to ${TIKTOK_MAX_CLICK_WINDOW_DAYS} days old at most); ${ours}.`
        : `Attribution: TikTok counts ${formatCount(-r.purchases)} fewer purchase(s) than this app sent. TikTok credits a purchase only to a click it matches to one of its ads within its own attribution settings (at most ${TIKTOK_MAX_CLICK_WINDOW_DAYS} days); ${ours}.`;
    }
  }
}

/**
 * TikTok's purchases beside ours for the days the app covered in the range, and only the reasons for
 * a difference that the loader backs with a figure.
 */
export function WhyNumbersDiffer({ data }: { data: DashboardData }) {
  const t = data.totals;
  const store = (amount: string) => formatMoneyWithCode(amount, data.storeCurrency);
  const account = (amount: string) => formatMoneyWithCode(amount, data.spendCurrency);
  const reasons = t.reasons.map((r) => sentence(r, data));
  // TikTok's purchases of days before the connection are left out of the comparison, and said so.
  const before =
    t.tiktokComparedFrom !== null && t.tiktokComparedFrom !== data.range.start
      ? ` Compared from ${t.tiktokComparedFrom}, when the app was connected to this ad account${t.tiktokPurchasesBeforeConnection ? `: TikTok's ${formatCount(t.tiktokPurchasesBeforeConnection)} purchase(s) on earlier days are left out` : ""}.`
      : "";
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Why these numbers differ from TikTok Ads Manager
        </Text>
        {t.tiktokComparedFrom === null ? (
          <Text as="p">These days are before the app was connected to this ad account, so there are no orders of the app&apos;s to compare with TikTok&apos;s.</Text>
        ) : t.tiktokPurchases === null ? (
          <Text as="p">
            TikTok did not report purchases for this range, so only spend can be compared. This app sent {formatCount(t.attributedOrders)} attributed order(s) worth{" "}
            {store(t.grossRevenue)}.
          </Text>
        ) : (
          <Text as="p">
            TikTok reports {formatCount(t.tiktokPurchases)} purchase(s){t.tiktokPurchaseValue !== null ? ` worth ${account(t.tiktokPurchaseValue)}` : ""}; this app sent{" "}
            {formatCount(t.attributedOrders)} attributed order(s) worth {store(t.grossRevenue)} ({store(t.netRevenue)} refund-adjusted). Difference:{" "}
            {formatDifference(t.purchaseDifference)}.{before}
          </Text>
        )}
        {reasons.length > 0 ? (
          <List>
            {reasons.map((r) => (
              <List.Item key={r}>{r}</List.Item>
            ))}
          </List>
        ) : t.tiktokPurchases !== null && t.tiktokComparedFrom !== null ? (
          <Text as="p" tone="subdued">
            The two counts agree for this range.
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}
