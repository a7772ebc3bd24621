import { readFileSync } from "node:fs";
import path from "node:path";
import { classifyTikTokCode, TikTokApiError } from "~/core/tiktok/errors";
import { redact, redactFields } from "~/core/tiktok/redact";

describe("classifyTikTokCode (TikTok's table, tiktok_code.py at f809c396)", () => {
  test.each([
    // reconnect: the token, the grant or the advertiser's login is gone
    [40102, 200, "auth"],
    [40103, 200, "auth"], // REFRESH_TOKEN_EXPIRE
    [40104, 200, "auth"],
    [40105, 200, "auth"],
    [40106, 200, "auth"],
    [40107, 200, "auth"],
    [40114, 200, "auth"], // ADVERTISER_LOGOUT
    [40120, 200, "auth"],
    [40130, 200, "auth"], // SCOPE_NOT_AUTHORIZED
    [40131, 200, "auth"],
    [40309, 200, "auth"],
    // rate limits TikTok names as frequency or too many requests
    [40016, 200, "rate_limited"],
    [40100, 200, "rate_limited"],
    [40132, 200, "rate_limited"],
    [61000, 200, "rate_limited"], // TOO_MANY_REQUESTS_BL
    // server families
    [50000, 200, "retryable"],
    [50002, 200, "retryable"],
    [51012, 200, "retryable"],
    [51039, 200, "retryable"], // AUTH_SERVICE_ERROR: TikTok's service, not our token
    [52103, 200, "retryable"],
    [53102, 200, "retryable"],
    [60001, 200, "retryable"],
    // request errors, never retried
    [40000, 200, "invalid"],
    [40001, 200, "invalid"],
    [40002, 200, "invalid"],
    [40002, 400, "invalid"],
    [40002, 502, "invalid"],
    [40011, 200, "invalid"],
    [40061, 200, "invalid"],
    [40062, 200, "invalid"],
    [40063, 200, "invalid"],
    [40101, 200, "invalid"],
    [40110, 200, "invalid"],
    [70001, 200, "invalid"], // INVALID_BIZ_AUTH_TYPE: our configuration, not a server error
    [20001, 200, "invalid"], // PARTIAL_OK is not a success (the SDK raises on it)
    // not in TikTok's table: bounded retries, then failed visibly
    [40133, 200, "unknown"],
    [51234, 200, "unknown"],
    [99999, 200, "unknown"],
    // no envelope: a gateway page, retried (with a bound), whatever its status
    [null, 500, "retryable"],
    [null, 503, "retryable"],
    [null, 403, "retryable"],
    [null, 404, "retryable"],
    [null, 401, "retryable"],
    [null, 200, "retryable"],
    [null, 429, "rate_limited"],
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
  expect(new TikTokApiError({ code: 40133, httpStatus: 200, message: "x" })).toMatchObject({ kind: "unknown", retryable: true });
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

test("every code in TikTok's table is known, each constant name agrees with its class, and nothing else is", () => {
  const table = readFileSync(path.resolve(__dirname, "../../../fixtures/tiktok/tiktok-codes.txt"), "utf8")
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(" ") as [string, string]);
  expect(table).toHaveLength(163);
  for (const [code, name] of table) {
    const kind = classifyTikTokCode(Number(code), 200);
    if (Number(code) === 0) continue;
    expect(kind, `${code} ${name}`).not.toBe("unknown");
    if (/TOO_FREQUENT|FREQUENCY|TOO_MANY_REQUESTS|_FC_/.test(name)) expect(kind, name).toBe("rate_limited");
    if (/TOKEN_EXPIRE|INVALID_(ACCESS|REFRESH)_TOKEN|LOGOUT|NOT_LOGGED_IN|SCOPE_|REQUIRE_LOGIN/.test(name)) expect(kind, name).toBe("auth");
  }
  const known = new Set(table.map(([code]) => Number(code)));
  for (const code of [40133, 40111, 40123, 42900, 51013]) {
    expect(known.has(code)).toBe(false);
    expect(classifyTikTokCode(code, 200)).toBe("unknown");
  }
});
