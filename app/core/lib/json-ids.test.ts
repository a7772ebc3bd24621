import { parseJsonKeepingBigIntegers } from "./json-ids";

describe("parseJsonKeepingBigIntegers", () => {
  it("keeps ids above 2^53 exact and leaves small numbers and strings alone", () => {
    const parsed = parseJsonKeepingBigIntegers(
      '{"id": 9007199254740993, "n": 12, "price": "10.50", "s": "id: 9007199254740993,", "a": [18014398509481985, -3, 1.5e3]}',
    ) as Record<string, unknown>;
    expect(parsed.id).toBe("9007199254740993");
    expect(parsed.n).toBe(12);
    expect(parsed.s).toBe("id: 9007199254740993,");
    expect(parsed.a).toEqual(["18014398509481985", -3, 1500]);
  });

  it("handles escaped quotes inside strings", () => {
    expect(parseJsonKeepingBigIntegers('{"x":"a\\"b 99999999999999999","y":99999999999999999}')).toEqual({
      x: 'a"b 99999999999999999',
      y: "99999999999999999",
    });
  });

  it("throws on invalid JSON", () => {
    expect(() => parseJsonKeepingBigIntegers("{nope")).toThrow();
  });
});
