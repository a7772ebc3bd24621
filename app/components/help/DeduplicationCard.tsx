import { Box, BlockStack, Card, Link, List, Text } from "@shopify/polaris";

type Props = {
  eventName: string;
  /** The recipe for this connection (features/events/pixel-recipe.ts). */
  recipe: string;
  /** The TikTok pixel this app sends to, when one is chosen. */
  pixelCode: string | null;
};

/** TikTok's deduplication rule, what a browser pixel must send for it to apply, and what cannot be aligned. */
export function DeduplicationCard({ eventName, recipe, pixelCode }: Props) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Counting each purchase once</Text>
        <Text as="p">
          TikTok counts two reports of a purchase as one when they come to the same pixel with the same event name and the same event_id within 48 hours
          (source: TikTok Ads Manager help,{" "}
          <Link url="https://ads.tiktok.com/help/article/event-deduplication" target="_blank">
            “Event deduplication”
          </Link>
          ). Where a browser pixel reports purchases to the pixel this app sends to, the app sends an order's event only within 47 hours of the order, so its
          report always falls inside that window; later, it marks the event Expired instead of letting TikTok count the purchase twice. The app knows of a
          browser pixel when your theme loads it while this app&apos;s embed is on in the theme (the embed reports the TikTok pixels a page loaded, and what it saw
          counts for 7 days), or when you say so in Settings (Browser pixel).
        </Text>
        <Text as="p">A TikTok browser pixel on your store must send, for each purchase:</Text>
        <List>
          <List.Item>the same pixel this app sends to{pixelCode ? ` (${pixelCode})` : ""};</List.Item>
          <List.Item>the event name {eventName};</List.Item>
          <List.Item>event_id set to the Shopify order ID (the number in the order's admin URL), which is the event_id this app sends.</List.Item>
        </List>
        <Text as="p" tone="subdued">Without that event_id, TikTok cannot tell the two reports apart and counts the purchase twice.</Text>

        <Text as="h3" variant="headingSm">A custom pixel that sends the same event_id</Text>
        <List type="number">
          <List.Item>In Shopify admin, open Settings › Customer events and add a custom pixel.</List.Item>
          <List.Item>Paste TikTok's pixel base code for {pixelCode ?? "the pixel this app sends to"} (TikTok Events Manager › your pixel › set up manually).</List.Item>
          <List.Item>Below it, paste the code that follows, then save and connect the pixel.</List.Item>
          <List.Item>In this app's Settings, turn on “A browser pixel on my store also reports purchases to this TikTok pixel”: the app cannot see a custom pixel, which Shopify runs apart from your theme.</List.Item>
        </List>
        <Box background="bg-surface-secondary" padding="300" borderRadius="200">
          {/* Focusable: a keyboard user can scroll the long lines. */}
          <pre tabIndex={0} aria-label="Custom pixel code" style={{ margin: 0, fontSize: 12, lineHeight: 1.5, whiteSpace: "pre", overflowX: "auto" }}>
            <code>{recipe}</code>
          </pre>
        </Box>
        <Text as="p" tone="subdued">
          It uses Shopify's checkout_completed event, which fires once per checkout with the order's ID, and TikTok's third argument to ttq.track for the
          event_id. The content IDs follow the product ID kind chosen in Settings, so they match what this app sends.
        </Text>

        <Text as="h3" variant="headingSm">TikTok's own Shopify app</Text>
        <Text as="p">
          TikTok's sales channel app for Shopify installs a browser pixel of its own. TikTok does not document which event_id its purchase event carries, and
          you cannot set it, so it cannot be aligned with this app. If both report purchases to the same TikTok pixel, TikTok may count those purchases twice.
          To avoid it, send this app's events to a pixel the sales channel does not use (change the pixel on the TikTok connection page), or stop the sales
          channel's pixel from reporting to this one and use the custom pixel above instead.
        </Text>
      </BlockStack>
    </Card>
  );
}
