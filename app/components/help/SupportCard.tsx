import { BlockStack, Card, Link, List, Text } from "@shopify/polaris";

/** The README's sections a merchant may want, by their GitHub heading anchors (README.md's "## " headings). */
const README_SECTIONS = [
  { label: "What the app does", anchor: "" },
  { label: "Privacy and retention", anchor: "#privacy-and-retention" },
  { label: "What is tested, and how", anchor: "#claims-and-the-commands-behind-them" },
  { label: "Screens", anchor: "#screens" },
];

/** Where to get help: the support address and README the app was deployed with, and where each answer lives in the app. */
export function SupportCard({ supportEmail, docsUrl }: { supportEmail: string | null; docsUrl: string | null }) {
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
        {docsUrl ? (
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">Documentation</Text>
            <List>
              {README_SECTIONS.map((section) => (
                <List.Item key={section.label}>
                  <Link url={`${docsUrl}${section.anchor}`} target="_blank">{section.label}</Link>
                </List.Item>
              ))}
            </List>
          </BlockStack>
        ) : (
          <Text as="p" tone="subdued">No documentation link is configured for this installation of the app.</Text>
        )}
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
