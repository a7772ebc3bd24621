// The refunds/create webhook (REST Refund shape) and the rule that turns one refund into an amount
// in the shop currency (docs/decisions/0017):
// - the money is what the successful refund transactions returned (kind "refund", status
//   "success"); a refund with none (restock only, a pending or failed gateway) returns nothing;
// - transactions are in the currency the buyer paid in. When that is not the shop currency, the
//   refund's own MoneyBags (`*_set.shop_money` next to `presentment_money` on its line items and
//   shipping lines) give the rate Shopify used, and the amount is converted with it;
// - when neither works, the amount is kept in the buyer's currency and never counts against a
//   shop-currency order.
// Shape: https://shopify.dev/docs/api/admin-rest/latest/resources/refund
import { Prisma } from "@prisma/client";
import { z } from "zod";
import { currencyDigits } from "~/core/lib/currency";
import { parseJsonLossless } from "~/core/lib/json-ids";

const Decimal = Prisma.Decimal;
type Decimal = Prisma.Decimal;

export interface ParsedRefund {
  refundId: string;
  orderId: string;
  processedAt: Date | null;
  /** Successful refund transactions, per currency, as exact decimals. */
  transactions: { amount: Decimal; currency: string | null }[];
  /** shop_money / presentment_money pairs found on the refund's line items and shipping lines. */
  moneyBags: { shop: Decimal; shopCurrency: string; presentment: Decimal; presentmentCurrency: string }[];
}

const ID = /^[1-9]\d{0,19}$/;
const id = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = String(v);
  if (typeof v === "number" && !Number.isSafeInteger(v)) ctx.addIssue({ code: "custom", message: "id is not an exact integer" });
  if (!ID.test(s)) ctx.addIssue({ code: "custom", message: "id is not a positive integer" });
  return s;
});
const DECIMAL = /^-?\d{1,15}(?:\.\d{1,10})?$/;
const moneyText = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v).trim();
  if (!DECIMAL.test(s)) {
    ctx.addIssue({ code: "custom", message: "not an amount" });
    return z.NEVER;
  }
  return new Decimal(s);
});
const currency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/);
const money = z.object({ amount: moneyText, currency_code: currency });
const moneyBag = z.object({ shop_money: money, presentment_money: money }).nullish().catch(null);

const transactionSchema = z
  .object({ kind: z.unknown(), status: z.unknown(), amount: moneyText.nullish().catch(null), currency: currency.nullish().catch(null) })
  .passthrough()
  .nullable()
  .catch(null);

const refundSchema = z.object({
  id,
  order_id: id,
  processed_at: z.string().max(64).nullish().catch(null),
  created_at: z.string().max(64).nullish().catch(null),
  transactions: z.array(transactionSchema).max(1_000).nullish().catch(null),
  refund_line_items: z
    .array(z.object({ subtotal_set: moneyBag, total_tax_set: moneyBag }).nullable().catch(null))
    .max(10_000)
    .nullish()
    .catch(null),
  // Since API 2024-10, refunded shipping is here rather than in order_adjustments.
  refund_shipping_lines: z
    .array(z.object({ subtotal_amount_set: moneyBag, tax_amount_set: moneyBag }).nullable().catch(null))
    .max(1_000)
    .nullish()
    .catch(null),
});

type ParseResult = { ok: true; refund: ParsedRefund } | { ok: false; reason: string };

/** The body read with ids kept exact, then checked against `schema`; `what` names it in the reason. */
function parseBody<T extends z.ZodTypeAny>(rawBody: string, schema: T, what: string): { ok: true; data: z.output<T> } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = parseJsonLossless(rawBody);
  } catch {
    return { ok: false, reason: "body is not valid JSON" };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `not ${what}: ${issue.path.join(".") || "body"} ${issue.message}` };
}

export function parseRefundWebhook(rawBody: string): ParseResult {
  const parsed = parseBody(rawBody, refundSchema, "a refund");
  if (!parsed.ok) return parsed;
  const r = parsed.data;
  const at = r.processed_at ?? r.created_at;
  const ms = at ? Date.parse(at) : NaN;
  const transactions = (r.transactions ?? [])
    .filter((t) => t && t.kind === "refund" && t.status === "success" && t.amount !== null && t.amount !== undefined && t.amount.greaterThan(0))
    .map((t) => ({ amount: t!.amount!, currency: t!.currency ?? null }));
  const bags = [
    ...(r.refund_line_items ?? []).flatMap((li) => [li?.subtotal_set, li?.total_tax_set]),
    ...(r.refund_shipping_lines ?? []).flatMap((sl) => [sl?.subtotal_amount_set, sl?.tax_amount_set]),
  ].filter((b): b is NonNullable<typeof b> => !!b);
  return {
    ok: true,
    refund: {
      refundId: r.id,
      orderId: r.order_id,
      processedAt: Number.isFinite(ms) ? new Date(ms) : null,
      transactions,
      moneyBags: bags.map((b) => ({
        shop: b.shop_money.amount,
        shopCurrency: b.shop_money.currency_code,
        presentment: b.presentment_money.amount,
        presentmentCurrency: b.presentment_money.currency_code,
      })),
    },
  };
}

