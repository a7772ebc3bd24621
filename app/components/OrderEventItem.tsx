import { Form, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, InlineStack, Text } from "@shopify/polaris";
import type { recentOrders } from "~/features/events/stats.server";
import { formatMoney } from "~/components/format";

type OrderRow = Awaited<ReturnType<typeof recentOrders>>["rows"][number];

export const STATUS_LABEL: Record<string, { label: string; tone?: "success" | "info" | "attention" | "critical" | "warning" }> = {
  sent: { label: "Sent", tone: "success" },
  queued: { label: "Queued", tone: "info" },
  waiting_reconnect: { label: "Waiting for reconnect", tone: "attention" },
  failed: { label: "Failed", tone: "critical" },
  expired: { label: "Expired", tone: "warning" },
  not_attributed: { label: "Not attributed" },
  not_connected: { label: "Not sent: not connected" },
  test_order: { label: "Test order" },
  left_out: { label: "Left out: order source" },
  no_consent: { label: "Not sent: shopper declined" },
};

const SOURCE_LABEL: Record<string, string> = {
  touchpoint: "Storefront visit",
  note_attribute: "Cart attribute",
  landing_site: "Landing URL",
  pixel: "Web pixel (checkout)",
};

/** One order on the Events page: its value, status badge, attribution, match keys and what TikTok said; a failed event can be resent. */
export function OrderEventItem({ r }: { r: OrderRow }) {
  const navigation = useNavigation();
  return (
    <Box as="li" paddingBlock="300" borderBlockStartWidth="025" borderColor="border">
      <BlockStack gap="100">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" variant="headingSm">{r.orderName ?? r.orderId}</Text>
            <Text as="span" tone="subdued">{`${formatMoney(r.value, r.currency)} · ${new Date(r.createdAt).toLocaleString()}`}</Text>
          </InlineStack>
          <Badge tone={STATUS_LABEL[r.status]?.tone}>{STATUS_LABEL[r.status]?.label ?? r.status}</Badge>
        </InlineStack>
        <Text as="p" variant="bodySm">
          Attribution: {r.attributionSource ? SOURCE_LABEL[r.attributionSource] : "none"} · Match keys: {r.matchKeys.length ? r.matchKeys.join(", ") : "none"}
        </Text>
        {r.reason ? <Text as="p" variant="bodySm" tone="subdued">{r.reason}</Text> : null}
        {r.event ? (
          <InlineStack gap="200" blockAlign="center">
            <Text as="p" variant="bodySm" breakWord>
              TikTok:{" "}
              {r.event.status === "sent"
                ? `accepted ${r.event.sentAt ? new Date(r.event.sentAt).toLocaleString() : ""} (request ${r.event.tiktokRequestId ?? "?"})`
                : r.event.lastError ?? (r.event.status === "queued" ? "queued, sending shortly" : "not sent yet")}
            </Text>
            {r.event.status === "failed" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="resend" />
                <input type="hidden" name="eventId" value={r.event.id} />
                <Button submit size="slim" loading={navigation.state !== "idle"}>Resend</Button>
              </Form>
            ) : null}
          </InlineStack>
        ) : null}
      </BlockStack>
    </Box>
  );
}
