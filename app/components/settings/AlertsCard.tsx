import { Form, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Banner, BlockStack, Button, Card, InlineStack, Text, TextField } from "@shopify/polaris";

type Alerts = { mailConfigured: boolean; chosen: string | null; contactEmail: string | null };
type Result = { alertEmailSaved?: boolean; test?: { ok: true; to: string; response: string } | { ok: false; error: string }; errors: Record<string, string> };

/** Settings: where alert emails go, and a test send that shows what the mail server answered. */
export function AlertsCard({ alerts, result }: { alerts: Alerts; result: Result | undefined }) {
  const navigation = useNavigation();
  const [email, setEmail] = useState(alerts.chosen ?? "");
  const busy = (intent: string) => navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
  const recipient = alerts.chosen ?? alerts.contactEmail;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Email alerts</Text>
        {alerts.mailConfigured ? (
          <Text as="p">
            When something stops working (TikTok needs reconnecting, events are not delivered, spend stops syncing, the app embed is off…) one email goes to{" "}
            {recipient ? <strong>{recipient}</strong> : "the address below"} when it starts and one when it is over. Home shows it meanwhile. Disconnecting
            TikTok or uninstalling the app ends what is open without that second email.
          </Text>
        ) : (
          <Banner tone="info">
            <p>Email alerts are off: the app&apos;s server has no mail server configured (SMTP_URL). Problems are shown in the app only, at the top of Home.</p>
          </Banner>
        )}
        {result?.alertEmailSaved ? <Banner tone="success"><p>Alert address saved.</p></Banner> : null}
        {result?.test ? (
          result.test.ok ? (
            <Banner tone="success"><p>Test email sent to {result.test.to}. The mail server answered: {result.test.response}</p></Banner>
          ) : (
            <Banner tone="critical"><p>The test email was not sent: {result.test.error}</p></Banner>
          )
        ) : null}
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="alert-email" />
          <BlockStack gap="200">
            <TextField
              label="Send alerts to"
              name="alertEmail"
              type="email"
              value={email}
              onChange={setEmail}
              autoComplete="email"
              placeholder={alerts.contactEmail ?? "you@example.com"}
              helpText={alerts.contactEmail ? `Empty: the store owner's email in Shopify, ${alerts.contactEmail}.` : "Shopify gave the app no store owner email: enter an address."}
              error={result?.errors.alertEmail}
            />
            <InlineStack gap="200">
              <Button submit loading={busy("alert-email")}>Set alert address</Button>
            </InlineStack>
          </BlockStack>
        </Form>
        {alerts.mailConfigured ? (
          <Form method="post">
            <input type="hidden" name="intent" value="test-email" />
            <Button submit loading={busy("test-email")} disabled={!recipient}>Send test email</Button>
          </Form>
        ) : null}
      </BlockStack>
    </Card>
  );
}
