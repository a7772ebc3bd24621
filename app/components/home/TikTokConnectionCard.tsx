import { Form, Link, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { publicConnection } from "~/core/connection/session.server";
import { StatusHeading } from "~/components/StatusHeading";
import { formatInZone } from "~/components/format";
import { HELD_EVENTS_EXCEPT } from "~/features/events/horizon-text";

/** Whether TikTok is connected (ad account, pixel, since when), needs reconnecting, or is not set up yet. */
export function TikTokConnectionCard({ connection, timeZone }: { connection: ReturnType<typeof publicConnection>; timeZone: string }) {
  const navigation = useNavigation();
  if (connection.status === "connected") {
    return (
      <Card>
        <BlockStack gap="200">
          <StatusHeading title="TikTok" tone="success" status="Connected" />
          <Text as="p">Ad account {connection.advertiserName} ({connection.advertiserId}) · pixel {connection.pixelName} ({connection.pixelCode})</Text>
          <Text as="p" tone="subdued">Since {connection.connectedAt ? formatInZone(connection.connectedAt, timeZone) : "—"}</Text>
        </BlockStack>
      </Card>
    );
  }
  if (connection.status === "needs_reconnect") {
    return (
      <Banner tone="critical" title="TikTok needs to be reconnected">
        <BlockStack gap="200">
          <p>TikTok stopped accepting this app's access{connection.lastAuthError ? `: ${connection.lastAuthError.replace(/\.$/, "")}` : ""}. Events are held until you reconnect, then sent, {HELD_EVENTS_EXCEPT}.</p>
          <Form method="post" action="/app/connect">
            <Button submit variant="primary" loading={navigation.state !== "idle"}>Reconnect</Button>
          </Form>
        </BlockStack>
      </Banner>
    );
  }
  const pending = connection.status === "pending";
  return (
    <Card>
      <BlockStack gap="200">
        <StatusHeading title="TikTok" status={pending ? "Setup not finished" : connection.status === "disconnected" ? "Disconnected" : "Not connected"} />
        <Text as="p">Connect your TikTok for Business ad account to send purchases to TikTok and see your spend here.</Text>
        <InlineStack>
          <Link to="/app/connect"><Button variant="primary">{pending ? "Continue setup" : "Connect TikTok"}</Button></Link>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
