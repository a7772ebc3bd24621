import { Form, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button } from "@shopify/polaris";

/** One shop's events are held because of a problem on our side (docs/decisions/0016): what happened and what to do. */
export function DeliveryProblemBanner({ problem }: { problem: string }) {
  const navigation = useNavigation();
  return (
    <Banner tone="critical" title="Events are not being sent to TikTok">
      <BlockStack gap="200">
        <p>{problem}</p>
        <Form method="post" action="/app/connect">
          <Button submit loading={navigation.state !== "idle"}>Reconnect TikTok</Button>
        </Form>
      </BlockStack>
    </Banner>
  );
}