/**
 * The refund's money in the shop currency when it can be known, else in the currency it was paid
 * back in. `shopCurrency` is what we know of the shop's currency apart from the refund (the order's,
 * or the shop's); the refund's own shop_money fields take precedence.
 */
export function refundValue(refund: ParsedRefund, shopCurrency: string | null): { amount: Decimal; currency: string | null } {
  const shopCode = refund.moneyBags[0]?.shopCurrency ?? shopCurrency;
  const paid = new Map<string | null, Decimal>();
  for (const t of refund.transactions) paid.set(t.currency, (paid.get(t.currency) ?? new Decimal(0)).plus(t.amount));
  if (paid.size === 0) return { amount: new Decimal(0), currency: shopCode };
  // No shop currency known yet (the refund came first, without line items): keep the currency it
  // was paid in; it counts only if that turns out to be the order's.
  if (shopCode === null) {
    const [largest] = [...paid.entries()].sort((a, b) => b[1].comparedTo(a[1]));
    return { amount: largest[1], currency: largest[0] };
  }

  let total = new Decimal(0);
  const unconverted = { amount: new Decimal(0), currency: null as string | null };
  for (const [code, amount] of paid) {
    // A transaction without a currency is in the order's currency as far as Shopify's examples go.
    if (code === null || code === shopCode) {
      total = total.plus(amount);
      continue;
    }
    const same = refund.moneyBags.filter((b) => b.presentmentCurrency === code && b.shopCurrency === shopCode);
    const presentment = same.reduce((s, b) => s.plus(b.presentment), new Decimal(0));
    const shop = same.reduce((s, b) => s.plus(b.shop), new Decimal(0));
    if (presentment.greaterThan(0) && shop.greaterThan(0)) {
      total = total.plus(amount.times(shop).dividedBy(presentment).toDecimalPlaces(currencyDigits(shopCode)));
    } else {
      unconverted.amount = unconverted.amount.plus(amount);
      unconverted.currency = code;
    }
  }
  // Nothing could be converted: keep it in the buyer's currency, where it cannot be miscounted.
  if (unconverted.currency !== null && total.isZero()) return unconverted;
  return { amount: total, currency: shopCode };
}

/** What an orders/cancelled webhook (REST Order shape) tells us about the money. */
export interface ParsedCancellation {
  orderId: string;
  cancelledAt: Date | null;
  financialStatus: string | null;
  /** The order total in the shop currency, when the payload carries one. */
  total: { amount: Decimal; currency: string | null } | null;
}

const cancellationSchema = z.object({
  id,
  cancelled_at: z.string().max(64).nullish().catch(null),
  financial_status: z.string().trim().toLowerCase().max(32).nullish().catch(null),
  currency: currency.nullish().catch(null),
  total_price: moneyText.nullish().catch(null),
  total_price_set: z.object({ shop_money: money }).nullish().catch(null),
});

// Shape: https://shopify.dev/docs/api/admin-rest/latest/resources/order (the orders/cancelled body).
export function parseCancellationWebhook(rawBody: string): { ok: true; cancellation: ParsedCancellation } | { ok: false; reason: string } {
  const parsed = parseBody(rawBody, cancellationSchema, "an order");
  if (!parsed.ok) return parsed;
  const o = parsed.data;
  if (!o.cancelled_at) return { ok: false, reason: `order ${o.id} has no cancelled_at: not a cancellation` };
  const ms = Date.parse(o.cancelled_at);
  const shopMoney = o.total_price_set?.shop_money ?? null;
  const total = shopMoney
    ? { amount: shopMoney.amount, currency: shopMoney.currency_code }
    : o.total_price
      ? { amount: o.total_price, currency: o.currency ?? null }
      : null;
  return {
    ok: true,
    cancellation: { orderId: o.id, cancelledAt: Number.isFinite(ms) ? new Date(ms) : null, financialStatus: o.financial_status ?? null, total },
  };
}

/**
 * Financial statuses a cancelled order has when no payment was ever captured. shopify.dev,
 * OrderDisplayFinancialStatus: VOIDED is "an unpaid (payment authorized but not captured) order
 * [that] was manually canceled"; PENDING, AUTHORIZED and EXPIRED are orders whose money was never
 * taken either. Anything else (paid, partially paid, refunded) took money: what went back arrives
 * as refunds/create, and what was kept is revenue.
 */
const NOTHING_CAPTURED = new Set(["voided", "pending", "authorized", "expired"]);

/**
 * The value a cancellation takes off the order's revenue: the whole order when no money was ever
 * captured, else nothing (refunds carry what was returned). Counted like a refund, so it is
 * capped at the order total and applied when the order arrives after it.
 */
export function cancelledValue(c: ParsedCancellation): { amount: Decimal; currency: string | null } | null {
  if (!c.financialStatus || !NOTHING_CAPTURED.has(c.financialStatus) || !c.total) return null;
  return c.total;
}
