import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Banner, BlockStack, Button, Card, ChoiceList, EmptyState, InlineStack, Text } from "@shopify/polaris";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { chooseAdvertiser, listAdvertiserChoices } from "~/features/connect/connect.server";
import { getConnection, NotConnected } from "~/core/connection/session.server";
import { merchantMessage } from "~/core/tiktok/messages";
import { WizardFrame } from "~/components/WizardFrame";
import { shopLocale } from "~/core/models/shop.server";
import { titled } from "~/components/page-title";

export const meta = titled("Connect TikTok");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const connection = await getConnection(session.shop);
  if (!connection?.accessTokenEnc || connection.status === "needs_reconnect") throw redirect("/app/connect");
  const { currency: storeCurrency } = await shopLocale(session.shop);
  try {
    const advertisers = await listAdvertiserChoices(session.shop);
    return { advertisers, current: connection.advertiserId, storeCurrency, error: null };
  } catch (error) {
    if (error instanceof NotConnected) throw redirect("/app/connect");
    return { advertisers: [] as Awaited<ReturnType<typeof listAdvertiserChoices>>, current: connection.advertiserId, storeCurrency, error: merchantMessage(error) };
  }
};

const formSchema = z.object({ advertiserId: z.string().regex(/^\d{1,32}$/, "Pick an ad account from the list.") });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const parsed = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { error: parsed.error.issues[0].message };
  try {
    const result = await chooseAdvertiser(session.shop, parsed.data.advertiserId);
    if (!result.ok) return { error: result.error };
  } catch (error) {
    return { error: merchantMessage(error) };
  }
  throw redirect("/app/connect/pixel");
};

export default function AccountStep() {
  const { advertisers, current, storeCurrency, error } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const preselected = current ?? (advertisers.length === 1 ? advertisers[0].advertiserId : null);
  const [selected, setSelected] = useState<string[]>(preselected ? [preselected] : []);
  const chosen = advertisers.find((a) => a.advertiserId === selected[0]);
  const otherCurrency = chosen?.currency && storeCurrency && chosen.currency !== storeCurrency ? chosen.currency : null;

  if (error) {
    return (
      <WizardFrame step={2}>
        <Banner tone="critical" title="Could not load your TikTok ad accounts">
          <p>{error}</p>
        </Banner>
      </WizardFrame>
    );
  }
  if (advertisers.length === 0) {
    return (
      <WizardFrame step={2}>
        <Card>
          <EmptyState heading="No ad account was authorized" action={{ content: "Connect again", url: "/app/connect" }} image="">
            <p>TikTok did not give this app access to any ad account. Connect again and tick the ad account on TikTok's page.</p>
          </EmptyState>
        </Card>
      </WizardFrame>
    );
  }
  return (
    <WizardFrame step={2}>
      <Card>
        <Form method="post">
          <BlockStack gap="400">
            {actionData?.error ? <Banner tone="critical"><p>{actionData.error}</p></Banner> : null}
            <ChoiceList
              title="Ad account"
              choices={advertisers.map((a) => ({
                label: a.name,
                value: a.advertiserId,
                helpText: `ID ${a.advertiserId} · ${a.currency ?? "currency unknown"} · ${a.timezone ?? "timezone unknown"}`,
              }))}
              selected={selected}
              onChange={setSelected}
            />
            <input type="hidden" name="advertiserId" value={selected[0] ?? ""} />
            <Text as="p" tone="subdued">Spend is reported in this account's currency and time zone days.</Text>
            {otherCurrency ? (
              <Banner tone="warning" title={`This ad account spends in ${otherCurrency}; your store sells in ${storeCurrency}`}>
                <p>
                  Spend and revenue are then shown side by side in their own currencies, and the app does not compute ROAS across
                  the two. Choose an account in {storeCurrency} if you have one.
                </p>
              </Banner>
            ) : null}
            <BlockStack gap="100">
              <InlineStack>
                <Button submit variant="primary" disabled={!selected[0]} loading={navigation.state !== "idle"} ariaDescribedBy="continue-help">Continue</Button>
              </InlineStack>
              <Text as="p" tone="subdued" id="continue-help">
                {selected[0] ? `Next: choose the pixel of ${chosen?.name ?? "this account"}.` : "Choose an ad account above to continue."}
              </Text>
            </BlockStack>
            <Text as="p" tone="subdued">
              Missing an ad account? Only the accounts you ticked on TikTok&apos;s consent page are listed. To add one, disconnect TikTok in
              Settings, connect again and tick more ad accounts on TikTok&apos;s page.
            </Text>
          </BlockStack>
        </Form>
      </Card>
    </WizardFrame>
  );
}
