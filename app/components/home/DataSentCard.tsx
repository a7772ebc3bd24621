import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { RETENTION_SENTENCE } from "~/features/privacy/retention";

/** Every field an event sends to TikTok, and how personal data is hashed. */
export function DataSentCard({ eventName }: { eventName: string }) {
  const rows = [
    ["event", eventName, "The purchase event name; the browser pixel must use the same one."],
    ["event_time", "Order time (Unix seconds)", "When the order was placed."],
    ["event_id", "Shopify order ID", "Lets TikTok count a purchase once when the browser pixel reports it too."],
    ["value", "Order total after discounts", "Sent once at order time; later refunds are not sent."],
    ["currency", "Store currency", ""],
    ["email", "SHA-256 hash", "Trimmed and lowercased, then hashed. The address itself is never sent or stored."],
    ["phone", "SHA-256 hash", "Converted to international format (+countrycode), then hashed. Never sent or stored in clear."],
    ["ttclid", "TikTok click id", "From the ad click the shopper came from."],
    ["external_id", "SHA-256 hash of our visitor ID", "A random ID the embed keeps in the shopper's browser; not a fingerprint."],
    ["ip, user_agent", "From the order's browser details", "Online checkouts only, and never a private or placeholder address: they help TikTok match the purchase to the ad click."],
  ];
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Data sent to TikTok</Text>
        <Text as="p">Each event contains exactly these fields. Raw email addresses and phone numbers are never transmitted and never stored by this app.</Text>
        <DataTable columnContentTypes={["text", "text", "text"]} headings={["Field", "Value", "Why"]} rows={rows} />
        <Text as="p" variant="bodySm" tone="subdued">{RETENTION_SENTENCE}</Text>
      </BlockStack>
    </Card>
  );
}
