import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";
import { recordUninstall } from "~/core/models/shop.server";
import { disconnect } from "~/features/connect/connect.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  // Delivered again after a retry or long after the uninstall: every step below is idempotent.
  await disconnect(shop);
  await recordUninstall(shop);
  return new Response();
};
