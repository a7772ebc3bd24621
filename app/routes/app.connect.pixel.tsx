import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Banner, BlockStack, Button, Card, EmptyState, InlineStack, Text } from "@shopify/polaris";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { choosePixel, listPixelChoices } from "~/features/connect/connect.server";
import { getConnection, NotConnected } from "~/core/connection/session.server";
import { merchantMessage } from "~/core/tiktok/messages";
import { WizardFrame } from "~/components/WizardFrame";
import { titled } from "~/components/page-title";
import { PixelPicker } from "~/components/PixelPicker";
import { storefrontSignals } from "~/features/storefront/embed-status.server";

export const meta = titled("Connect TikTok");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const connection = await getConnection(session.shop);
  if (!connection?.accessTokenEnc || connection.status === "needs_reconnect") throw redirect("/app/connect");
  if (!connection.advertiserId) throw redirect("/app/connect/account");
  try {
    const [pixels, signals] = await Promise.all([listPixelChoices(session.shop), storefrontSignals(session.shop)]);
    // The pixel the storefront embed saw the theme load, when it is one of this account's.
    const suggestedPixelCode = signals.pixelCodes.find((code) => pixels.some((p) => p.pixelCode === code)) ?? null;
    return { pixels, current: connection.pixelCode, advertiserName: connection.advertiserName, suggestedPixelCode, error: null };
  } catch (error) {
    if (error instanceof NotConnected) throw redirect("/app/connect");
    return { pixels: [] as Awaited<ReturnType<typeof listPixelChoices>>, current: connection.pixelCode, advertiserName: connection.advertiserName, suggestedPixelCode: null, error: merchantMessage(error) };
  }
};

const formSchema = z.object({ pixelCode: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "Pick a pixel from the list.") });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const parsed = formSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return { error: parsed.error.issues[0].message };
  try {
    const result = await choosePixel(session.shop, parsed.data.pixelCode);
    if (!result.ok) return { error: result.error };
  } catch (error) {
    return { error: merchantMessage(error) };
  }
  throw redirect("/app/connect/done?step=4");
};

export default function PixelStep() {
  const { pixels, current, advertiserName, suggestedPixelCode, error } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [selected, setSelected] = useState(current ?? "");
  const chosen = pixels.find((p) => p.pixelCode === selected);

  if (error) {
    return (
      <WizardFrame step={3}>
        <Banner tone="critical" title="Could not load the pixels"><p>{error}</p></Banner>
      </WizardFrame>
    );
  }
  if (pixels.length === 0) {
    return (
      <WizardFrame step={3}>
        <Card>
          <EmptyState heading={`${advertiserName ?? "This ad account"} has no pixel`} action={{ content: "Refresh", url: "/app/connect/pixel" }} secondaryAction={{ content: "Choose another ad account", url: "/app/connect/account" }} image="">
            <p>Create a pixel in TikTok Events Manager (Assets › Events › Web Events › Set up web events), then refresh this page.</p>
          </EmptyState>
        </Card>
      </WizardFrame>
    );
  }
  return (
    <WizardFrame step={3}>
      <Card>
        <Form method="post">
          <BlockStack gap="400">
            {actionData?.error ? <Banner tone="critical"><p>{actionData.error}</p></Banner> : null}
            {/* The storefront's detected pixel is not known to the app yet: nothing is suggested. */}
            <PixelPicker pixels={pixels} current={current} suggestedPixelCode={suggestedPixelCode} onChange={setSelected} />
            <Text as="p" tone="subdued">
              Pick the same pixel your storefront's TikTok pixel uses. TikTok only merges the browser and server copies of a
              purchase (so it is counted once) when both arrive on the same pixel with the same event name and event ID.
            </Text>
            <BlockStack gap="100">
              <InlineStack>
                <Button submit variant="primary" disabled={!selected} loading={navigation.state !== "idle"} ariaDescribedBy="save-pixel-help">Save</Button>
              </InlineStack>
              <Text as="p" tone="subdued" id="save-pixel-help">
                {selected ? `Orders will be sent to ${chosen?.pixelName ?? selected}.` : "Choose a pixel above to save."}
              </Text>
            </BlockStack>
          </BlockStack>
        </Form>
      </Card>
    </WizardFrame>
  );
}
