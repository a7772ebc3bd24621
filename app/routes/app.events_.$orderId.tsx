import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DescriptionList, InlineStack, Layout, List, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { orderDetail, resendFromForm } from "~/features/events/stats.server";
import { getConnection } from "~/core/connection/session.server";
import { ConnectionBanner } from "~/components/ConnectionBanner";
import { MATCH_KEY_LABEL, MatchKeys } from "~/components/MatchKeys";
import { ResendControl, SOURCE_LABEL, STATUS_LABEL } from "~/components/OrderEventItem";
import { formatInZone, formatMoneyWithCode } from "~/components/format";
import { documentTitle } from "~/components/page-title";

const paramsSchema = z.object({ orderId: z.string().regex(/^\d{1,20}$/) });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = paramsSchema.safeParse(params);
  const order = parsed.success ? await orderDetail(session.shop, parsed.data.orderId, (await getConnection(session.shop))?.status ?? null) : null;
  if (!order) throw new Response("This store has no such order.", { status: 404 });
  return { order };
};

/** Resend from the order page: answered here, so the merchant stays on the order. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return resendFromForm(session.shop, await request.formData());
};

const orderTitle = (o: { orderName: string | null; orderId: string }) => `Order ${o.orderName ?? o.orderId}`;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: documentTitle(data ? orderTitle(data.order) : "Order not found") }];

type Payload = {
  event?: string;
  event_time?: number;
  event_id?: string;
  user?: Record<string, unknown>;
  properties?: { value?: number; currency?: string; contents?: Array<{ content_name?: string; content_id?: string; quantity?: number }> };
  page?: { url?: string };
};

/** How each customer field went to TikTok, in plain words. */
const USER_FIELD_SENT: Record<string, string> = {
  email: "Sent as a SHA-256 hash (TikTok cannot read it back)",
  phone: "Sent as a SHA-256 hash (TikTok cannot read it back)",
  external_id: "Sent as a SHA-256 hash of the storefront visitor ID",
  ttclid: "Sent: the TikTok ad click id from the storefront",
  ttp: "Sent: TikTok's browser cookie",
  first_name: "Sent as a SHA-256 hash of the buyer's first name",
  last_name: "Sent as a SHA-256 hash of the buyer's last name",
  zip_code: "Sent as a SHA-256 hash of the postal code",
  city: "Sent: the city, lowercased",
  state: "Sent: the province or state, lowercased",
  country: "Sent: the country code, lowercased",
  ip: "Sent: the buyer's IP address at checkout",
  user_agent: "Sent: the buyer's browser at checkout",
  locale: "Sent: the buyer's storefront language",
};

export default function EventDetail() {
  const { order } = useLoaderData<typeof loader>();
  const tz = order.timeZone;
  const e = order.event;
  const payload = (e?.payload ?? {}) as Payload;
  const status = STATUS_LABEL[order.status];

  const sentItems = e
    ? [
        { term: "Event", description: `${payload.event ?? e.eventName} on pixel ${e.pixelCode}` },
        { term: "Event ID", description: `${payload.event_id ?? e.eventId} (the order's id: TikTok counts a purchase with the same ID once)` },
        { term: "Time of purchase", description: payload.event_time ? formatInZone(new Date(payload.event_time * 1000).toISOString(), tz) : "—" },
        { term: "Value", description: formatMoneyWithCode(payload.properties?.value ?? null, payload.properties?.currency ?? null) },
        {
          term: "Products",
          description: payload.properties?.contents?.length
            ? payload.properties.contents.map((c) => `${c.content_name ?? c.content_id ?? "Item"} × ${c.quantity ?? 1}`).join(", ")
            : "None listed",
        },
        ...Object.keys(MATCH_KEY_LABEL).map((key) => ({
          term: MATCH_KEY_LABEL[key],
          description: payload.user && key in payload.user ? USER_FIELD_SENT[key] : "Not sent (not on the order or not captured)",
        })),
        { term: "Landing page", description: payload.page?.url ? "Sent: the page the buyer landed on" : "Not sent" },
      ]
    : [];

  return (
    <Page
      title={orderTitle(order)}
      titleMetadata={<Badge tone={status?.tone}>{status?.label ?? order.status}</Badge>}
      subtitle={`${formatMoneyWithCode(order.value, order.currency)} · placed ${formatInZone(order.createdAt, tz)}`}
      backAction={{ content: "Events", url: "/app/events" }}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConnectionBanner />
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">Order</Text>
                <Text as="p">Attribution: {order.attributionSource ? SOURCE_LABEL[order.attributionSource] : "none"}</Text>
                <Text as="p">Match keys: <MatchKeys keys={order.matchKeys} /></Text>
                {order.reason ? <Text as="p" tone="subdued">{order.reason}</Text> : null}
                <InlineStack>
                  {/* Inside the admin, shopify:// links open the admin's own page; _top leaves the app's iframe. */}
                  <Button url={`shopify://admin/orders/${order.orderId}`} target="_top">Open the order in Shopify</Button>
                </InlineStack>
              </BlockStack>
            </Card>
            {e ? (
              <>
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">What was sent to TikTok</Text>
                    <DescriptionList items={sentItems} />
                  </BlockStack>
                </Card>
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">TikTok&apos;s answer</Text>
                    {e.status === "sent" ? (
                      <Text as="p">Accepted by TikTok {e.sentAt ? formatInZone(e.sentAt, tz) : ""}.{e.lastError ? ` TikTok noted: ${e.lastError}` : ""}</Text>
                    ) : e.lastError ? (
                      <Text as="p">{e.lastError}</Text>
                    ) : (
                      <Text as="p">No answer yet.</Text>
                    )}
                    {/* A failed event's advice goes with its Resend; the control stays mounted to show a Resend's answer once the event is queued. */}
                    {e.status !== "failed" && e.advice ? <Text as="p" tone="subdued">{e.advice}</Text> : null}
                    <ResendControl event={e} />
                    {e.tiktokRequestId ? <Text as="p" tone="subdued">TikTok request id (for TikTok support): {e.tiktokRequestId}</Text> : null}
                  </BlockStack>
                </Card>
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">Timeline</Text>
                    <List>
                      <List.Item>{formatInZone(order.createdAt, tz)}: order placed</List.Item>
                      <List.Item>{formatInZone(e.createdAt, tz)}: queued for TikTok</List.Item>
                      {e.attempts > 0 ? (
                        <List.Item>
                          {e.attempts} unsuccessful attempt{e.attempts === 1 ? "" : "s"}
                          {e.status !== "sent" ? `, the last one by ${formatInZone(e.updatedAt, tz)}` : " before TikTok accepted it"}
                        </List.Item>
                      ) : null}
                      {e.status === "queued" ? <List.Item>{formatInZone(e.nextAttemptAt, tz)}: next attempt</List.Item> : null}
                      {e.status === "waiting_reconnect" ? <List.Item>Waiting: sent as soon as TikTok is reconnected</List.Item> : null}
                      {e.sentAt ? <List.Item>{formatInZone(e.sentAt, tz)}: accepted by TikTok</List.Item> : null}
                    </List>
                    <Text as="p" variant="bodySm" tone="subdued">Times in {tz ?? "UTC"}.</Text>
                  </BlockStack>
                </Card>
              </>
            ) : (
              <Card>
                <Text as="p">Nothing was sent to TikTok for this order.</Text>
              </Card>
            )}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
