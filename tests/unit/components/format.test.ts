import { changeAgainst, formatCount, formatDateRange, formatInZone, formatInstant, formatMoney, formatMoneyWithCode, formatRoas } from "~/components/format";

describe("page formatting", () => {
  it("formats an amount in its currency, from a number or a decimal string", () => {
    expect(formatMoney("1234.5", "USD")).toBe("$1,234.50");
    expect(formatMoney(12, "EUR")).toBe("€12.00");
    expect(formatMoney("500", "JPY")).toBe("¥500");
  });

  it("shows the decimals Shopify writes, not Intl's: COP, HUF and IDR keep their cents, KWD has three", () => {
    // Intl puts a no-break space between an ISO code and the amount.
    expect(formatMoney("12500.5", "COP")).toBe("COP\u00a012,500.50");
    expect(formatMoney("12500", "HUF")).toBe("HUF\u00a012,500.00");
    expect(formatMoneyWithCode("150000.25", "IDR")).toBe("IDR\u00a0150,000.25");
    expect(formatMoney("1.5", "KWD")).toBe("KWD\u00a01.500");
    expect(formatMoney("1234.5", "ISK")).toBe("ISK\u00a01,235");
  });

  it("says what it can when the amount or the currency is unknown", () => {
    expect(formatMoney(null, "USD")).toBe("—");
    expect(formatMoney("3.5", null)).toBe("3.50");
    expect(formatMoney("3.5", "not-a-code")).toBe("3.50 not-a-code");
  });

  it("formats counts and UTC instants the same on the server and in the browser", () => {
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(null)).toBe("—");
    expect(formatInstant("2030-03-10T23:30:05.123Z")).toBe("2030-03-10 23:30:05 UTC");
  });
});

describe("amounts with codes and times in the store's zone", () => {
  it("adds the currency code to every amount", () => {
    expect(formatMoneyWithCode("42.5", "USD")).toBe("$42.50 USD");
    expect(formatMoneyWithCode("42.5", "EUR")).toBe("€42.50 EUR");
    expect(formatMoneyWithCode("3.5", "not-a-code")).toBe("3.50 not-a-code");
    expect(formatMoneyWithCode(null, "USD")).toBe("—");
  });

  it("names the time zone, the store's or UTC", () => {
    const norm = (s: string) => s.replace(/\s/g, " ");
    expect(norm(formatInZone("2030-03-10T23:30:05Z", "America/Los_Angeles"))).toBe("Mar 10, 2030, 4:30 PM PDT");
    expect(norm(formatInZone("2030-01-10T23:30:05Z", "Europe/Berlin"))).toBe("Jan 11, 2030, 12:30 AM GMT+1");
    expect(norm(formatInZone("2030-03-10T23:30:05Z", null))).toBe("Mar 10, 2030, 11:30 PM UTC");
  });

  it("writes ROAS with its sign and a date range once per year", () => {
    expect(formatRoas("2.35")).toBe("2.35×");
    expect(formatRoas(null)).toBe("—");
    expect(formatDateRange("2026-11-01", "2026-11-27")).toBe("Nov 1 – Nov 27, 2026");
    expect(formatDateRange("2025-12-28", "2026-01-03")).toBe("Dec 28, 2025 – Jan 3, 2026");
    expect(formatDateRange("2026-11-27", "2026-11-27")).toBe("Nov 27, 2026");
  });
});

describe("changeAgainst (the cards' change against the previous period)", () => {
  it("gives a rounded percentage with its sign and the period, and nothing where it would mislead", () => {
    expect(changeAgainst("112.00", "100.00", "Nov 1 – Nov 7")).toBe("+12% vs Nov 1 – Nov 7");
    expect(changeAgainst("1.50", "2.00", "Nov 1 – Nov 7")).toBe("−25% vs Nov 1 – Nov 7");
    expect(changeAgainst(10, 10, "Nov 1 – Nov 7")).toBe("±0% vs Nov 1 – Nov 7");
    // a percentage of nothing, or of an unknown figure, is not shown
    expect(changeAgainst("50.00", "0.00", "Nov 1 – Nov 7")).toBeNull();
    expect(changeAgainst(null, "2.00", "Nov 1 – Nov 7")).toBeNull();
    expect(changeAgainst("2.00", null, "Nov 1 – Nov 7")).toBeNull();
  });
});
