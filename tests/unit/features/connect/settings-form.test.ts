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
  it("always cites TikTok's own 28-day click limit, and above it says TikTok's reports may count fewer", () => {
    for (const days of ["7", "28", "29", "90", "abc"]) expect(windowHelp(days)).toMatch(/TikTok Ads Manager credits clicks up to 28 days old/);
    expect(windowHelp("28")).not.toMatch(/count fewer/);
    expect(windowHelp("29")).toMatch(/may count fewer of these orders/);
    expect(windowHelp("abc")).not.toMatch(/count fewer/);
  });
});
