import { BlockStack, Card, List, Text } from "@shopify/polaris";
import { PlainTable } from "~/components/PlainTable";
import { RETENTION_SENTENCE } from "~/features/privacy/retention";
import { EVENT_FIELDS, FIELD_SOURCES } from "~/features/events/event-fields";

/** Every field an order's event can send to TikTok, from the event builder's own list (event-fields.ts). */
export function DataSentCard({ eventName }: { eventName: string }) {
  const keys = Object.keys(FIELD_SOURCES) as (keyof typeof FIELD_SOURCES)[];
  const cite = (sources: readonly (keyof typeof FIELD_SOURCES)[] | undefined) => (sources?.length ? ` (source ${sources.map((k) => keys.indexOf(k) + 1).sort((a, b) => a - b).join(", ")})` : "");
  const rows = EVENT_FIELDS.map((f) => [f.path, `${f.path === "event" ? `${eventName}: ${f.holds}` : f.holds}${cite(f.sources)}`, f.leftOut ?? "Always sent"]);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Data sent to TikTok</Text>
        <Text as="p">
          Each order's event contains at most these fields; the last column says when one is left out. Raw email addresses and phone numbers are never transmitted and never stored by this app.
        </Text>
        <PlainTable label="Data sent to TikTok" headings={["Field", "What it holds", "Left out when"]} rows={rows} />
        <Text as="h3" variant="headingSm">Sources</Text>
        <List type="number">
          {keys.map((k) => (
            <List.Item key={k}>{FIELD_SOURCES[k]}</List.Item>
          ))}
        </List>
        <Text as="p" variant="bodySm" tone="subdued">{RETENTION_SENTENCE}</Text>
      </BlockStack>
    </Card>
  );
}
