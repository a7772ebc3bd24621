import type { ActionFunctionArgs } from "@remix-run/node";
import { isDatabaseUnavailable } from "~/core/db-errors";
import { receiveWebhook } from "~/core/webhook.server";
import { recordRejectedWebhook } from "~/features/events/ingest.server";
import { parseTransactionWebhook } from "~/features/events/refund-payload";
import { recordTransactionStatus } from "~/features/events/refunds.server";

// order_transactions/create: a refund transaction that failed after its refund was created stops
// counting in refund-adjusted revenue (ADR 0024). Other kinds of transaction are acknowledged and ignored.
export const action = async ({ request }: ActionFunctionArgs) => {
  try {
    // Transaction payloads name no shop; the topic must still be this route's.
    const { shop, topic, webhookId, rawBody } = await receiveWebhook(request, { topic: "order_transactions/create", shopField: null });
    const parsed = parseTransactionWebhook(rawBody);
    if (!parsed.ok) {
      await recordRejectedWebhook({ shop, topic, webhookId, reason: parsed.reason });
      return new Response(null, { status: 200 });
    }
    const result = await recordTransactionStatus(shop, parsed.transaction);
    if (result.outcome === "other_shop") {
      console.warn(`webhook order_transactions/create refused (400) for ${shop}: the transaction's order belongs to another shop`);
      return new Response("The transaction's order belongs to another shop", { status: 400 });
    }
    return new Response(null, { status: 200 });
  } catch (error) {
    if (isDatabaseUnavailable(error)) return new Response("Database unavailable; retry later", { status: 503, headers: { "Retry-After": "5" } });
    throw error;
  }
};
