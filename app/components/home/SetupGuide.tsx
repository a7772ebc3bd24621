import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { SetupGuideData } from "~/features/connect/setup-guide.server";

/**
 * Polaris' setup guide pattern: the steps, how many of the required ones are done, and a way to
 * dismiss it once they are. Dismissing answers in the card: a refusal says why.
 */
export function SetupGuide({ guide }: { guide: SetupGuideData }) {
  const fetcher = useFetcher<{ ok: boolean; message?: string }>();
  const total = guide.total;
  const refused = fetcher.state === "idle" && fetcher.data && !fetcher.data.ok ? fetcher.data.message : null;
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
                    {step.optional ? <Badge>{step.done ? "Found · optional" : "Optional"}</Badge> : step.done ? <Badge tone="success">Done</Badge> : <Badge tone="attention">To do</Badge>}
                  </InlineStack>
                  {!step.done || step.optional ? <Text as="p" tone="subdued">{step.help}</Text> : null}
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
        {refused ? <Banner tone="warning"><p>{refused}</p></Banner> : null}
        {guide.complete ? (
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="dismiss-setup-guide" />
            <InlineStack align="end">
              <Button submit loading={fetcher.state !== "idle"}>
                Dismiss the guide
              </Button>
            </InlineStack>
          </fetcher.Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}
