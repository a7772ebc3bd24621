import { BlockStack, Card, InlineStack, List, Text } from "@shopify/polaris";
import type { signalHealth } from "~/features/alerts/signal-score.server";

type Health = NonNullable<Awaited<ReturnType<typeof signalHealth>>>;

const KEY_LABELS: Record<string, string> = {
  ttclid: "TikTok click id",
  email: "email",
  phone: "phone",
  external_id: "visitor id",
  ttp: "_ttp cookie",
  ip: "IP address",
  user_agent: "user agent",
  name_address: "name and address",
};

/**
 * The signal-health score: the last 7 days against the 7 before, day by day, and what would raise
 * it. Its days are UTC days (signal-score.server.ts), unlike the rest of Home, so it says so.
 */
export function SignalHealthCard({ health }: { health: Health | null }) {
  if (!health) return null;
  const change = health.previous === null ? null : health.score - health.previous;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">Signal health</Text>
          <Text as="p" variant="headingLg">{health.score}/100</Text>
        </InlineStack>
        <Text as="p">
          Last 7 UTC days (today included), {health.events} purchase event(s) sent
          {change === null ? "." : change === 0 ? ": the same as the 7 days before." : `: ${change > 0 ? "up" : "down"} ${Math.abs(change)} from ${health.previous} the 7 days before.`}
        </Text>
        <Text as="p" tone="subdued">
          How much of what TikTok matches purchases on the events carried, weighted by this app (
          {Object.entries(health.weights).map(([k, w]) => `${KEY_LABELS[k] ?? k} ${w}`).join(", ")}). TikTok&apos;s own Event Match Quality is in its Events Manager.
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {Object.entries(health.coverage).map(([k, share]) => `${KEY_LABELS[k] ?? k} ${Math.round(share * 100)}%`).join(" · ")}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          Score per UTC day: {health.days.map((d) => `${d.day.slice(5)}: ${d.score}`).join(" · ")}
        </Text>
        {health.advice.length ? (
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">What would raise it</Text>
            <List>{health.advice.map((a) => <List.Item key={a}>{a}</List.Item>)}</List>
          </BlockStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
