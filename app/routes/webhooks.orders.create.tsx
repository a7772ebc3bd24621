import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { parseOrderWebhook } from "~/events/order-payload";
import { ingestOrder, recordRejectedWebhook } from "~/events/ingest.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  // The raw text keeps order ids above 2^53 exact; authenticate.webhook consumes the original body.
  const rawBody = await request.clone().text();
  const { shop, topic, webhookId } = await authenticate.webhook(request);

  const parsed = parseOrderWebhook(rawBody);
  if (!parsed.ok) {
    // Retrying cannot fix a payload we cannot use: acknowledge it and keep the reason for diagnostics.
    await recordRejectedWebhook({ shop, topic, webhookId, reason: parsed.reason });
    return new Response(null, { status: 200 });
  }
  await ingestOrder(shop, parsed.order);
  return new Response(null, { status: 200 });
};
