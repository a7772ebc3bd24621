import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, Form } from "@remix-run/react";
import { useEffect } from "react";
import { Banner, BlockStack, Button, Card, List, Text } from "@shopify/polaris";
import { authenticate } from "~/core/shopify.server";
import { beginOAuth, nextWizardStep } from "~/features/connect/connect.server";
import { getConnection, publicConnection } from "~/core/connection/session.server";
import { HELD_EVENTS_EXCEPT } from "~/features/events/horizon-text";
import { WizardFrame } from "~/components/WizardFrame";
import { titled } from "~/components/page-title";

export const meta = titled("Connect TikTok");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const connection = await getConnection(session.shop);
  const step = nextWizardStep(connection);
  // Resumable: a merchant who left mid-way lands on the step they had reached.
  if (step !== "connect") throw redirect(`/app/connect/${step}`);
  return { connection: publicConnection(connection) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const connection = await getConnection(session.shop);
  // A shop whose stored token cannot be read reconnects too: a fresh token, same account and pixel.
  const purpose = connection?.status === "needs_reconnect" || connection?.deliveryProblem ? "reconnect" : "connect";
  return beginOAuth(session.shop, purpose);
};

export default function ConnectStep() {
  const { connection } = useLoaderData<typeof loader>();
  const started = useActionData<typeof action>();
  const navigation = useNavigation();
  const reconnect = connection.status === "needs_reconnect";

  // TikTok's consent page cannot be shown inside the Shopify admin iframe: leave it for the whole window.
  useEffect(() => {
    if (started?.startUrl) window.open(started.startUrl, "_top");
  }, [started]);

  return (
    <WizardFrame step={1}>
      {reconnect ? (
        <Banner tone="critical" title="TikTok needs to be reconnected">
          <p>
            TikTok stopped accepting this app's access{connection.lastAuthError ? ` (${connection.lastAuthError})` : ""}. Events
            are held: reconnect and they are sent, {HELD_EVENTS_EXCEPT}. Your ad account and pixel stay as they are.
          </p>
        </Banner>
      ) : null}
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {reconnect ? "Reconnect TikTok for Business" : "Connect TikTok for Business"}
          </Text>
          <Text as="p">You will sign in to TikTok for Business and approve access. You never paste a token. On TikTok's page:</Text>
          <List type="number">
            <List.Item>Tick the ad account(s) this store advertises with.</List.Item>
            <List.Item>Approve the permissions (ad account info, reports, pixels, conversion events).</List.Item>
          </List>
          <Form method="post">
            <Button submit variant="primary" loading={navigation.state !== "idle"}>
              {reconnect ? "Reconnect TikTok" : "Connect TikTok"}
            </Button>
          </Form>
        </BlockStack>
      </Card>
    </WizardFrame>
  );
}
