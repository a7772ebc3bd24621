import { Link } from "@remix-run/react";
import { Banner, BlockStack, Card, InlineGrid, InlineStack, List, Text } from "@shopify/polaris";
import type { deliverySummary } from "~/features/events/stats.server";

const pct = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)}%`);

function Stat({ label, value }: { label: string; value: number | string }) {
  return (
    <BlockStack gap="100">
      <Text as="p" variant="bodySm" tone="subdued">{label}</Text>
      <Text as="p" variant="headingLg">{value}</Text>
    </BlockStack>
  );
}

/** Events sent, failed and waiting; how many recent orders carried a click id, email or phone; what to check. */
export function EventsSentCard({ summary }: { summary: Awaited<ReturnType<typeof deliverySummary>> }) {
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">Events sent to TikTok</Text>
          <Link to="/app/events">See every order</Link>
        </InlineStack>
        <InlineGrid columns={{ xs: 2, md: 5 }} gap="300">
          <Stat label="Sent, last 24 hours" value={summary.sent24h} />
          <Stat label="Sent, last 7 days" value={summary.sent7d} />
          <Stat label="Failed, last 7 days" value={summary.failed7d} />
          <Stat label="Expired" value={summary.expired} />
          <Stat label="Waiting / queued" value={`${summary.waiting} / ${summary.queued}`} />
        </InlineGrid>
        <Text as="p" tone="subdued">
          Of {summary.orders7d} order(s) in the last 7 days: {pct(summary.ttclidShare)} had a TikTok click id, {pct(summary.emailShare)} an email, {pct(summary.phoneShare)} a phone.
        </Text>
        {summary.advice.length ? (
          <Banner tone="warning" title="What to check">
            <List>{summary.advice.map((a) => <List.Item key={a}>{a}</List.Item>)}</List>
          </Banner>
        ) : null}
      </BlockStack>
    </Card>
  );
}
