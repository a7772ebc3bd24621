import { BlockStack, Card, List, Text } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { formatCount, formatMoneyWithCode } from "~/components/format";
import { STATUS_LABEL } from "~/components/OrderEventItem";
import { formatDifference } from "./tiktok-figures";

/** TikTok's longest click-through attribution window in Ads Manager (as Settings says). */
const TIKTOK_MAX_CLICK_WINDOW_DAYS = 28;

/**
 * TikTok's purchases beside ours for the range, and only the reasons for a difference that this page
 * can show with figures: view-through purchases, orders not sent, refunds after sending, currency, days.
 */
export function WhyNumbersDiffer({ data }: { data: DashboardData }) {
  const t = data.totals;
  const store = (amount: string) => formatMoneyWithCode(amount, data.storeCurrency);
  const account = (amount: string) => formatMoneyWithCode(amount, data.spendCurrency);
  const reasons: string[] = [];
  if (t.tiktokViewPurchases !== null && t.tiktokViewPurchases > 0) {
    reasons.push(
      `View-through: ${formatCount(t.tiktokViewPurchases)} of TikTok's purchases${t.tiktokViewPurchaseValue !== null ? ` (${account(t.tiktokViewPurchaseValue)})` : ""} are by people who saw an ad without clicking it. This app counts only orders that carried a TikTok click.`,
    );
  }
  const notSent = t.notSent.reduce((n, line) => n + line.orders, 0);
  if (notSent > 0) {
    reasons.push(
      `Not sent: ${formatCount(notSent)} attributed order(s) did not reach TikTok from this app (${t.notSent.map((n) => `${STATUS_LABEL[n.status]?.label ?? n.status} ${formatCount(n.orders)}`).join(", ")}); Events shows why for each.`,
    );
  }
  if (Number(t.refunded) > 0) {
    reasons.push(`Refunds after sending: ${store(t.refunded)} was refunded or voided after the events were sent. TikTok keeps each purchase at its original value; the refund-adjusted figures here do not.`);
  }
  if (data.currencyDiffers) {
    reasons.push(`Currency: TikTok's values are in the ad account's currency (${data.spendCurrency}), this app's revenue in the store's (${data.storeCurrency}); nothing is converted.`);
  }
  if (data.accountTimezone !== data.revenueTimezone) {
    reasons.push(`Days: TikTok's figures fall on the ad account's days (${data.accountTimezone}), this app's orders on the store's (${data.revenueTimezone}), so an order near midnight can be on different days.`);
  }
  const unexplained = t.purchaseDifference === null ? null : t.purchaseDifference - (t.tiktokViewPurchases ?? 0);
  if (unexplained !== null && unexplained !== 0) {
    const window = data.attributionWindowDays;
    const ours = `this app counts the orders it sent that carried a TikTok click${window ? ` up to ${window} days old` : ""}`;
    reasons.push(
      unexplained > 0
        ? `Attribution: TikTok counts ${formatCount(unexplained)} more click-through purchase(s) than this app sent. TikTok credits clicks by its own attribution settings (at most ${TIKTOK_MAX_CLICK_WINDOW_DAYS} days) and also counts what its browser pixel reports; ${ours}.`
        : `Attribution: TikTok counts ${formatCount(-unexplained)} fewer purchase(s) than this app sent. TikTok credits a purchase only to a click it matches to one of its ads within its own attribution settings (at most ${TIKTOK_MAX_CLICK_WINDOW_DAYS} days); ${ours}.`,
    );
  }
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Why these numbers differ from TikTok Ads Manager
        </Text>
        {t.tiktokPurchases === null ? (
          <Text as="p">
            TikTok did not report purchases for this range, so only spend can be compared. This app sent {formatCount(t.attributedOrders)} attributed order(s) worth{" "}
            {store(t.grossRevenue)}.
          </Text>
        ) : (
          <Text as="p">
            TikTok reports {formatCount(t.tiktokPurchases)} purchase(s){t.tiktokPurchaseValue !== null ? ` worth ${account(t.tiktokPurchaseValue)}` : ""}; this app sent{" "}
            {formatCount(t.attributedOrders)} attributed order(s) worth {store(t.grossRevenue)} ({store(t.netRevenue)} refund-adjusted). Difference:{" "}
            {formatDifference(t.purchaseDifference)}.
          </Text>
        )}
        {reasons.length > 0 ? (
          <List>
            {reasons.map((r) => (
              <List.Item key={r}>{r}</List.Item>
            ))}
          </List>
        ) : t.tiktokPurchases !== null ? (
          <Text as="p" tone="subdued">
            The two counts agree for this range.
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}
