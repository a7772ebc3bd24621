import { Form, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { SetupGuideData } from "~/features/connect/setup-guide.server";

/** Polaris' setup guide pattern: the steps, how many are done, and a way to dismiss it once they are. */
export function SetupGuide({ guide }: { guide: SetupGuideData }) {
  const navigation = useNavigation();
  const total = guide.steps.length;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Setup guide
          </Text>
          <Text as="span" tone="subdued">{`${guide.done} of ${total} steps done`}</Text>
        </InlineStack>
        <ProgressBar progress={Math.round((guide.done / total) * 100)} size="small" tone="success" />
        <ol aria-label="Setup steps" style={{ listStyle: "none", margin: 0, padding: 0 }}>
          {guide.steps.map((step) => (
            <Box as="li" key={step.id} paddingBlock="200">
              <InlineStack gap="300" blockAlign="start" wrap={false}>
                <BlockStack gap="100">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h3" variant="headingSm" tone={step.done ? "subdued" : undefined}>
                      {step.title}
                    </Text>
                    {step.done ? <Badge tone="success">Done</Badge> : step.optional ? <Badge>Optional</Badge> : <Badge tone="attention">To do</Badge>}
                  </InlineStack>
                  {!step.done ? <Text as="p" tone="subdued">{step.help}</Text> : null}
                  {step.action ? (
                    <InlineStack>
                      <Button url={step.action.url} target={step.action.url.startsWith("http") ? "_blank" : undefined}>
                        {step.action.label}
                      </Button>
                    </InlineStack>
                  ) : null}
                </BlockStack>
              </InlineStack>
            </Box>
          ))}
        </ol>
        {guide.complete ? (
          <Form method="post">
            <input type="hidden" name="intent" value="dismiss-setup-guide" />
            <InlineStack align="end">
              <Button submit loading={navigation.state !== "idle" && navigation.formData?.get("intent") === "dismiss-setup-guide"}>
                Dismiss the guide
              </Button>
            </InlineStack>
          </Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}
