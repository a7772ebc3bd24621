import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/core/webhook.server";
import { recordUninstall } from "~/core/models/shop.server";
import { alreadyProcessed, markProcessed } from "~/core/models/processed-webhook.server";
import { disconnect } from "~/features/connect/connect.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  // The payload is the Shop resource: myshopify_domain must name the header's shop.
  const delivery = await receiveWebhook(request, { topic: "app/uninstalled", shopField: "myshopify_domain" });
  if (await alreadyProcessed(delivery)) return new Response("Already processed");
  // Delivered again after a retry or long after the uninstall: every step below is idempotent.
  await disconnect(delivery.shop);
  await recordUninstall(delivery.shop);
  await markProcessed(delivery);
  return new Response();
};
