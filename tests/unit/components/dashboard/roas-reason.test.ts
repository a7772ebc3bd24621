import { roasUnknownReason } from "~/components/dashboard/roas-reason";

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
