import { roasHelp, roasUnknownReason } from "~/components/dashboard/roas-reason";
import { formatRoas } from "~/components/format";

const same = { currencyDiffers: false, spendCurrency: "EUR", storeCurrency: "EUR" };
const noId = "No order carried this campaign's id.";

describe("roasUnknownReason", () => {
  it("names the two currencies when they differ, whatever the revenue", () => {
    expect(roasUnknownReason({ currencyDiffers: true, spendCurrency: "JPY", storeCurrency: "USD" }, "70.00", noId)).toBe(
      "Spend is in JPY and revenue in USD; the app does not convert currencies.",
    );
  });
  it("blames the missing id only when the row has no attributed revenue", () => {
    expect(roasUnknownReason(same, null, noId)).toBe(noId);
  });
  it("says there was no spend when revenue is there (a campaign with orders but no spend in the range)", () => {
    expect(roasUnknownReason(same, "40.00", noId)).toBe("No spend in this range, so there is no ROAS.");
  });
});

describe("roasHelp (Home's ROAS card)", () => {
  it("says ROAS divides only the spend since the connection when the days start before it", () => {
    expect(roasHelp({ spendBeforeConnection: "60.00", connectedOn: "2026-12-07", netRoas: "9.00" }, formatRoas)).toBe(
      "Attributed revenue ÷ spend since 2026-12-07, when the app was connected · refund-adjusted 9.00×",
    );
  });
  it("says plain revenue over spend when every day is covered", () => {
    expect(roasHelp({ spendBeforeConnection: null, connectedOn: "2026-01-01", netRoas: null }, formatRoas)).toBe("Attributed revenue ÷ spend");
  });
});
