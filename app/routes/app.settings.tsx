import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Banner, BlockStack, Button, Card, Checkbox, ChoiceList, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { disconnect, updateSettings } from "~/features/connect/connect.server";
import { getConnection, publicConnection } from "~/core/connection/session.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { connection: publicConnection(await getConnection(session.shop)) };
};

const settingsSchema = z.object({
  intent: z.literal("save"),
  attributionWindowDays: z.coerce
    .number({ invalid_type_error: "Enter a number of days." })
    .int("Enter a whole number of days.")
    .min(1, "The attribution window is 1 to 90 days.")
    .max(90, "The attribution window is 1 to 90 days."),
  sendMode: z.enum(["attributed", "all"], { errorMap: () => ({ message: "Choose which orders to send." }) }),
  eventName: z.enum(["CompletePayment", "Purchase"], { errorMap: () => ({ message: "Choose CompletePayment or Purchase." }) }),
  // Order sources (issue 13): "true"/"false" from hidden fields; a form without them leaves them as they are.
  includePosAndDraft: z
    .enum(["true", "false"], { errorMap: () => ({ message: "Choose whether to send POS and draft orders." }) })
    .transform((v) => v === "true")
    .optional(),
  sendSubscriptionRenewals: z
    .enum(["true", "false"], { errorMap: () => ({ message: "Choose whether to send subscription renewals." }) })
    .transform((v) => v === "true")
    .optional(),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = Object.fromEntries(await request.formData());
  if (form.intent === "disconnect") {
    await disconnect(session.shop);
    return { saved: false, disconnected: true, errors: {} as Record<string, string> };
  }
  if (form.intent !== "save") {
    // No field shows an intent error: say it where the page shows form-level messages.
    return { saved: false, disconnected: false, errors: { form: "This form could not be read. Reload the page and try again." } as Record<string, string> };
  }
  const parsed = settingsSchema.safeParse(form);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    return { saved: false, disconnected: false, errors };
  }
  const { intent: _intent, ...settings } = parsed.data;
  const saved = await updateSettings(session.shop, settings);
  return { saved, disconnected: false, errors: saved ? {} : { form: "Connect TikTok first; settings belong to the connection." } };
};

export default function Settings() {
  const { connection } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const hasConnection = connection.status !== "not_connected";
  const [days, setDays] = useState(String(hasConnection ? connection.attributionWindowDays : 30));
  const [sendMode, setSendMode] = useState<string[]>([hasConnection ? connection.sendMode : "attributed"]);
  const [eventName, setEventName] = useState<string[]>([hasConnection ? connection.eventName : "CompletePayment"]);
  const [posAndDraft, setPosAndDraft] = useState(hasConnection ? connection.includePosAndDraft : false);
  const [renewals, setRenewals] = useState(hasConnection ? connection.sendSubscriptionRenewals : false);
  const errors = result?.errors ?? {};

  return (
    <Page title="Settings" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result?.saved ? <Banner tone="success"><p>Settings saved.</p></Banner> : null}
            {result?.disconnected ? <Banner tone="info"><p>TikTok is disconnected. Sending and spend sync stopped; your history is kept.</p></Banner> : null}
            {errors.form ? <Banner tone="critical"><p>{errors.form}</p></Banner> : null}
            <Card>
              <Form method="post">
                <input type="hidden" name="intent" value="save" />
                <BlockStack gap="400">
                  <TextField
                    label="Attribution window (days)"
                    name="attributionWindowDays"
                    type="number"
                    min={1}
                    max={90}
                    value={days}
                    onChange={setDays}
                    autoComplete="off"
                    error={errors.attributionWindowDays}
                    helpText={
                      Number(days) > 28
                        ? "Longer than TikTok's longest click-through window (28 days): we keep the click and send the order, but TikTok may not credit clicks older than its own window."
                        : "Orders are credited to a TikTok click made within this many days before the order."
                    }
                  />
                  <ChoiceList
                    title="Orders to send"
                    name="sendMode"
                    choices={[
                      { label: "Attributed orders only", value: "attributed", helpText: "Orders from a TikTok ad click (recommended)." },
                      { label: "All orders", value: "all", helpText: "Gives TikTok more data to optimise delivery; orders without a click are matched by hashed email and phone." },
                    ]}
                    selected={sendMode}
                    onChange={setSendMode}
                    error={errors.sendMode}
                  />
                  <ChoiceList
                    title="Event name"
                    name="eventName"
                    choices={[
                      { label: "CompletePayment", value: "CompletePayment" },
                      { label: "Purchase", value: "Purchase" },
                    ]}
                    selected={eventName}
                    onChange={setEventName}
                    error={errors.eventName}
                  />
                  <Text as="p" tone="subdued">TikTok renamed CompletePayment to Purchase in May 2025 and converts the old name on its side, so both count as purchases. Choose the name your storefront's TikTok pixel sends: TikTok only recognises the pixel's and this app's report of one order as the same purchase when the names match.</Text>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">Order sources</Text>
                    <input type="hidden" name="includePosAndDraft" value={String(posAndDraft)} />
                    <input type="hidden" name="sendSubscriptionRenewals" value={String(renewals)} />
                    <Checkbox
                      label="Send point of sale and draft orders"
                      checked={posAndDraft}
                      onChange={setPosAndDraft}
                      error={errors.includePosAndDraft}
                      helpText="Off by default: in-person sales and orders created in the admin do not follow a TikTok ad click."
                    />
                    <Checkbox
                      label="Send subscription renewals"
                      checked={renewals}
                      onChange={setRenewals}
                      error={errors.sendSubscriptionRenewals}
                      helpText="Renewal orders that subscription apps tag “Subscription Recurring Order”. Off by default: a renewal repeats an earlier purchase."
                    />
                  </BlockStack>
                  <InlineStack>
                    <Button submit variant="primary" loading={navigation.state !== "idle"} disabled={!hasConnection}>Save</Button>
                  </InlineStack>
                </BlockStack>
              </Form>
            </Card>
            {hasConnection && connection.status !== "disconnected" ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">Ad account and pixel</Text>
                  <Text as="p">{connection.advertiserName ?? "No ad account chosen"} · {connection.pixelName ?? "no pixel chosen"}</Text>
                  <InlineStack gap="200">
                    <Button url="/app/connect/account">Change ad account</Button>
                    <Button url="/app/connect/pixel">Change pixel</Button>
                  </InlineStack>
                  <Form method="post">
                    <input type="hidden" name="intent" value="disconnect" />
                    <Button submit tone="critical">Disconnect TikTok</Button>
                  </Form>
                  <Text as="p" tone="subdued">Disconnecting revokes the app's access at TikTok and stops sending and spend sync. Your history stays.</Text>
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
