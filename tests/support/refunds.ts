// refunds/create deliveries in Shopify's documented REST Refund shape
// (https://shopify.dev/docs/api/admin-rest/latest/resources/refund), and order_transactions/create
// in the REST Transaction shape (https://shopify.dev/docs/api/admin-rest/latest/resources/transaction),
// signed and posted to the real routes.
import { call, webhookRequest } from "./requests";

type Money = { amount: string; currency: string };
type RefundOptions = {
  refundId: number | string;
  orderId: number | string;
  /**
   * Refund transactions; kind "refund", status "success" and gateway "bogus" unless given. Their ids
   * are refundTransactionId(refundId, index) unless given: unique, as Shopify's are.
   */
  transactions?: { amount: string; currency: string; kind?: string; status?: string; gateway?: string; id?: string }[];
  /** Refunded line items: subtotal in shop and presentment money. */
  lineItems?: { shop: Money; presentment: Money }[];
  /** Refunded shipping (refund_shipping_lines, API 2024-10 and later). */
  shipping?: { shop: Money; presentment: Money }[];
  processedAt?: string;
};

const bag = (m: { shop: Money; presentment: Money }) => ({
  shop_money: { amount: m.shop.amount, currency_code: m.shop.currency },
  presentment_money: { amount: m.presentment.amount, currency_code: m.presentment.currency },
});
const zero = (m: { shop: Money; presentment: Money }) =>
  bag({ shop: { amount: "0.00", currency: m.shop.currency }, presentment: { amount: "0.00", currency: m.presentment.currency } });

/** The id refundBody gives a refund's `index`-th transaction. */
export const refundTransactionId = (refundId: number | string, index = 0) => String(BigInt(refundId) * 10n + BigInt(index));

/** What Shopify writes in `message` for each status, as in real bodies of its gateways. */
const MESSAGE: Record<string, string | null> = { success: "Bogus Gateway: Forced success", pending: "Transaction pending", failure: "Bogus Gateway: Forced failure", error: null };

/** The raw JSON text of a refund, ids written as bare integers like Shopify does. */
export function refundBody(o: RefundOptions): string {
  const at = o.processedAt ?? "2030-03-12T10:00:00-05:00";
  const body = {
    id: "__REFUND_ID__",
    order_id: "__ORDER_ID__",
    created_at: at,
    note: "Customer returned the item",
    user_id: 799407056,
    processed_at: at,
    restock: true,
    duties: [],
    total_duties_set: { shop_money: { amount: "0.00", currency_code: "USD" }, presentment_money: { amount: "0.00", currency_code: "USD" } },
    return: null,
    admin_graphql_api_id: "gid://shopify/Refund/__REFUND_ID__",
    refund_line_items: (o.lineItems ?? []).map((li, i) => ({
      id: 104689539 + i,
      quantity: 1,
      line_item_id: 703073504 + i,
      location_id: 487838322,
      restock_type: "return",
      subtotal: Number(li.shop.amount),
      total_tax: 0,
      subtotal_set: bag(li),
      total_tax_set: zero(li),
    })),
    transactions: (o.transactions ?? []).map((t, i) => ({
      id: `__TX_${t.id ?? refundTransactionId(o.refundId, i)}__`,
      order_id: "__ORDER_ID__",
      kind: t.kind ?? "refund",
      gateway: t.gateway ?? "bogus",
      status: t.status ?? "success",
      message: MESSAGE[t.status ?? "success"] ?? null,
      created_at: at,
      test: false,
      authorization: null,
      location_id: null,
      user_id: null,
      parent_id: 801038806,
      processed_at: at,
      device_id: null,
      error_code: null,
      source_name: "755357713",
      receipt: {},
      amount: t.amount,
      currency: t.currency,
      payment_id: `#1001.${i + 2}`,
      total_unsettled_set: { presentment_money: { amount: "0.0", currency: t.currency }, shop_money: { amount: "0.0", currency: t.currency } },
      manual_payment_gateway: false,
    })),
    order_adjustments: [],
    refund_shipping_lines: (o.shipping ?? []).map((s, i) => ({
      id: 1058498 + i,
      shipping_line_id: 369256396,
      subtotal_amount_set: bag(s),
      tax_amount_set: zero(s),
    })),
  };
  return JSON.stringify(body)
    .replace(/"__TX_(\d+)__"/g, "$1")
    .replaceAll('"__REFUND_ID__"', String(o.refundId)).replace("gid://shopify/Refund/__REFUND_ID__", `gid://shopify/Refund/${o.refundId}`).replaceAll('"__ORDER_ID__"', String(o.orderId));
}

