import { TikTokApiError } from "~/core/tiktok/errors";
import { spendRows } from "~/core/tiktok/spend-report";

describe("spendRows", () => {
  it("decodes campaign and ad-group rows: the day from stat_time_day, '-' as unknown, money as decimal text", () => {
    const [campaign] = spendRows("campaign", [
      {
        dimensions: { campaign_id: "1800000000000000001", stat_time_day: "2030-03-10 00:00:00" },
        metrics: {
          spend: "12.30",
          impressions: "1000",
          clicks: "17",
          conversion: "-",
          currency: "EUR",
          campaign_name: "Prospecting",
          complete_payment: "4",
          total_complete_payment_rate: "180.50",
          vta_complete_payment: "0",
          vta_complete_payment_value: "0.00",
        },
      },
    ]);
    expect(campaign).toEqual({
      day: "2030-03-10",
      campaignId: "1800000000000000001",
      campaignName: "Prospecting",
      adgroupId: null,
      adgroupName: null,
      spend: "12.30",
      impressions: 1000,
      clicks: 17,
      conversions: null,
      purchases: 4,
      purchaseValue: "180.50",
      // a reported 0 stays 0: only a missing figure or "-" is "not reported"
      viewPurchases: 0,
      viewPurchaseValue: "0.00",
      currency: "EUR",
    });
    const [adgroup] = spendRows("adgroup", [
      { dimensions: { adgroup_id: "1810000000000000002", stat_time_day: "2030-03-11" }, metrics: { spend: "-", adgroup_name: "", campaign_id: "-" } },
    ]);
    expect(adgroup).toMatchObject({ day: "2030-03-11", adgroupId: "1810000000000000002", adgroupName: null, campaignId: null, spend: null, currency: null });
    // TikTok left the purchase metrics out of this row: not reported, never 0
    expect(adgroup).toMatchObject({ purchases: null, purchaseValue: null, viewPurchases: null, viewPurchaseValue: null });
  });

  it.each([
    ["no id", { stat_time_day: "2030-03-10 00:00:00" }, /campaign_id/],
    ["a day that does not exist", { campaign_id: "1", stat_time_day: "2030-02-30 00:00:00" }, /stat_time_day/],
  ])("refuses a row with %s as an unreadable response", (_label, dimensions, message) => {
    const error = (() => {
      try {
        spendRows("campaign", [{ dimensions, metrics: {} }]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TikTokApiError);
    expect(error).toMatchObject({ kind: "invalid", tiktokMessage: expect.stringMatching(message) });
  });
});
