import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";
import { declaredTooLarge, readBytesCapped } from "~/core/lib/read-body.server";
import { WEBHOOK_MAX_BYTES } from "~/core/webhook.server";

// The benchmark's baseline (`npm run bench`): what a webhook costs when it only verifies Shopify's
// HMAC, to compare orders/create with on the same server. Writes nothing; a request without a
// valid HMAC gets the same 401 as every webhook route, and the same size cap applies before it.
export const action = async ({ request }: ActionFunctionArgs) => {
  if (declaredTooLarge(request, WEBHOOK_MAX_BYTES)) return new Response(null, { status: 413 });
  const bytes = await readBytesCapped(request, WEBHOOK_MAX_BYTES);
  if (bytes === null) return new Response(null, { status: 413 });
  await authenticate.webhook(new Request(request.url, { method: "POST", headers: request.headers, body: new Uint8Array(bytes) }));
  return new Response(null, { status: 200 });
};
