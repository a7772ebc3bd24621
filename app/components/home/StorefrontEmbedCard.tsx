import { useEffect, useState } from "react";
import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { StatusHeading } from "~/components/StatusHeading";

/** Whether the theme app embed is on (App Bridge's answer, else the last click it captured), with the link to switch it on. */
export function StorefrontEmbedCard({ embed }: { embed: { activateUrl: string; lastSignalAt: string | null } }) {
  // Inside Shopify admin, App Bridge can tell whether the theme app embed is switched on.
  const [appBridgeStatus, setAppBridgeStatus] = useState<string | null>(null);
  useEffect(() => {
    const shopify = (window as unknown as { shopify?: { app?: { extensions?: () => Promise<{ handle: string; status: string }[]> } } }).shopify;
    shopify?.app?.extensions?.()
      .then((list) => setAppBridgeStatus(list.find((e) => e.handle === "tiktok-capture")?.status ?? null))
      .catch(() => setAppBridgeStatus(null));
  }, []);
  const on = appBridgeStatus === "active" || (!appBridgeStatus && embed.lastSignalAt);
  return (
    <Card>
      <BlockStack gap="200">
        <StatusHeading title="Storefront embed" tone={on ? "success" : "attention"} status={on ? "On" : appBridgeStatus ? "Off" : "Not seen yet"} />
        <Text as="p">
          The embed keeps TikTok's click id (ttclid) when a shopper lands from an ad and passes it to the order. It does nothing until you switch it on in your theme.
        </Text>
        {embed.lastSignalAt ? <Text as="p" tone="subdued">Last TikTok click captured {new Date(embed.lastSignalAt).toLocaleString()}.</Text> : null}
        <InlineStack>
          <Button url={embed.activateUrl} target="_top">Turn on the app embed</Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
