import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/core/webhook.server";
import { recordRejectedWebhook } from "~/features/events/ingest.server";
import { parseCancellationWebhook } from "~/features/events/refund-payload";
import { recordCancellation } from "~/features/events/refunds.server";
import { cancelUnsentEvent } from "~/features/events/cancellation.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  // Order payloads name no shop; the topic must still be this route's.
  const { shop, topic, webhookId, rawBody } = await receiveWebhook(request, { topic: "orders/cancelled", shopField: null });
  const parsed = parseCancellationWebhook(rawBody);
  if (!parsed.ok) {
    await recordRejectedWebhook({ shop, topic, webhookId, reason: parsed.reason });
    return new Response(null, { status: 200 });
  }
  const result = await recordCancellation(shop, parsed.cancellation);
  // Cancelled before its purchase went to TikTok: it never goes (ADR 0023).
  if (result.outcome !== "other_shop") await cancelUnsentEvent(shop, parsed.cancellation.orderId);
  if (result.outcome === "other_shop") {
    console.warn(`webhook orders/cancelled refused (400) for ${shop}: the order belongs to another shop`);
    return new Response("The order belongs to another shop", { status: 400 });
  }
  return new Response(null, { status: 200 });
};
