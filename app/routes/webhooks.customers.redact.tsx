import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticateWebhookWithRawBody } from "~/core/lib/webhook.server";
import { parseCustomerRequest, redactCustomer } from "~/features/privacy/compliance.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, rawBody, unparseable } = await authenticateWebhookWithRawBody(request);
  const ref = unparseable ? null : parseCustomerRequest(rawBody);
  if (!ref) return new Response("Unusable payload", { status: 200 });
  const removed = await redactCustomer(shop, ref);
  console.info(`customers/redact ${shop}: removed ${removed.orders} order(s), ${removed.events} event(s), ${removed.touchpoints} touchpoint(s)`);
  return new Response();
};
