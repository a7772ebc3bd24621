import { currencyDigits } from "~/core/lib/currency";

describe("currencyDigits: the decimals Shopify writes for a currency", () => {
  it("gives 2 where Node's Intl (CLDR) gives 0: COP, HUF, IDR and the others Shopify writes with cents", () => {
    for (const code of ["COP", "HUF", "IDR", "PKR", "IRR", "MGA", "LAK"]) {
      expect(currencyDigits(code), code).toBe(2);
      // The reason the table exists: Intl would have dropped the decimals.
      expect(new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits, code).toBe(0);
    }
  });

  it("keeps ISO 4217's zero- and three-decimal currencies", () => {
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("KRW")).toBe(0);
    expect(currencyDigits("ISK")).toBe(0);
    expect(currencyDigits("KWD")).toBe(3);
    expect(currencyDigits("BHD")).toBe(3);
    expect(currencyDigits("IQD")).toBe(3);
    expect(currencyDigits("CLF")).toBe(4);
  });

  it("gives 2 for the common currencies, an unknown code and no code; any case", () => {
    for (const code of ["USD", "EUR", "CAD", "GBP", "not-a-code"]) expect(currencyDigits(code), code).toBe(2);
    expect(currencyDigits(null)).toBe(2);
    expect(currencyDigits(undefined)).toBe(2);
    expect(currencyDigits(" jpy ")).toBe(0);
  });
});
