import { parseJsonLossless } from "~/core/lib/json-ids";

describe("parseJsonLossless", () => {
  it("returns unsafe integers as exact text and leaves everything else alone", () => {
    const raw =
      '{"a": 9007199254740993, "b": 9007199254740991, "c": -9007199254740993, "d": 1.5e300, "e": "9007199254740993", ' +
      '"f": "quote \\" 12345678901234567 \\\\", "g": [18446744073709551615, 1], "h": 0.12345678901234567890}';
    expect(parseJsonLossless(raw)).toEqual({
      a: "9007199254740993",
      b: 9007199254740991,
      c: "-9007199254740993",
      d: 1.5e300,
      e: "9007199254740993",
      f: 'quote " 12345678901234567 \\',
      g: ["18446744073709551615", 1],
      h: Number("0.12345678901234567890"),
    });
  });

  it("keeps ids above 2^53 exact and leaves small numbers and strings alone", () => {
    const parsed = parseJsonLossless(
      '{"id": 9007199254740993, "n": 12, "price": "10.50", "s": "id: 9007199254740993,", "a": [18014398509481985, -3, 1.5e3]}',
    ) as Record<string, unknown>;
    expect(parsed.id).toBe("9007199254740993");
    expect(parsed.n).toBe(12);
    expect(parsed.s).toBe("id: 9007199254740993,");
    expect(parsed.a).toEqual(["18014398509481985", -3, 1500]);
  });

  it("handles escaped quotes inside strings", () => {
    expect(parseJsonLossless('{"x":"a\\"b 99999999999999999","y":99999999999999999}')).toEqual({
      x: 'a"b 99999999999999999',
      y: "99999999999999999",
    });
  });

  it("throws on invalid JSON like JSON.parse", () => {
    expect(() => parseJsonLossless("{nope")).toThrow(SyntaxError);
    expect(() => parseJsonLossless("{")).toThrow(SyntaxError);
    expect(() => parseJsonLossless('{"a": 12345678901234567890')).toThrow(SyntaxError);
  });

  it("handles long strings without blowing the regex stack", () => {
    const raw = JSON.stringify({ note: `${"x\\\"".repeat(500_000)}`, id: 1 }).replace('"id":1', '"id":12345678901234567890');
    expect((parseJsonLossless(raw) as { id: string }).id).toBe("12345678901234567890");
  });
});
