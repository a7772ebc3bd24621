import { Text, Tooltip } from "@shopify/polaris";

/** A dash where a number cannot be given, with the reason on hover. */
export function UnknownValue({ why }: { why: string }) {
  return (
    <Tooltip content={why}>
      <Text as="span" tone="subdued">
        —
      </Text>
    </Tooltip>
  );
}
