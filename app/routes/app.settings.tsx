import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { Banner, BlockStack, Button, Card, Checkbox, ChoiceList, InlineStack, Layout, Page, Text, TextField } from "@shopify/polaris";
import { authenticate } from "~/core/shopify.server";
import { disconnect, updateSettings } from "~/features/connect/connect.server";
import { attributionWindowDays, settingsSchema, windowHelp } from "~/features/connect/settings-form";
import { getConnection, publicConnection } from "~/core/connection/session.server";
import { ConnectionBanner } from "~/components/ConnectionBanner";
import { DisconnectButton } from "~/components/DisconnectButton";
import { titled } from "~/components/page-title";
import { AlertsCard } from "~/components/settings/AlertsCard";
import { alertEmailField, alertRecipients, saveAlertEmail } from "~/features/alerts/recipients.server";
import { sendTestAlert } from "~/features/alerts/alert-mail.server";
import { mailConfigured } from "~/core/lib/mail.server";

export const meta = titled("Settings");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const recipients = await alertRecipients(session.shop);
  return { connection: publicConnection(await getConnection(session.shop)), alerts: { mailConfigured: mailConfigured(), ...recipients } };
};

type Result = {
  saved: boolean;
  disconnected: boolean;
  revokeFailed?: string;
  appliesAfterReconnect?: boolean;
  alertEmailSaved?: boolean;
  test?: { ok: true; to: string; response: string } | { ok: false; error: string };
  errors: Record<string, string>;
};

export const action = async ({ request }: ActionFunctionArgs): Promise<Result> => {
  const { session } = await authenticate.admin(request);
  const form = Object.fromEntries(await request.formData());
  if (form.intent === "disconnect") {
    const revoke = await disconnect(session.shop);
    return { saved: false, disconnected: true, ...(revoke.revoked ? {} : { revokeFailed: revoke.reason }), errors: {} };
  }
  if (form.intent === "alert-email") {
    const email = alertEmailField.safeParse(typeof form.alertEmail === "string" ? form.alertEmail : "");
    if (!email.success) return { saved: false, disconnected: false, errors: { alertEmail: email.error.issues[0].message } };
    await saveAlertEmail(session.shop, email.data);
    return { saved: false, disconnected: false, alertEmailSaved: true, errors: {} };
  }
  if (form.intent === "test-email") return { saved: false, disconnected: false, test: await sendTestAlert(session.shop), errors: {} };
  if (form.intent !== "save") {
    // No field shows an intent error: say it where the page shows form-level messages.
    return { saved: false, disconnected: false, errors: { form: "This form could not be read. Reload the page and try again." } };
  }
  const parsed = settingsSchema.safeParse(form);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= issue.message;
    return { saved: false, disconnected: false, errors };
  }
  const { intent: _intent, ...settings } = parsed.data;
  const saved = await updateSettings(session.shop, settings);
  if (!saved) return { saved: false, disconnected: false, errors: { form: "Connect TikTok first; settings belong to the connection." } };
  const status = (await getConnection(session.shop))?.status;
  return { saved: true, disconnected: false, appliesAfterReconnect: status !== "connected", errors: {} };
};

const SAVE_BAR_ID = "settings-save-bar";

