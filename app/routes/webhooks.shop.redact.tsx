import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/core/webhook.server";
import { shopRedactAllowed } from "~/core/models/shop.server";
import { alreadyProcessed, markProcessed } from "~/core/models/processed-webhook.server";
import { redactShop } from "~/features/privacy/compliance.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const delivery = await receiveWebhook(request, { topic: "shop/redact", shopField: "shop_domain" });
  if (await alreadyProcessed(delivery)) return new Response("Already processed");
  const allowed = await shopRedactAllowed(delivery.shop);
  if (!allowed.ok) {
    // Not 2xx: a genuine redact that raced ahead of our uninstall record is delivered again later.
    console.error(`webhook shop/redact refused (409) for ${delivery.shop}: ${allowed.reason}`);
    return new Response(`Refused: ${allowed.reason}`, { status: 409 });
  }
  const removed = await redactShop(delivery.shop);
  await markProcessed(delivery);
  console.info(`shop/redact ${delivery.shop}: removed ${removed} row(s)`);
  return new Response();
};
