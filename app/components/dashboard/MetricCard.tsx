import type { ReactNode } from "react";
import { Link } from "@remix-run/react";
import { BlockStack, Card, InlineStack, Text } from "@shopify/polaris";

/**
 * One headline number with the days it covers (a figure without its range is ambiguous), a line
 * of context under it and, on Home, a link to the page the number comes from.
 */
export function MetricCard({
  label,
  period,
  value,
  help,
  link,
  change,
}: {
  label: string;
  period: string;
  value: ReactNode;
  help?: string;
  link?: { to: string; label: string };
  /** The change against the previous period, e.g. "+12% vs Oct 8 – Nov 6"; left out when there is nothing to compare. */
  change?: string | null;
}) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {period}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {change ? (
          <Text as="p" variant="bodySm">
            {change}
          </Text>
        ) : null}
        {help ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        ) : null}
        {link ? (
          <InlineStack>
            <Link to={link.to}>{link.label}</Link>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Card>
  );
}
