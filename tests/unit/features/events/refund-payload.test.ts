// The refund rule on its own (docs/decisions/0024): which transactions count, in which currency,
// to which digits. The webhook paths are tested in tests/integration/refunds.test.ts.
import { parseRefundWebhook, parseTransactionWebhook, refundAmount, refundValue } from "~/features/events/refund-payload";
import { refundBody, refundTransactionId, transactionBody } from "../../../support/refunds";

const parse = (raw: string) => {
  const parsed = parseRefundWebhook(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.refund;
};

describe("refundValue and refundAmount", () => {
  it("counts pending and successful refund transactions, never failed ones, voids or sales", () => {
    const refund = parse(
      refundBody({
        refundId: 41,
        orderId: 42,
        transactions: [
          { amount: "7.00", currency: "USD" },
          { amount: "5.00", currency: "USD", status: "pending" },
          { amount: "20.00", currency: "USD", status: "failure" },
          { amount: "4.00", currency: "USD", status: "error" },
          { amount: "3.00", currency: "USD", kind: "void" },
          { amount: "9.00", currency: "USD", kind: "sale" },
        ],
      }),
    );
    expect(refund.transactions.map((t) => [t.transactionId, t.status])).toEqual([
      [refundTransactionId(41, 0), "success"],
      [refundTransactionId(41, 1), "pending"],
      [refundTransactionId(41, 2), "failure"],
      [refundTransactionId(41, 3), "error"],
    ]);
    const value = refundValue(refund, "USD");
    expect(value.currency).toBe("USD");
    expect(refundAmount(value).toFixed()).toBe("12");
  });

  it("converts each transaction with the refund's MoneyBags, to the shop currency's digits", () => {
    const refund = parse(
      refundBody({
        refundId: 43,
        orderId: 44,
        transactions: [{ amount: "50.00", currency: "USD", status: "pending" }],
        lineItems: [{ shop: { amount: "68.25", currency: "CAD" }, presentment: { amount: "50.00", currency: "USD" } }],
      }),
    );
    expect(refundValue(refund, null)).toMatchObject({ currency: "CAD", transactions: [{ currency: "CAD" }] });
    expect(refundAmount(refundValue(refund, null)).toFixed()).toBe("68.25");
    const yen = parse(
      refundBody({
        refundId: 45,
        orderId: 46,
        transactions: [{ amount: "4.00", currency: "USD" }],
        lineItems: [{ shop: { amount: "1234", currency: "JPY" }, presentment: { amount: "8.25", currency: "USD" } }],
      }),
    );
    expect(refundAmount(refundValue(yen, "JPY")).toFixed()).toBe("598");
  });

  it("keeps a refund it cannot convert in the buyer's currency, and a refund whose every transaction failed at 0 in the shop currency", () => {
    const usd = parse(refundBody({ refundId: 47, orderId: 48, transactions: [{ amount: "20.00", currency: "USD" }] }));
    expect(refundValue(usd, "EUR").currency).toBe("USD");
    expect(refundAmount(refundValue(usd, "EUR")).toFixed()).toBe("20");
    const failed = parse(refundBody({ refundId: 49, orderId: 50, transactions: [{ amount: "20.00", currency: "USD", status: "failure" }] }));
    expect(refundValue(failed, "EUR").currency).toBe("EUR");
    expect(refundAmount(refundValue(failed, "EUR")).toFixed()).toBe("0");
  });
});

describe("parseTransactionWebhook (order_transactions/create)", () => {
  it("reads a refund transaction's id, order, kind and status exactly", () => {
    const parsed = parseTransactionWebhook(transactionBody({ transactionId: "9007199254740993", orderId: "9007199254740995", status: "failure", amount: "38.17", currency: "cad" }));
    expect(parsed).toMatchObject({ ok: true, transaction: { transactionId: "9007199254740993", orderId: "9007199254740995", kind: "refund", status: "failure", currency: "CAD" } });
  });

  it("refuses a body that is not a transaction, or a status Shopify does not have", () => {
    expect(parseTransactionWebhook(JSON.stringify({ id: 1, title: "a product" }))).toMatchObject({ ok: false, reason: expect.stringMatching(/not an order transaction/) });
    expect(parseTransactionWebhook(transactionBody({ transactionId: "1", orderId: "2", status: "settled", amount: "1.00", currency: "USD" }))).toMatchObject({ ok: false });
    expect(parseTransactionWebhook("not json")).toEqual({ ok: false, reason: "body is not valid JSON" });
  });
});
