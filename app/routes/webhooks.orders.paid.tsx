import type { ActionFunctionArgs } from "@remix-run/node";
import { isDatabaseUnavailable } from "~/core/db-errors";
import { receiveWebhook } from "~/core/webhook.server";
import { parseOrderWebhook } from "~/features/events/order-payload";
import { recordRejectedWebhook } from "~/features/events/ingest.server";
import { releasePaidOrder } from "~/features/events/payment.server";

// orders/paid: a purchase held for payment (Settings: send when paid) goes to TikTok now (ADR 0023).
export const action = async ({ request }: ActionFunctionArgs) => {
  try {
    // Order payloads name no shop; the topic must still be this route's.
    const { shop, topic, webhookId, rawBody } = await receiveWebhook(request, { topic: "orders/paid", shopField: null });
    const parsed = parseOrderWebhook(rawBody);
    if (!parsed.ok) {
      await recordRejectedWebhook({ shop, topic, webhookId, reason: parsed.reason });
      return new Response(null, { status: 200 });
    }
    await releasePaidOrder(shop, parsed.order);
    return new Response(null, { status: 200 });
  } catch (error) {
    if (isDatabaseUnavailable(error)) return new Response("Database unavailable; retry later", { status: 503, headers: { "Retry-After": "5" } });
    throw error;
  }
};