/** Posts a signed refunds/create to the real route; returns the Response. */
export async function deliverRefund(shop: string, rawBody: string, opts: { secret?: string; webhookId?: string; topic?: string } = {}) {
  const { action } = await import("~/routes/webhooks.refunds.create");
  return call(action, webhookRequest({ topic: opts.topic ?? "refunds/create", shop, payload: null, rawBody, path: "/webhooks/refunds/create", ...opts }));
}

/**
 * An order_transactions/create body: the transaction as it stands after it was created or its
 * status changed (Shopify sends it for success, failure and error).
 */
export function transactionBody(o: { transactionId: string; orderId: number | string; status: string; amount: string; currency: string; kind?: string; gateway?: string; at?: string }): string {
  const at = o.at ?? "2030-03-14T09:00:00-05:00";
  const body = {
    id: "__TX_ID__",
    order_id: "__ORDER_ID__",
    kind: o.kind ?? "refund",
    gateway: o.gateway ?? "shopify_payments",
    status: o.status,
    message: MESSAGE[o.status] ?? null,
    created_at: "2030-03-12T10:00:00-05:00",
    test: false,
    authorization: null,
    location_id: null,
    user_id: null,
    parent_id: 801038806,
    processed_at: at,
    device_id: null,
    error_code: o.status === "failure" ? "card_declined" : null,
    source_name: "1830279",
    payment_details: { credit_card_bin: null, avs_result_code: null, cvv_result_code: null, credit_card_number: "•••• •••• •••• 4242", credit_card_company: "Visa" },
    receipt: {},
    amount: o.amount,
    currency: o.currency,
    payment_id: "c25048437719.2",
    total_unsettled_set: { presentment_money: { amount: "0.0", currency: o.currency }, shop_money: { amount: "0.0", currency: o.currency } },
    manual_payment_gateway: false,
    amount_rounding: null,
    admin_graphql_api_id: "gid://shopify/OrderTransaction/__TX_ID__",
  };
  return JSON.stringify(body).replaceAll('"__TX_ID__"', o.transactionId).replace("gid://shopify/OrderTransaction/__TX_ID__", `gid://shopify/OrderTransaction/${o.transactionId}`).replaceAll('"__ORDER_ID__"', String(o.orderId));
}

/** Posts a signed order_transactions/create to the real route; returns the Response. */
export async function deliverTransaction(shop: string, rawBody: string, opts: { secret?: string; webhookId?: string; topic?: string } = {}) {
  const { action } = await import("~/routes/webhooks.order_transactions.create");
  return call(action, webhookRequest({ topic: opts.topic ?? "order_transactions/create", shop, payload: null, rawBody, path: "/webhooks/order_transactions/create", ...opts }));
}

/**
 * An orders/cancelled body: Shopify sends the whole order as it stands after the cancellation
 * (https://shopify.dev/docs/api/admin-rest/latest/resources/order), so this is the orders/create
 * body with the cancellation fields set.
 */
export function cancelledOrderBody(orderBody: string, opts: { financialStatus: string; cancelledAt?: string; reason?: string }): string {
  const order = JSON.parse(orderBody) as Record<string, unknown>;
  const at = opts.cancelledAt ?? "2030-03-12T11:00:00-05:00";
  return JSON.stringify({ ...order, cancelled_at: at, cancel_reason: opts.reason ?? "customer", financial_status: opts.financialStatus, updated_at: at, closed_at: at });
}

/** Posts a signed orders/cancelled to the real route; returns the Response. */
export async function deliverCancellation(shop: string, rawBody: string, opts: { secret?: string; webhookId?: string; topic?: string } = {}) {
  const { action } = await import("~/routes/webhooks.orders.cancelled");
  return call(action, webhookRequest({ topic: opts.topic ?? "orders/cancelled", shop, payload: null, rawBody, path: "/webhooks/orders/cancelled", ...opts }));
}
