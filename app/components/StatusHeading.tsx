import { Badge, InlineStack, Text } from "@shopify/polaris";

type Tone = "success" | "attention" | "critical" | "info" | undefined;

/** A card title with its state as a badge: "TikTok · Connected", "Storefront embed · On". */
export function StatusHeading({ title, status, tone }: { title: string; status: string; tone?: Tone }) {
  return (
    <InlineStack gap="200" blockAlign="center">
      <Text as="h2" variant="headingMd">{title}</Text>
      <Badge tone={tone}>{status}</Badge>
    </InlineStack>
  );
}
