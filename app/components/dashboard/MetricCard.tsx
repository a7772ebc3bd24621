import type { ReactNode } from "react";
import { BlockStack, Card, Text } from "@shopify/polaris";

/** One headline number of the dashboard, with a line of context under it. */
export function MetricCard({ label, value, help }: { label: string; value: ReactNode; help?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {help ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}
