import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { backfillInProgress, refreshSchedule } from "~/features/spend/sync.server";
import { getConnection, publicConnection } from "~/core/connection/session.server";
import { merchantMessage } from "~/core/tiktok/messages";
import { sendTestEvent } from "~/features/connect/test-event.server";
import { WizardFrame } from "~/components/WizardFrame";
import { StatusHeading } from "~/components/StatusHeading";
import { DisconnectButton } from "~/components/DisconnectButton";
import { connectionPageTitle } from "~/components/AppNav";
import { refreshCadenceText } from "~/components/dashboard/SpendSyncStatus";
import { documentTitle } from "~/components/page-title";

export const meta: MetaFunction = () => [{ title: documentTitle(connectionPageTitle(true)) }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const connection = await getConnection(session.shop);
  if (!connection || connection.status !== "connected") throw redirect("/app/connect");
  // Reached from the wizard's pixel step (?step=4): the same page, with the wizard's last step shown.
  // "Being imported now" only while the connection's 30-day backfill is actually queued or running.
  const [backfilling, schedule] = await Promise.all([backfillInProgress(session.shop), refreshSchedule(session.shop, new Date())]);
  return { connection: publicConnection(connection), backfilling, cadence: schedule?.cadence ?? null, fromWizard: new URL(request.url).searchParams.get("step") === "4" };
};

const formSchema = z.object({
  testEventCode: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, "Paste the test code from TikTok Events Manager › Test Events (letters and digits)."),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { ok: false as const, error: parsed.error.issues[0].message };
  try {
    const answer = await sendTestEvent(session.shop, parsed.data.testEventCode);
    return { ok: true as const, answer };
  } catch (error) {
    return { ok: false as const, error: merchantMessage(error) };
  }
};

export default function DoneStep() {
  const { connection, backfilling, cadence, fromWizard } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [code, setCode] = useState("");
  return (
    <WizardFrame step={fromWizard ? 4 : null} title={connectionPageTitle(true)}>
      <Card>
        <BlockStack gap="200">
          <StatusHeading title="TikTok" tone="success" status="Connected" />
          <Text as="p">Ad account: {connection.advertiserName} ({connection.advertiserId}) · {connection.advertiserCurrency} · {connection.advertiserTimezone}</Text>
          <Text as="p">Pixel: {connection.pixelName} ({connection.pixelCode})</Text>
          <Text as="p" tone="subdued">
            New orders from TikTok ad clicks are now sent as {connection.eventName} events.
            {backfilling ? " The last 30 days of spend are being imported now." : ""}
            {cadence ? ` Spend is ${refreshCadenceText(cadence)}.` : ""}
          </Text>
          <InlineStack gap="200">
            <Button url="/app/dashboard" variant="primary">See spend and ROAS</Button>
            <Button url="/app/settings">Settings</Button>
          </InlineStack>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">Change or disconnect</Text>
          <InlineStack gap="200">
            <Button url="/app/connect/account">Change ad account</Button>
            <Button url="/app/connect/pixel">Change pixel</Button>
            <DisconnectButton />
          </InlineStack>
          <Text as="p" tone="subdued">
            The ad account list shows the accounts you ticked on TikTok&apos;s consent page. To add another, disconnect and connect
            again, then tick more ad accounts on TikTok&apos;s page.
          </Text>
        </BlockStack>
      </Card>
      <Card>
        <Form method="post">
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">Send a test event</Text>
            <Text as="p">In TikTok Events Manager open your pixel › Test Events, copy the test code and paste it here. The event shows up there within a minute.</Text>
            <TextField label="Test event code" name="testEventCode" value={code} onChange={setCode} autoComplete="off" error={result && !result.ok ? result.error : undefined} />
            <InlineStack>
              <Button submit loading={navigation.state !== "idle"} disabled={!code.trim()}>Send test event</Button>
            </InlineStack>
            {result?.ok ? (
              <Banner tone="success" title={`TikTok received a test ${result.answer.eventName} event`}>
                <p>Look for {result.answer.eventName} under Test Events in TikTok Events Manager.{result.answer.requestId ? ` TikTok's reference for this request: ${result.answer.requestId}.` : ""}</p>
              </Banner>
            ) : null}
          </BlockStack>
        </Form>
      </Card>
    </WizardFrame>
  );
}
