import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";
import { bodyRefusalStatus, readBody } from "~/core/lib/read-body.server";
import { WEBHOOK_MAX_BYTES } from "~/core/webhook.server";

// The benchmark's baseline (`npm run bench`): what a webhook costs when it only verifies Shopify's
// HMAC, to compare orders/create with on the same server. Writes nothing; a request without a
// valid HMAC gets the same 401 as every webhook route, and the same size cap and body budget apply before it.
export const action = async ({ request }: ActionFunctionArgs) => {
  const held = await readBody(request, WEBHOOK_MAX_BYTES);
  if (typeof held === "string") return new Response(null, { status: bodyRefusalStatus(held) });
  try {
    await authenticate.webhook(new Request(request.url, { method: "POST", headers: request.headers, body: new Uint8Array(held.bytes()) }));
  } finally {
    held.release();
  }
  return new Response(null, { status: 200 });
};
