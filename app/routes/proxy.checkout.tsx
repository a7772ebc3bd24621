import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_CHECKOUT_BYTES, parseCheckoutBody, storeOrderLink } from "~/core/attribution/order-links.server";
import { defineStorefrontIntake, receiveStorefrontRequest } from "~/features/storefront/intake.server";
import { attributeLateLink } from "~/features/events/late-link.server";

// The checkout beacon (docs/decisions/0019): {order_id, visitor_id, ttclid?, ttclid_at?, ttp?}.
// Storefront → Shopify app proxy (/apps/ttads/checkout) → here, signed; or the web pixel → here
// directly (/proxy/checkout?shop=&t=) with CORS. One checkout is one beacon: a visitor places few
// orders a minute, and a shop's checkouts per minute are bounded too (the pixel's token is public).
const intake = defineStorefrontIntake({
  maxBytes: MAX_CHECKOUT_BYTES,
  parse: parseCheckoutBody,
  perVisitor: { limit: 10, windowMs: 60_000, message: "Too many checkouts reported; try later" },
  perShop: { limit: 600, windowMs: 60_000, message: "Too many checkouts reported; try later" },
  replayScope: (body) => body.beacon.order_id,
});

export const loader = intake.loader;

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { shop, body, reply } = await receiveStorefrontRequest(request, intake, context);
  const stored = await storeOrderLink(shop, body.beacon);
  if (stored === "capped") return reply(429, "This shop's daily limit of checkout reports is reached; not recorded");
  if (stored === "order_full") return reply(409, "This order already has checkout reports from the most visitors kept; not recorded");
  // The order may already be here, recorded as not attributed: decide it again with the link.
  if (stored === "stored") await attributeLateLink(shop, body.beacon.order_id);
  return reply(202, stored);
};
