import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { redactShop } from "~/privacy/compliance.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  const removed = await redactShop(shop);
  console.info(`shop/redact ${shop}: removed ${removed} row(s)`);
  return new Response();
};
