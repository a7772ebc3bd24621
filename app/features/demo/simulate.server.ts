// Plays a shopper and Shopify for the demo: a visit from a TikTok ad (a signed app proxy
// touchpoint, as the storefront embed sends it) and then a signed orders/create webhook for
// that visitor. Both go to the app over HTTP and through the real authentication code.
import { randomBytes, randomInt } from "node:crypto";
import { signAppProxyQuery, webhookHeaders } from "./shopify-double.server";

const FIRST = ["Alex", "Sam", "Robin", "Kim", "Jo", "Charlie"];
const PRODUCTS = [
  { id: 7001, variant: 41001, title: "Everyday Tote", price: "38.00" },
  { id: 7002, variant: 41002, title: "Canvas Cap", price: "24.50" },
  { id: 7003, variant: 41003, title: "Linen Shirt", price: "59.00" },
];

type DemoOrder = {
  orderId: number;
  visitorId?: string;
  ttclid?: string;
  capturedAt?: number;
  createdAt?: Date;
  currency?: string;
  /** The ad ids the embed writes on the cart with the click (an ad URL with `tt_campaign_id=__CAMPAIGN_ID__` ...). */
  campaignId?: string | null;
  adgroupId?: string | null;
  /** Picks the buyer and the basket; random unless given (the demo's history is the same on every run). */
  variant?: number;
  test?: boolean;
};

export function demoOrderPayload(opts: DemoOrder) {
  const n = opts.variant ?? randomInt(0, 100);
  const first = FIRST[n % FIRST.length];
  const items = PRODUCTS.slice(0, 1 + (n % PRODUCTS.length)).map((p, i) => ({
    id: opts.orderId * 10 + i,
    product_id: p.id,
    variant_id: p.variant,
    title: p.title,
    sku: `SKU-${p.variant}`,
    price: p.price,
    quantity: 1 + (i % 2),
  }));
  const subtotal = items.reduce((s, i) => s + Number(i.price) * i.quantity, 0);
  const discount = n % 3 === 0 ? 5 : 0;
  const total = (subtotal - discount).toFixed(2);
  // A shopper who came from an ad on a store running the embed: the cart carries what the embed
  // wrote (consent granted, a visitor id, the click), even when the caller names only the click.
  const visitorId = opts.visitorId ?? (opts.ttclid ? `tta1.demo${opts.orderId}` : undefined);
  const note_attributes = visitorId
    ? [
        { name: "_tt_consent", value: "granted" },
        { name: "_tt_visitor_id", value: visitorId },
        ...(opts.ttclid ? [{ name: "_tt_ttclid", value: opts.ttclid }, { name: "_tt_ttclid_at", value: String(opts.capturedAt ?? Date.now()) }] : []),
        ...(opts.ttclid && opts.campaignId ? [{ name: "_tt_campaign_id", value: opts.campaignId }] : []),
        ...(opts.ttclid && opts.adgroupId ? [{ name: "_tt_adgroup_id", value: opts.adgroupId }] : []),
      ]
    : [];
  return {
    id: opts.orderId,
    admin_graphql_api_id: `gid://shopify/Order/${opts.orderId}`,
    name: `#${1000 + (opts.orderId % 100000)}`,
    created_at: (opts.createdAt ?? new Date()).toISOString(),
    currency: opts.currency ?? "USD",
    presentment_currency: opts.currency ?? "USD",
    total_price: total,
    current_total_price: total,
    subtotal_price: subtotal.toFixed(2),
    total_discounts: discount.toFixed(2),
    test: opts.test ?? false,
    email: `${first.toLowerCase()}.${n}@example.com`,
    phone: null,
    customer: { id: opts.orderId + 500, email: `${first.toLowerCase()}.${n}@example.com`, phone: `+1202555${String(100 + (n % 100)).padStart(4, "0")}`, first_name: first },
    billing_address: { country_code: "US", phone: null },
    shipping_address: { country_code: "US", phone: null },
    note_attributes,
    landing_site: opts.ttclid ? `/products/everyday-tote?ttclid=${opts.ttclid}` : "/",
    referring_site: "https://www.tiktok.com/",
    browser_ip: "203.0.113.24",
    client_details: { browser_ip: "203.0.113.24", user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148" },
    source_name: "web",
    line_items: items,
  };
}

export async function simulateVisitAndOrder(opts: { appUrl: string; shop: string; secret: string; campaignId?: string | null; adgroupId?: string | null; withClick?: boolean }) {
  const visitorId = `tta1.${randomBytes(17).toString("base64url").slice(0, 22)}`;
  const withClick = opts.withClick ?? true;
  const ttclid = withClick ? `E.C.P.demo${randomBytes(9).toString("base64url").replace(/[^A-Za-z0-9]/g, "x")}` : undefined;
  const capturedAt = Date.now() - 60_000;
  if (ttclid) {
    // With a signed nonce, as the storefront embed sends it.
    const qs = signAppProxyQuery({ n: randomBytes(16).toString("base64url").slice(0, 22) }, { shop: opts.shop, secret: opts.secret });
    const body = JSON.stringify({ v: 1, visitor_id: visitorId, ttclid, captured_at: capturedAt, landing_path: "/products/everyday-tote", utm_source: "tiktok", ...(opts.campaignId ? { campaign_id: opts.campaignId } : {}), ...(opts.adgroupId ? { adgroup_id: opts.adgroupId } : {}) });
    const res = await fetch(`${opts.appUrl}/proxy/touchpoints?${qs}`, { method: "POST", headers: { "Content-Type": "text/plain", "X-Forwarded-For": "203.0.113.24" }, body });
    if (res.status !== 202) throw new Error(`touchpoint refused: ${res.status} ${await res.text()}`);
  }
  const orderId = 5_000_000_000_000 + randomInt(0, 2 ** 40);
  const rawBody = JSON.stringify(demoOrderPayload({ orderId, visitorId, ttclid, capturedAt }));
  const res = await fetch(`${opts.appUrl}/webhooks/orders/create`, {
    method: "POST",
    headers: webhookHeaders({ topic: "orders/create", shop: opts.shop, rawBody, secret: opts.secret }),
    body: rawBody,
  });
  if (!res.ok) throw new Error(`orders/create refused: ${res.status}`);
  return { orderId: String(orderId), visitorId, ttclid: ttclid ?? null };
}
