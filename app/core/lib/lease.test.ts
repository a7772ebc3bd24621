import { backoffMs } from "./lease.server";

describe("backoffMs", () => {
  const policy = { baseMs: 4_000, capMs: 60 * 60_000, jitter: 0.5, minMs: 1_000 };

  it("doubles per attempt up to the cap, waiting between half and all of the delay", () => {
    expect([1, 2, 3].map((a) => backoffMs(a, policy, () => 0))).toEqual([2_000, 4_000, 8_000]);
    expect([1, 2, 3].map((a) => backoffMs(a, policy, () => 0.999_999))).toEqual([3_999, 7_999, 15_999]);
    expect(backoffMs(40, policy, () => 0.999_999)).toBeLessThanOrEqual(60 * 60_000);
    expect(backoffMs(40, policy, () => 0)).toBe(30 * 60_000);
  });

  it("without jitter waits exactly the delay; never less than minMs", () => {
    const exact = { baseMs: 30_000, capMs: 15 * 60_000, jitter: 0 };
    expect([1, 2, 3, 6, 10].map((a) => backoffMs(a, exact, () => 0.7))).toEqual([30_000, 60_000, 120_000, 900_000, 900_000]);
    expect(backoffMs(1, { baseMs: 100, capMs: 1_000, jitter: 0.5, minMs: 1_000 }, () => 0)).toBe(1_000);
  });
});
