import { formatCount, formatInstant, formatMoney } from "./format";

describe("page formatting", () => {
  it("formats an amount in its currency, from a number or a decimal string", () => {
    expect(formatMoney("1234.5", "USD")).toBe("$1,234.50");
    expect(formatMoney(12, "EUR")).toBe("€12.00");
    expect(formatMoney("500", "JPY")).toBe("¥500");
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
