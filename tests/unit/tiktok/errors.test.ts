import { classifyTikTokCode, TikTokApiError } from "~/core/tiktok/errors";
import { redact, redactFields } from "~/core/tiktok/redact";

describe("classifyTikTokCode", () => {
  test.each([
    // auth: the connection needs reconnecting
    [40102, 200, "auth"],
    [40104, 200, "auth"],
    [40105, 200, "auth"],
    [40106, 200, "auth"],
    [40107, 200, "auth"],
    // rate limits
    [40100, 200, "rate_limited"],
    [40016, 200, "rate_limited"],
    [40133, 200, "rate_limited"],
    [40132, 200, "rate_limited"],
    // server side
    [50000, 200, "retryable"],
    [50002, 200, "retryable"],
    [60001, 200, "retryable"],
    [51234, 200, "retryable"],
    // request errors, never retried
    [40000, 200, "invalid"],
    [40001, 200, "invalid"],
    [40002, 200, "invalid"],
    [40002, 400, "invalid"],
    [40002, 502, "invalid"],
    [40011, 200, "invalid"],
    // our app config or a stale consent redirect: reconnecting the stored token would not help
    [40101, 200, "invalid"],
    [40110, 200, "invalid"],
    // no envelope: the HTTP status decides
    [null, 500, "retryable"],
    [null, 503, "retryable"],
    [null, 408, "retryable"],
    [null, 429, "rate_limited"],
    [null, 401, "auth"],
    [null, 404, "invalid"],
    [null, null, "retryable"],
    // a rate-limit code wins over a 5xx wrapper
    [40100, 503, "rate_limited"],
  ] as const)("code %s with HTTP %s → %s", (code, status, kind) => {
    expect(classifyTikTokCode(code, status)).toBe(kind);
  });
});

test("TikTokApiError keeps TikTok's message and request id and derives its kind", () => {
  const error = new TikTokApiError({ code: 40105, httpStatus: 200, requestId: "req-1", message: "Access token is incorrect or has been revoked.", endpoint: "/pixel/list/" });
  expect(error).toBeInstanceOf(Error);
  expect(error).toMatchObject({ name: "TikTokApiError", kind: "auth", code: 40105, requestId: "req-1", tiktokMessage: "Access token is incorrect or has been revoked." });
  expect(error.message).toBe("TikTok /pixel/list/ auth (code 40105): Access token is incorrect or has been revoked.");
  expect(error.retryable).toBe(false);
  expect(new TikTokApiError({ kind: "rate_limited", code: null, httpStatus: null, message: "x" }).retryable).toBe(true);
});

describe("redact", () => {
  test("shows a prefix and the length, never the value", () => {
    const token = "0123456789abcdef0123456789abcdef01234567";
    expect(redact(token)).toBe("0123…(40)");
    expect(redact("short")).toBe("…(5)");
    expect(redact(undefined)).toBe("undefined");
  });

  test("redactFields hides tokens, secrets and hashed identifiers at any depth", () => {
    const hash = "a".repeat(64);
    const out = redactFields({ app_id: "A", secret: "super-secret-value", data: [{ event: "Purchase", user: { email: hash, phone: [hash], ip: "203.0.113.7" } }] });
    const text = JSON.stringify(out);
    expect(text).not.toContain("super-secret-value");
    expect(text).not.toContain(hash);
    expect(out).toMatchObject({ app_id: "A", data: [{ event: "Purchase", user: { email: "aaaa…(64)", phone: ["aaaa…(64)"], ip: "203.0.113.7" } }] });
  });
});
