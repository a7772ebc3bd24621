import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { describeCustomerData, parseCustomerRequest } from "~/privacy/compliance.server";

// No session is required: compliance webhooks may arrive after uninstall.
export const action = async ({ request }: ActionFunctionArgs) => {
  const raw = await request.clone().text();
  const { shop } = await authenticate.webhook(request);
  const ref = parseCustomerRequest(raw);
  if (!ref) return new Response("Unusable payload", { status: 200 });
  const held = await describeCustomerData(shop, ref);
  console.info(`customers/data_request ${shop}: we hold ${held.orders} order record(s) with hashed identifiers only, ${held.events} event(s), ${held.touchpoints} touchpoint(s)`);
  return new Response();
};
