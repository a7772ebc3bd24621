// The refunds/create and order_transactions/create webhooks (REST Refund and Transaction shapes)
// and the rule that turns a refund into an amount in the shop currency (docs/decisions/0017, 0024):
// - a refund counts from its creation, as Shopify's own reports count it: the money is what its
//   refund transactions (kind "refund") return, pending ones included; a transaction that failed
//   (status "failure" or "error"), now or when order_transactions/create says so later, counts
//   nothing. A refund with no transaction (restock only) returns nothing;
// - transactions are in the currency the buyer paid in. When that is not the shop currency, the
//   refund's own MoneyBags (`*_set.shop_money` next to `presentment_money` on its line items and
//   shipping lines) give the rate Shopify used, and the amount is converted with it, to the shop
//   currency's digits (currencyDigits);
// - when neither works, the amount is kept in the buyer's currency and never counts against a
//   shop-currency order.
// Shapes: https://shopify.dev/docs/api/admin-rest/latest/resources/refund and .../transaction
import { Prisma } from "@prisma/client";
import { z } from "zod";
import { currencyDigits } from "~/core/lib/currency";
import { parseJsonLossless } from "~/core/lib/json-ids";

const Decimal = Prisma.Decimal;
type Decimal = Prisma.Decimal;

/** Shopify's transaction statuses, and the ones whose money did not move. */
const STATUSES = ["pending", "success", "failure", "error"] as const;
type TransactionStatus = (typeof STATUSES)[number];
const FAILED: ReadonlySet<string> = new Set(["failure", "error"]);
const transactionFailed = (status: string) => FAILED.has(status);

export interface ParsedRefund {
  refundId: string;
  orderId: string;
  processedAt: Date | null;
  /** The refund transactions (kind "refund", an amount above 0), each with its status, as exact decimals. */
  transactions: { transactionId: string; status: TransactionStatus; amount: Decimal; currency: string | null }[];
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
const status = z.string().trim().toLowerCase().pipe(z.enum(STATUSES));

const transactionSchema = z
  .object({
    id: id.nullish().catch(null),
    kind: z.unknown(),
    status: status.nullish().catch(null),
    amount: moneyText.nullish().catch(null),
    currency: currency.nullish().catch(null),
  })
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
  const transactions = (r.transactions ?? []).flatMap((t, i) =>
    t && t.kind === "refund" && t.amount && t.amount.greaterThan(0)
      ? // Without a status (never seen in Shopify's bodies) the refund counts, as Shopify's reports count it.
        // Without an id no later status can name it: a key of our own keeps it apart.
        [{ transactionId: t.id ?? `refund-${r.id}-${i}`, status: t.status ?? "pending", amount: t.amount, currency: t.currency ?? null }]
      : [],
  );
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

/** One refund transaction's money as stored: in the shop currency when it could be converted. */
export interface RefundTransactionValue {
  transactionId: string;
  status: TransactionStatus;
  amount: Decimal;
  currency: string | null;
}

/**
 * The refund's transactions in the shop currency where they can be converted, and the currency the
 * refund counts in: the shop currency, unless no transaction that counts could be converted (then
 * the currency most of its money was paid back in, where it cannot be miscounted). `shopCurrency`
 * is what we know of the shop's currency apart from the refund (the order's, or the shop's); the
 * refund's own shop_money fields take precedence. The refund's amount is the sum of its
 * transactions in that currency that did not fail (refundAmount).
 */
export function refundValue(refund: ParsedRefund, shopCurrency: string | null): { currency: string | null; transactions: RefundTransactionValue[] } {
  const shopCode = refund.moneyBags[0]?.shopCurrency ?? shopCurrency;
  const transactions = refund.transactions.map((t): RefundTransactionValue => {
    // A transaction without a currency is in the order's currency as far as Shopify's examples go.
    if (t.currency === null || t.currency === shopCode) return { ...t, currency: shopCode ?? t.currency };
    const same = shopCode ? refund.moneyBags.filter((b) => b.presentmentCurrency === t.currency && b.shopCurrency === shopCode) : [];
    const presentment = same.reduce((s, b) => s.plus(b.presentment), new Decimal(0));
    const shop = same.reduce((s, b) => s.plus(b.shop), new Decimal(0));
    if (shopCode && presentment.greaterThan(0) && shop.greaterThan(0))
      return { ...t, amount: t.amount.times(shop).dividedBy(presentment).toDecimalPlaces(currencyDigits(shopCode)), currency: shopCode };
    return t;
  });
  const counted = transactions.filter((t) => !transactionFailed(t.status));
  if (shopCode !== null && (counted.length === 0 || counted.some((t) => t.currency === shopCode))) return { currency: shopCode, transactions };
  const byCurrency = new Map<string | null, Decimal>();
  for (const t of counted) byCurrency.set(t.currency, (byCurrency.get(t.currency) ?? new Decimal(0)).plus(t.amount));
  const [largest] = [...byCurrency.entries()].sort((a, b) => b[1].comparedTo(a[1]));
  return { currency: largest?.[0] ?? shopCode, transactions };
}

/** What a refund counts: its transactions in its currency that did not fail. */
export function refundAmount(value: { currency: string | null; transactions: RefundTransactionValue[] }) {
  return value.transactions
    .filter((t) => !transactionFailed(t.status) && t.currency === value.currency)
    .reduce((sum, t) => sum.plus(t.amount), new Decimal(0));
}

/** What order_transactions/create tells us: a transaction's status, for the refund it belongs to. */
export interface ParsedTransaction {
  transactionId: string;
  orderId: string;
  kind: string | null;
  status: TransactionStatus;
  amount: Decimal;
  currency: string | null;
}

const orderTransactionSchema = z.object({
  id,
  order_id: id,
  kind: z.string().trim().toLowerCase().max(32).nullish().catch(null),
  status,
  amount: moneyText.nullish().catch(null),
  currency: currency.nullish().catch(null),
});

// Shape: https://shopify.dev/docs/api/admin-rest/latest/resources/transaction (the order_transactions/create body).
export function parseTransactionWebhook(rawBody: string): { ok: true; transaction: ParsedTransaction } | { ok: false; reason: string } {
  const parsed = parseBody(rawBody, orderTransactionSchema, "an order transaction");
  if (!parsed.ok) return parsed;
  const t = parsed.data;
  return {
    ok: true,
    transaction: { transactionId: t.id, orderId: t.order_id, kind: t.kind ?? null, status: t.status, amount: t.amount ?? new Decimal(0), currency: t.currency ?? null },
  };
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
