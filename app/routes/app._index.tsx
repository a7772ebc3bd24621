import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { Banner, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, List, Page, Text } from "@shopify/polaris";
import { authenticate } from "~/core/shopify.server";
import { env } from "~/core/env.server";
import prisma from "~/core/db.server";
import { getConnection, publicConnection } from "~/core/connection/session.server";
import { deliverySummary } from "~/features/events/stats.server";
import { StatusHeading } from "~/components/StatusHeading";

const EMBED_HANDLE = "capture";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [connection, summary, shop] = await Promise.all([
    getConnection(session.shop),
    deliverySummary(session.shop),
    prisma.shop.findUnique({ where: { shop: session.shop }, select: { lastStorefrontSignalAt: true } }),
  ]);
  return {
    shop: session.shop,
    connection: publicConnection(connection),
    summary,
    embed: {
      activateUrl: `https://${session.shop}/admin/themes/current/editor?context=apps&template=index&activateAppId=${env().SHOPIFY_API_KEY}/${EMBED_HANDLE}`,
      lastSignalAt: shop?.lastStorefrontSignalAt?.toISOString() ?? null,
    },
  };
};

const pct = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)}%`);

function ConnectionCard({ connection }: { connection: ReturnType<typeof useLoaderData<typeof loader>>["connection"] }) {
  const navigation = useNavigation();
  if (connection.status === "connected") {
    return (
      <Card>
        <BlockStack gap="200">
          <StatusHeading title="TikTok" tone="success" status="Connected" />
          <Text as="p">Ad account {connection.advertiserName} ({connection.advertiserId}) · pixel {connection.pixelName} ({connection.pixelCode})</Text>
          <Text as="p" tone="subdued">Since {connection.connectedAt ? new Date(connection.connectedAt).toLocaleString() : "—"}</Text>
        </BlockStack>
      </Card>
    );
  }
  if (connection.status === "needs_reconnect") {
    return (
      <Banner tone="critical" title="TikTok needs to be reconnected">
        <BlockStack gap="200">
          <p>TikTok stopped accepting this app's access{connection.lastAuthError ? `: ${connection.lastAuthError.replace(/\.$/, "")}` : ""}. Events are held until you reconnect, then sent, except those of orders more than 7 days old, which expire.</p>
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

function DeliveryProblemBanner({ problem }: { problem: string }) {
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

function EmbedCard({ embed }: { embed: { activateUrl: string; lastSignalAt: string | null } }) {
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

export default function Home() {
  const { connection, summary, embed } = useLoaderData<typeof loader>();
  return (
    <Page title="TikTok Ads">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConnectionCard connection={connection} />
            {connection.deliveryProblem ? <DeliveryProblemBanner problem={connection.deliveryProblem} /> : null}
            <EmbedCard embed={embed} />
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between">
                  <Text as="h2" variant="headingMd">Events sent to TikTok</Text>
                  <Link to="/app/events">See every order</Link>
                </InlineStack>
                <InlineGrid columns={{ xs: 2, md: 5 }} gap="300">
                  <Stat label="Sent, last 24 h" value={summary.sent24h} />
                  <Stat label="Sent, last 7 days" value={summary.sent7d} />
                  <Stat label="Failed, last 7 days" value={summary.failed7d} />
                  <Stat label="Expired" value={summary.expired} />
                  <Stat label="Waiting / queued" value={`${summary.waiting} / ${summary.queued}`} />
                </InlineGrid>
                <Text as="p" tone="subdued">
                  Of {summary.orders7d} order(s) in the last 7 days: {pct(summary.ttclidShare)} had a TikTok click id, {pct(summary.emailShare)} an email, {pct(summary.phoneShare)} a phone.
                </Text>
                {summary.advice.length ? (
                  <Banner tone="warning" title="What to check">
                    <List>{summary.advice.map((a) => <List.Item key={a}>{a}</List.Item>)}</List>
                  </Banner>
                ) : null}
              </BlockStack>
            </Card>
            <DataSentCard eventName={connection.status === "not_connected" ? "CompletePayment" : connection.eventName} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Stat({ label, value }: { label: string; value: number | string }) {
  return (
    <BlockStack gap="100">
      <Text as="p" variant="bodySm" tone="subdued">{label}</Text>
      <Text as="p" variant="headingLg">{value}</Text>
    </BlockStack>
  );
}

function DataSentCard({ eventName }: { eventName: string }) {
  const rows = [
    ["event", eventName, "The purchase event name; the browser pixel must use the same one."],
    ["event_time", "Order time (Unix seconds)", "When the order was placed."],
    ["event_id", "Shopify order ID", "Lets TikTok count a purchase once when the browser pixel reports it too."],
    ["value", "Order total after discounts", "Sent once at order time; later refunds are not sent."],
    ["currency", "Store currency", ""],
    ["email", "SHA-256 hash", "Trimmed and lowercased, then hashed. The address itself is never sent or stored."],
    ["phone", "SHA-256 hash", "Converted to international format (+countrycode), then hashed. Never sent or stored in clear."],
    ["ttclid", "TikTok click id", "From the ad click the shopper came from."],
    ["external_id", "SHA-256 hash of our visitor ID", "A random ID the embed keeps in the shopper's browser; not a fingerprint."],
    ["ip, user_agent", "From the order's browser details", "Help TikTok match the purchase to the ad click."],
  ];
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Data sent to TikTok</Text>
        <Text as="p">Each event contains exactly these fields. Raw email addresses and phone numbers are never transmitted and never stored by this app.</Text>
        <DataTable columnContentTypes={["text", "text", "text"]} headings={["Field", "Value", "Why"]} rows={rows} />
      </BlockStack>
    </Card>
  );
}
