import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/core/webhook.server";
import { alreadyProcessed, markProcessed } from "~/core/models/processed-webhook.server";
import { parseCustomerRequest, redactCustomer } from "~/features/privacy/compliance.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const delivery = await receiveWebhook(request, { topic: "customers/redact", shopField: "shop_domain" });
  if (await alreadyProcessed(delivery)) return new Response("Already processed");
  const ref = parseCustomerRequest(delivery.rawBody);
  if (!ref) return new Response("Unusable payload", { status: 200 });
  const removed = await redactCustomer(delivery.shop, ref);
  await markProcessed(delivery);
  console.info(`customers/redact ${delivery.shop}: removed ${removed.orders} order(s), ${removed.events} event(s), ${removed.touchpoints} touchpoint(s)`);
  return new Response();
};
