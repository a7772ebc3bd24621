import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/core/webhook.server";
import { recordRejectedWebhook } from "~/features/events/ingest.server";
import { parseRefundWebhook } from "~/features/events/refund-payload";
import { recordRefund } from "~/features/events/refunds.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  // Refund payloads name no shop; the topic must still be this route's.
  const { shop, topic, webhookId, rawBody } = await receiveWebhook(request, { topic: "refunds/create", shopField: null });
  const parsed = parseRefundWebhook(rawBody);
  if (!parsed.ok) {
    await recordRejectedWebhook({ shop, topic, webhookId, reason: parsed.reason });
    return new Response(null, { status: 200 });
  }
  const result = await recordRefund(shop, parsed.refund);
  if (result.outcome === "other_shop") {
    console.warn(`webhook refunds/create refused (400) for ${shop}: the refund's order belongs to another shop`);
    return new Response("The refund's order belongs to another shop", { status: 400 });
  }
  return new Response(null, { status: 200 });
};
