import type { ActionFunctionArgs } from "@remix-run/node";
import { isDatabaseUnavailable } from "~/core/db-errors";
import { receiveWebhook } from "~/core/webhook.server";
import { parseOrderWebhook } from "~/features/events/order-payload";
import { ingestOrder, recordRejectedWebhook } from "~/features/events/ingest.server";

export const action = async (args: ActionFunctionArgs) => {
  try {
    return await receive(args);
  } catch (error) {
    // Another process holds the SQLite write lock, or the database connection dropped: answer at
    // once and let Shopify deliver again.
    if (isDatabaseUnavailable(error)) return new Response("Database unavailable; retry later", { status: 503, headers: { "Retry-After": "5" } });
    throw error;
  }
};

async function receive({ request }: ActionFunctionArgs) {
  // Order payloads name no shop; the topic must still be this route's.
  // shed: the one topic whose work is done before the answer; refused fast when the process cannot keep up.
  const { shop, topic, webhookId, rawBody, body, release } = await receiveWebhook(request, { topic: "orders/create", shopField: null, shed: true });
  try {
    return await ingest(shop, topic, webhookId, rawBody, body);
  } finally {
    release();
  }
}

async function ingest(shop: string, topic: string, webhookId: string, rawBody: string, body: unknown) {
  const parsed = body === null ? { ok: false as const, reason: "body is not JSON" } : parseOrderWebhook(rawBody);
  if (!parsed.ok) {
    // Retrying cannot fix a payload we cannot use: acknowledge it and keep the reason for diagnostics.
    await recordRejectedWebhook({ shop, topic, webhookId, reason: parsed.reason });
    return new Response(null, { status: 200 });
  }
  // A failure here is ours (database down, a bug): let it answer 500 so Shopify delivers again.
  await ingestOrder(shop, parsed.order);
  return new Response(null, { status: 200 });
}
