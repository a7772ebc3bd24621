// The demo's "Buy it now" shopper seen only by the web pixel. Apart from simulate.server.ts because
// it needs the app's Admin API client (and so the app's env), which the e2e runner's process lacks.
import { randomBytes, randomInt } from "node:crypto";
import { adminGraphqlFor } from "~/core/shopify.server";
import { webhookHeaders } from "./shopify-double.server";
import { createPixelRuntime } from "./pixel-runtime.server";
import { demoOrderPayload } from "./simulate.server";

/**
 * A "Buy it now" order seen only by the web pixel (issue 13): the pixel's real code, with the
 * settings Shopify holds for it (read back through the Admin API), sees the landing from a TikTok
 * ad and the checkout, and posts to the app; then orders/create arrives with no cart attributes.
 */
export async function simulateBuyItNowViaPixel(opts: { appUrl: string; shop: string; secret: string }) {
  const answer = (await (await adminGraphqlFor(opts.shop))(`#graphql
    query { webPixel { id settings } }`)) as { data?: { webPixel?: { settings?: string } | null } };
  const settings = answer.data?.webPixel?.settings;
  if (!settings) throw new Error("The app's web pixel is not active on this shop: connect TikTok first.");
  const ttclid = `E.C.P.pixel${randomBytes(9).toString("base64url").replace(/[^A-Za-z0-9]/g, "x")}`;
  const orderId = 5_000_000_000_000 + randomInt(0, 2 ** 40);
  const refused: string[] = [];
  const rt = createPixelRuntime({
    settings: JSON.parse(settings) as Record<string, unknown>,
    shop: opts.shop,
    url: `https://${opts.shop}/products/everyday-tote?ttclid=${ttclid}`,
    consent: { analytics: true, marketing: true, saleOfData: true },
    fetch: async (url, init) => {
      const res = await fetch(url, { ...init, headers: { "X-Forwarded-For": "203.0.113.24" } });
      if (res.status !== 202) refused.push(`${new URL(url).pathname}: ${res.status} ${await res.text()}`);
      return res;
    },
  });
  // The landing reports first, as on a storefront, where checkout comes pages later: a checkout
  // report counts only for a visitor whose click was recorded (order-links.server.ts).
  await rt.publish("page_viewed");
  await rt.settle();
  await rt.publish("checkout_completed", { checkout: { order: { id: `gid://shopify/OrderIdentity/${orderId}` } } }, `https://${opts.shop}/checkouts/cn/demo/thank-you`);
  await rt.settle();
  if (refused.length) throw new Error(`pixel request refused: ${refused.join("; ")}`);
  const rawBody = JSON.stringify({ ...demoOrderPayload({ orderId }), landing_site: "/products/everyday-tote" });
  const res = await fetch(`${opts.appUrl}/webhooks/orders/create`, {
    method: "POST",
    headers: webhookHeaders({ topic: "orders/create", shop: opts.shop, rawBody, secret: opts.secret }),
    body: rawBody,
  });
  if (!res.ok) throw new Error(`orders/create refused: ${res.status}`);
  return { orderId: String(orderId), ttclid };
}
