import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/core/webhook.server";
import { describeCustomerData, parseCustomerRequest, recordDataRequest } from "~/features/privacy/compliance.server";

// No session is required: compliance webhooks may arrive after uninstall.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, rawBody, webhookId, eventId } = await receiveWebhook(request, { topic: "customers/data_request", shopField: "shop_domain" });
  const ref = parseCustomerRequest(rawBody);
  if (!ref) return new Response("Unusable payload", { status: 200 });
  // The merchant answers the customer: the request is listed on the Data requests page.
  await recordDataRequest(shop, eventId ?? webhookId, ref);
  const held = await describeCustomerData(shop, ref);
  console.info(`customers/data_request ${shop}: we hold ${held.orders} order record(s) with hashed identifiers only, ${held.events} event(s), ${held.touchpoints} touchpoint(s)`);
  return new Response();
};