export default function Settings() {
  const { connection, alerts } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const formRef = useRef<HTMLFormElement>(null);
  const hasConnection = connection.status !== "not_connected";
  const savedDays = String(connection.attributionWindowDays);
  const [days, setDays] = useState(savedDays);
  const [sendMode, setSendMode] = useState<string[]>([connection.sendMode]);
  const [eventName, setEventName] = useState<string[]>([connection.eventName]);
  const [posAndDraft, setPosAndDraft] = useState(connection.includePosAndDraft);
  const [renewals, setRenewals] = useState(connection.sendSubscriptionRenewals);
  const [contentId, setContentId] = useState<string[]>([connection.contentIdType]);
  const [sendWhen, setSendWhen] = useState<string[]>([connection.sendWhen]);
  const [limitedDataUse, setLimitedDataUse] = useState(connection.limitedDataUse);
  const [browserPixel, setBrowserPixel] = useState(connection.browserPixelReportsPurchases);
  const [daysError, setDaysError] = useState<string | undefined>();
  const dirty =
    days !== savedDays ||
    sendMode[0] !== connection.sendMode ||
    eventName[0] !== connection.eventName ||
    posAndDraft !== connection.includePosAndDraft ||
    renewals !== connection.sendSubscriptionRenewals ||
    contentId[0] !== connection.contentIdType ||
    sendWhen[0] !== connection.sendWhen ||
    limitedDataUse !== connection.limitedDataUse ||
    browserPixel !== connection.browserPixelReportsPurchases;
  const saving = navigation.state !== "idle" && navigation.formData?.get("intent") === "save";
  const errors = result?.errors ?? {};
  const justSaved = result?.saved && !dirty;

  // Inside the admin, App Bridge shows Shopify's contextual save bar. Without App Bridge (the
  // local demo and the e2e run outside Shopify) the page shows its own Save and Discard instead.
  const [appBridge, setAppBridge] = useState<boolean | null>(null);
  useEffect(() => setAppBridge(Boolean(window.shopify?.saveBar)), []);
  useEffect(() => {
    if (!window.shopify?.saveBar) return;
    if (dirty && hasConnection) void window.shopify.saveBar.show(SAVE_BAR_ID);
    else void window.shopify.saveBar.hide(SAVE_BAR_ID);
  }, [dirty, hasConnection]);

  // A reload of the action's answer (the server's error) replaces what the field showed while typing.
  useEffect(() => setDaysError(result?.errors.attributionWindowDays), [result]);

  const save = () => {
    if (formRef.current) submit(formRef.current);
  };
  const discard = () => {
    setDays(savedDays);
    setSendMode([connection.sendMode]);
    setEventName([connection.eventName]);
    setPosAndDraft(connection.includePosAndDraft);
    setRenewals(connection.sendSubscriptionRenewals);
    setContentId([connection.contentIdType]);
    setSendWhen([connection.sendWhen]);
    setLimitedDataUse(connection.limitedDataUse);
    setBrowserPixel(connection.browserPixelReportsPurchases);
    setDaysError(undefined);
  };

  return (
    <Page title="Settings" backAction={{ content: "Home", url: "/app" }}>
      {/* App Bridge reads the buttons and shows them in the admin's own bar; the element itself never shows. */}
      <ui-save-bar id={SAVE_BAR_ID} style={{ display: "none" }}>
        <button {...{ variant: "primary" }} type="button" onClick={save} disabled={saving}>Save</button>
        <button type="button" onClick={discard}>Discard</button>
      </ui-save-bar>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConnectionBanner />
            {justSaved ? (
              <Banner tone="success">
                <p>{result.appliesAfterReconnect ? "Settings saved. They apply to orders placed after TikTok is connected again." : "Settings saved. They apply to orders from now on."}</p>
              </Banner>
            ) : null}
            {result?.disconnected ? (
              result.revokeFailed ? (
                <Banner tone="warning">
                  <p>
                    TikTok is disconnected. Sending and spend sync stopped; your history is kept. TikTok did not confirm that it revoked the app's
                    access ({result.revokeFailed}): if you want that access removed at TikTok too, remove this app from the apps your TikTok for
                    Business account has authorized.
                  </p>
                </Banner>
              ) : (
                <Banner tone="info"><p>TikTok is disconnected. TikTok confirmed it revoked the app's access. Sending and spend sync stopped; your history is kept.</p></Banner>
              )
            ) : null}
            {errors.form ? <Banner tone="critical"><p>{errors.form}</p></Banner> : null}
            <Card>
              <Form method="post" ref={formRef} noValidate>
                <input type="hidden" name="intent" value="save" />
                <BlockStack gap="400">
                  {hasConnection && connection.status !== "connected" ? (
                    <Text as="p" tone="subdued">
                      While TikTok is not connected no order is sent. You can still change these settings; they apply to orders placed after you connect again.
                    </Text>
                  ) : null}
                  {!hasConnection ? <Text as="p" tone="subdued">These settings belong to the TikTok connection: connect TikTok first to change them.</Text> : null}
                  <TextField
                    label="Attribution window (days)"
                    name="attributionWindowDays"
                    type="text"
                    inputMode="numeric"
                    value={days}
                    onChange={(value) => {
                      setDays(value);
                      if (daysError && attributionWindowDays.safeParse(value).success) setDaysError(undefined);
                    }}
                    onBlur={() => {
                      const check = attributionWindowDays.safeParse(days);
                      setDaysError(check.success ? undefined : check.error.issues[0].message);
                    }}
                    autoComplete="off"
                    disabled={!hasConnection}
                    error={daysError}
                    helpText={windowHelp(days)}
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
                    disabled={!hasConnection}
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
                    disabled={!hasConnection}
                    error={errors.eventName}
                  />
                  <Text as="p" tone="subdued">
                    TikTok renamed CompletePayment to Purchase in May 2025 and converts the old name on its side, so both count as purchases. Choose the name your storefront&apos;s TikTok pixel sends: TikTok only recognises the pixel&apos;s and this app&apos;s report of one order as the same purchase when the names match.
                  </Text>
                  <ChoiceList
                    title="When a purchase is sent"
                    name="sendWhen"
                    choices={[
                      {
                        label: "At checkout (recommended)",
                        value: "checkout",
                        helpText: "When the order is placed. A TikTok pixel on your storefront reports the purchase then too, and TikTok joins the two reports into one only when they arrive close together.",
                      },
                      {
                        label: "When paid",
                        value: "paid",
                        helpText:
                          "Orders not paid at checkout (cash on delivery, bank transfer, manual payments) wait until Shopify reports them paid; cancelled ones are never sent. Where your storefront's TikTok pixel also reports purchases, it has already counted them at checkout.",
                      },
                    ]}
                    selected={sendWhen}
                    onChange={setSendWhen}
                    disabled={!hasConnection}
                    error={errors.sendWhen}
                  />
                  <Text as="p" tone="subdued">
                    Source: TikTok&apos;s &ldquo;Event deduplication&rdquo; help article (ads.tiktok.com/help/article/event-deduplication): a browser and a server report of one order, with the same pixel, event name and event ID, are merged when they arrive within 5 minutes of each other; a later one within 48 hours of the first is dropped, and the first one received is what TikTok reports.
                  </Text>
                  <ChoiceList
                    title="Product ID sent to TikTok (content_id)"
                    name="contentIdType"
                    choices={[
                      { label: "Variant ID", value: "variant", helpText: "Shopify's id of the variant bought (the default)." },
                      { label: "Product ID", value: "product", helpText: "One id for every variant of a product." },
                      { label: "SKU", value: "sku", helpText: "Your own SKUs; an item without one is sent without an id." },
                    ]}
                    selected={contentId}
                    onChange={setContentId}
                    disabled={!hasConnection}
                    error={errors.contentIdType}
                  />
                  <Text as="p" tone="subdued">
                    It must be the id your TikTok catalog uses for each product. Source: TikTok&apos;s Events API 2.0 parameters page (business-api.tiktok.com/portal/docs?id=1771101151059969), which asks for these ids (content_ids, with contents and content_type) for catalog matching and Video Shopping Ads.
                  </Text>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">Order sources</Text>
                    <input type="hidden" name="includePosAndDraft" value={String(posAndDraft)} />
                    <input type="hidden" name="sendSubscriptionRenewals" value={String(renewals)} />
                    <Checkbox
                      label="Send point of sale and draft orders"
                      checked={posAndDraft}
                      onChange={setPosAndDraft}
                      disabled={!hasConnection}
                      error={errors.includePosAndDraft}
                      helpText="Off by default: in-person sales and orders created in the admin do not follow a TikTok ad click."
                    />
                    <Checkbox
                      label="Send subscription renewals"
                      checked={renewals}
                      onChange={setRenewals}
                      disabled={!hasConnection}
                      error={errors.sendSubscriptionRenewals}
                      helpText="Renewal orders that subscription apps tag “Subscription Recurring Order”. Off by default: a renewal repeats an earlier purchase."
                    />
                  </BlockStack>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">Browser pixel</Text>
                    <input type="hidden" name="browserPixelReportsPurchases" value={String(browserPixel)} />
                    <Checkbox
                      label="A browser pixel on my store also reports purchases to this TikTok pixel"
                      checked={browserPixel}
                      onChange={setBrowserPixel}
                      disabled={!hasConnection}
                      error={errors.browserPixelReportsPurchases}
                      helpText="Turn this on if you added TikTok's pixel as a custom pixel in Shopify's Customer events (see Help). The app sees a TikTok pixel only when your theme loads it while this app's embed is on; with this on, it also sends each purchase only within 47 hours of the order, inside TikTok's 48-hour deduplication window."
                    />
                  </BlockStack>
                  <BlockStack gap="100">
                    <Text as="h3" variant="headingSm">Buyers who opted out of the sale of their data</Text>
                    <input type="hidden" name="limitedDataUse" value={String(limitedDataUse)} />
                    <Checkbox
                      label="Send them with Limited Data Use"
                      checked={limitedDataUse}
                      onChange={setLimitedDataUse}
                      disabled={!hasConnection}
                      error={errors.limitedDataUse}
                      helpText="Off by default: a buyer who opted out of the sale or sharing of their data in your store's privacy banner (a right in several US states) is not sent. On: their purchase is sent with TikTok's limited_data_use flag, which asks TikTok to restrict how it uses the event. A buyer who declined marketing is never sent either way."
                    />
                  </BlockStack>
                  {appBridge === false && hasConnection ? (
                    <InlineStack gap="200" align="end">
                      <Button onClick={discard} disabled={!dirty || saving}>Discard</Button>
                      <Button submit variant="primary" loading={saving} disabled={!dirty}>Save</Button>
                    </InlineStack>
                  ) : null}
                </BlockStack>
              </Form>
            </Card>
            <AlertsCard alerts={alerts} result={result} />
            {hasConnection && connection.status !== "disconnected" ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">Ad account and pixel</Text>
                  <Text as="p">{connection.advertiserName ?? "No ad account chosen"} · {connection.pixelName ?? "no pixel chosen"}</Text>
                  <InlineStack gap="200">
                    <Button url="/app/connect">Manage the TikTok connection</Button>
                    <DisconnectButton />
                  </InlineStack>
                  <Text as="p" tone="subdued">Disconnecting asks TikTok to revoke the app's access and stops sending and spend sync. Your history stays.</Text>
                </BlockStack>
              </Card>
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
