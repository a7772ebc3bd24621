import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";

// Only in the bench build (APP_BUILD=bench, see remix.config.js). The benchmark's baseline
// (`npm run bench`): what a webhook costs when it only verifies Shopify's HMAC, to compare
// orders/create with on the same server. Writes nothing; a request without a valid HMAC gets the
// same 401 as every webhook route.
export const action = async ({ request }: ActionFunctionArgs) => {
  await authenticate.webhook(request);
  return new Response(null, { status: 200 });
};
