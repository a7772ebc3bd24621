import { BlockStack, Card, Link, List, Text } from "@shopify/polaris";

/** TikTok's deduplication rule and what the merchant's browser pixel must send for it to apply. */
export function DeduplicationCard({ eventName }: { eventName: string }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">Counting each purchase once</Text>
        <Text as="p">
          TikTok counts two reports of a purchase as one when they come to the same pixel with the same event name and the same event_id within 48 hours
          (source: TikTok Ads Manager help,{" "}
          <Link url="https://ads.tiktok.com/help/article/event-deduplication" target="_blank">
            “Event deduplication”
          </Link>
          ). Where your storefront loads the selected pixel, this app sends an order's event only within 47 hours of the order, so its report
          always falls inside that window; later, it marks the event Expired instead of letting TikTok count the purchase twice.
        </Text>
        <Text as="p">If your storefront also has TikTok's browser pixel, its purchase event must send:</Text>
        <List>
          <List.Item>the same pixel this app sends to;</List.Item>
          <List.Item>the event name {eventName};</List.Item>
          <List.Item>event_id set to the Shopify order ID (the number in the order's admin URL), which is the event_id this app sends.</List.Item>
        </List>
        <Text as="p" tone="subdued">Without that event_id, TikTok cannot tell the two reports apart and counts the purchase twice.</Text>
      </BlockStack>
    </Card>
  );
}
