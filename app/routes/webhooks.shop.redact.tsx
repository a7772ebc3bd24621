import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";
import { redactShop } from "~/features/privacy/compliance.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  const removed = await redactShop(shop);
  console.info(`shop/redact ${shop}: removed ${removed} row(s)`);
  return new Response();
};
