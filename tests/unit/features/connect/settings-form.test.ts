import { attributionWindowDays, windowHelp, WINDOW_MESSAGE } from "~/features/connect/settings-form";

describe("attribution window field", () => {
  it.each(["1", "28", "30", "90", " 45 "])("accepts %j", (v) => {
    expect(attributionWindowDays.safeParse(v)).toEqual({ success: true, data: Number(v) });
  });
  it.each(["0", "91", "2.5", "abc", "", "-3", "1e1", "007"])("refuses %j with a message that says what to enter", (v) => {
    const r = attributionWindowDays.safeParse(v);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe(WINDOW_MESSAGE);
  });
});

describe("attribution window help", () => {
  it("explains TikTok's 28-day click window only above 28 days", () => {
    expect(windowHelp("28")).not.toMatch(/28 days/);
    expect(windowHelp("7")).not.toMatch(/TikTok Ads Manager/);
    expect(windowHelp("29")).toMatch(/TikTok Ads Manager credits clicks up to 28 days old/);
    expect(windowHelp("30")).toMatch(/up to 28 days old/);
    expect(windowHelp("abc")).not.toMatch(/TikTok Ads Manager/);
  });
});
