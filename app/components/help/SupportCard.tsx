import { BlockStack, Card, Link, List, Text } from "@shopify/polaris";

/** Where to get help: the support address the app was deployed with, and where each answer lives in the app. */
export function SupportCard({ supportEmail }: { supportEmail: string | null }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">Troubleshooting and support</Text>
        <List>
          <List.Item>
            An order not sent, or sent late: open <Link url="/app/events">Events</Link>, search for the order, and read its reason and TikTok&apos;s own answer.
          </List.Item>
          <List.Item>
            TikTok&apos;s numbers differ from this app&apos;s: <Link url="/app/dashboard">Spend &amp; ROAS</Link> puts TikTok&apos;s purchases beside the orders this app sent, and says
            why they differ.
          </List.Item>
          <List.Item>
            No TikTok click on orders: check Home&apos;s setup guide (the storefront embed must be on in your theme), and that your ads link to your store
            without removing URL parameters.
          </List.Item>
          <List.Item>
            TikTok disconnected or asking to reconnect: use Reconnect on Home; held events are sent after it.
          </List.Item>
        </List>
        {supportEmail ? (
          <Text as="p">
            Still stuck? Write to <Link url={`mailto:${supportEmail}`}>{supportEmail}</Link> with the order number and, from the order page, TikTok&apos;s request id.
          </Text>
        ) : (
          <Text as="p" tone="subdued">No support address is configured for this installation of the app.</Text>
        )}
      </BlockStack>
    </Card>
  );
}
