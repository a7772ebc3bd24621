import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, InlineStack, Text } from "@shopify/polaris";
import type { recentOrders } from "~/features/events/stats.server";
import { formatInZone, formatMoneyWithCode } from "~/components/format";
import { MatchKeys } from "~/components/MatchKeys";
import { EVENT_STATUSES, STATUS_TEXT, type EventStatus } from "~/features/events/statuses";

type OrderRow = Awaited<ReturnType<typeof recentOrders>>["rows"][number];

const STATUS_TONE: Partial<Record<EventStatus, "success" | "info" | "attention" | "critical" | "warning">> = {
  sent: "success",
  queued: "info",
  waiting_reconnect: "attention",
  awaiting_payment: "attention",
  failed: "critical",
  expired: "warning",
};

export const STATUS_LABEL: Record<string, { label: string; tone?: "success" | "info" | "attention" | "critical" | "warning" }> = Object.fromEntries(
  EVENT_STATUSES.map((s) => [s, { label: STATUS_TEXT[s], tone: STATUS_TONE[s] }]),
);

export const SOURCE_LABEL: Record<string, string> = {
  touchpoint: "Storefront visit",
  note_attribute: "Cart attribute",
  landing_site: "Landing URL",
  pixel: "Web pixel (checkout)",
};

/** TikTok's message without the request id the worker appends: the list is for merchants, the detail page keeps the id for support. */
export const withoutRequestId = (message: string) => message.replace(/\s*\(request [^)]*\)/g, "");

/** One order on the Events page: its value, status badge, attribution, match keys and what TikTok said; a failed event can be resent. */
export function OrderEventItem({ r, timeZone }: { r: OrderRow; timeZone: string | null }) {
  return (
    <Box as="li" paddingBlock="300" borderBlockStartWidth="025" borderColor="border">
      <BlockStack gap="100">
        <InlineStack align="space-between" blockAlign="center" gap="200">
          <InlineStack gap="200" blockAlign="center">
            <Link to={`/app/events/${r.orderId}`}>
              <Text as="span" variant="headingSm">{r.orderName ?? r.orderId}</Text>
            </Link>
            <Text as="span" tone="subdued">{`${formatMoneyWithCode(r.value, r.currency)} · ${formatInZone(r.createdAt, timeZone)}`}</Text>
          </InlineStack>
          <Badge tone={STATUS_LABEL[r.status]?.tone}>{STATUS_LABEL[r.status]?.label ?? r.status}</Badge>
        </InlineStack>
        <Text as="p" variant="bodySm">
          Attribution: {r.attributionSource ? SOURCE_LABEL[r.attributionSource] : "none"} · Match keys: <MatchKeys keys={r.matchKeys} />
        </Text>
        {r.reason ? <Text as="p" variant="bodySm" tone="subdued">{r.reason}</Text> : null}
        {r.event ? (
          <BlockStack gap="100">
            <Text as="p" variant="bodySm" breakWord>
              TikTok:{" "}
              {r.event.status === "sent"
                ? `accepted ${r.event.sentAt ? formatInZone(r.event.sentAt, timeZone) : ""}`
                : (r.event.lastError ? withoutRequestId(r.event.lastError) : null) ?? (r.event.status === "queued" ? "queued, sending shortly" : "not sent yet")}
            </Text>
            <ResendControl event={r.event} />
          </BlockStack>
        ) : null}
      </BlockStack>
    </Box>
  );
}

/** What the Events list's and the order page's action answer to a Resend. */
export type ResendAnswer = { ok: boolean; message: string; eventId: string | null };

/**
 * The one place Resend is offered, on the list and the order page alike: a failed event Resend can
 * help, with what it does; otherwise why not. It posts to the page it is on, query included (the
 * list keeps its filters and page, the order page stays), and shows the answer where the button was.
 */
export function ResendControl({ event }: { event: { id: string; status: string; resendBlocked: string | null; advice: string | null } }) {
  const navigation = useNavigation();
  const answer = useActionData<ResendAnswer>();
  if (answer?.eventId === event.id && navigation.state === "idle") {
    return (
      <div role="status">
        <Text as="p" variant="bodySm" tone={answer.ok ? "success" : "critical"}>{answer.message}</Text>
      </div>
    );
  }
  if (event.status !== "failed") return null;
  if (event.resendBlocked) return <Text as="p" variant="bodySm" tone="subdued">{event.resendBlocked}</Text>;
  return (
    <BlockStack gap="100" inlineAlign="start">
      {event.advice ? <Text as="p" variant="bodySm" tone="subdued">{event.advice}</Text> : null}
      <Form method="post" preventScrollReset>
        <input type="hidden" name="intent" value="resend" />
        <input type="hidden" name="eventId" value={event.id} />
        <Button submit size="slim" loading={navigation.state !== "idle" && navigation.formData?.get("eventId") === event.id}>Resend</Button>
      </Form>
    </BlockStack>
  );
}
