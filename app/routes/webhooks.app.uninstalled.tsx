import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { recordUninstall } from "~/models/shop.server";
import { disconnectOnUninstall } from "~/connection/connection.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  // Delivered again after a retry or long after the uninstall: every step below is idempotent.
  await disconnectOnUninstall(shop);
  await recordUninstall(shop);
  return new Response();
};
