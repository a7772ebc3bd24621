import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { parseCustomerRequest, redactCustomer } from "~/privacy/compliance.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const raw = await request.clone().text();
  const { shop } = await authenticate.webhook(request);
  const ref = parseCustomerRequest(raw);
  if (!ref) return new Response("Unusable payload", { status: 200 });
  const removed = await redactCustomer(shop, ref);
  console.info(`customers/redact ${shop}: removed ${removed.orders} order(s), ${removed.events} event(s), ${removed.touchpoints} touchpoint(s)`);
  return new Response();
};
