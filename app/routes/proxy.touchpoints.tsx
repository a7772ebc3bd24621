import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_TOUCHPOINT_BYTES, parseTouchpointBody, recordHeartbeat, storeTouchpoint } from "~/core/attribution/touchpoints.server";
import { defineStorefrontIntake, receiveStorefrontRequest } from "~/features/storefront/intake.server";

// Storefront → Shopify app proxy (/apps/ttads/touchpoints) → here, signed by Shopify; or the web
// pixel → here directly (/proxy/touchpoints?shop=&t=) with CORS (docs/decisions/0019). Two bodies: a
// touchpoint (a new TikTok click) or the embed's daily heartbeat (it ran; the TikTok pixel codes it saw).
const intake = defineStorefrontIntake({
  maxBytes: MAX_TOUCHPOINT_BYTES,
  parse: parseTouchpointBody,
  perVisitor: { limit: 30, windowMs: 60_000, message: "Too many touchpoints from this visitor; try later" },
  // The pixel's token is public: a shop-wide bound as well, whatever addresses a sender claims.
  perShop: { limit: 1_200, windowMs: 60_000, via: "web_pixel", message: "Too many touchpoints for this shop; try later" },
  replayScope: (body) => (body.kind === "touchpoint" ? body.touchpoint.visitor_id : "heartbeat"),
});

export const loader = intake.loader;

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const { shop, via, body, sender, reply } = await receiveStorefrontRequest(request, intake, context);
  if (body.kind === "heartbeat") {
    // Only the theme embed sends heartbeats: it is what "seen on the storefront" means on Home.
    if (via === "web_pixel") return reply(400, "The web pixel does not send heartbeats");
    await recordHeartbeat(shop, body.pixels);
    return reply(202, "recorded");
  }
  const stored = await storeTouchpoint(shop, body.touchpoint, new Date(), { fromEmbed: via === "app_proxy", sender });
  if (stored === "sender_capped") return reply(429, "This visitor address has reported its share of today's storefront clicks; not recorded");
  if (stored === "capped") return reply(429, "This shop's daily limit of storefront clicks is reached; not recorded");
  return reply(202, "stored");
};
