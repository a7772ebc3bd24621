// Fuzz: the app proxy touchpoint endpoint (POST /apps/ttads/touchpoints → /proxy/touchpoints), the
// one surface any storefront visitor can write to. Whatever the body, query string or signature:
// never a 5xx, never a thrown error, nothing written when refused, only valid clicks stored.
import fc from "fast-check";
import prisma from "~/core/db.server";
import { action, loader } from "~/routes/proxy.touchpoints";
import { AD_ID_RE, PATH_MAX, TTCLID_RE, UTM_MAX, VID_RE } from "../../extensions/tiktok-capture/src/capture";
import { OTHER_SHOP, TEST_SHOP } from "../support/constants";
import { APP_URL, call, seedOfflineSession } from "../support/requests";
import {
  deepJson,
  deletePath,
  fuzzParams,
  fuzzTimeout,
  hostileString,
  hostileValue,
  isWellFormed,
  nextTestIp,
  proxyEntries,
  rowCounts,
  setPath,
  signProxyEntries,
} from "../support/fuzz";

const DAY = 86_400_000;
const secret = () => process.env.SHOPIFY_API_SECRET!;
// 403: a query that names a web pixel token (`t`) the shop never issued (docs/decisions/0019).
const REFUSALS = [400, 403, 404, 405, 413, 422, 429];

const FIELDS = ["v", "visitor_id", "ttclid", "captured_at", "landing_path", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "campaign_id", "adgroup_id", "ad_id"];

const validTouchpoint = () => ({
  v: 1,
  visitor_id: "tta1.AAAAAAAAAAAAAAAAAAAAAA",
  ttclid: "E.C.P.fuzz-click",
  captured_at: Date.now() - 60_000,
  landing_path: "/products/hat?color=red",
  utm_source: "tiktok",
  campaign_id: "1790000000000001",
});

/** Touchpoints the embed could really send, with awkward but legal values. */
const legalTouchpoint = fc.record(
  {
    v: fc.constant(1),
    visitor_id: fc.stringMatching(/^tta1\.[A-Za-z0-9_-]{22}$/),
    ttclid: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
    captured_at: fc.integer({ min: -80 * DAY, max: 0 }).map((d) => Date.now() + d),
    landing_path: fc.string({ unit: "grapheme", maxLength: 60 }).map((s) => `/${s}`),
    utm_source: fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !s.includes("@")),
    utm_campaign: fc.string({ maxLength: UTM_MAX }).filter((s) => !s.includes("@")),
    campaign_id: fc.stringMatching(/^[0-9]{1,24}$/),
    ad_id: fc.stringMatching(/^[0-9]{1,24}$/),
  },
  { requiredKeys: ["v", "visitor_id", "ttclid", "captured_at"] },
);

const fieldName = fc.constantFrom(...FIELDS);

/** A touchpoint body with some fields replaced by hostile values, removed, or joined by strangers. */
const mutatedTouchpoint = fc
  .tuple(
    fc.oneof(fc.constant(null), legalTouchpoint),
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant("set" as const), key: fc.oneof(fieldName, fc.string({ maxLength: 12 })), value: hostileValue }),
        fc.record({ op: fc.constant("delete" as const), key: fieldName }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([base, ops]) => {
    let body: unknown = base ?? validTouchpoint();
    for (const o of ops) body = o.op === "set" ? setPath(body, [o.key], o.value) : deletePath(body, [o.key]);
    return JSON.stringify(body);
  });

const hostileBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: mutatedTouchpoint },
  { weight: 2, arbitrary: legalTouchpoint.map((t) => JSON.stringify(t)) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? "") },
  { weight: 1, arbitrary: hostileString },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: fc.constantFrom("", "null", "[]", "{}", "{", '{"v":1,"v":1}', "\ufeff{}", JSON.stringify(validTouchpoint()).repeat(2)) },
);

function proxyRequest(query: string, body: string | undefined, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new Request(`${APP_URL}/proxy/touchpoints?${query}`, {
    method: init.method ?? "POST",
    headers: { "Content-Type": "text/plain", "X-Forwarded-For": nextTestIp(), ...init.headers },
    body: init.method === "GET" || init.method === "HEAD" ? undefined : body,
  });
}

const signedQuery = (shop = TEST_SHOP) => signProxyEntries(proxyEntries(shop), secret());

let before: Record<string, number>;
let signalBefore: Date | null | undefined;

beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
  await seedOfflineSession(OTHER_SHOP);
});

async function snapshot() {
  before = await rowCounts(prisma);
  signalBefore = (await prisma.shop.findUnique({ where: { shop: TEST_SHOP } }))?.lastStorefrontSignalAt;
}

/** The stored row is a click the embed could have sent: every field within the server's contract. */
function expectValidRow(row: Awaited<ReturnType<typeof prisma.touchpoint.findFirstOrThrow>>, shop: string) {
  expect(row.shop).toBe(shop);
  expect(row.visitorId).toMatch(VID_RE);
  expect(row.ttclid).toMatch(TTCLID_RE);
  expect(row.capturedAt.getTime()).toBeGreaterThan(Date.now() - 91 * DAY);
  expect(row.capturedAt.getTime()).toBeLessThan(Date.now() + 11 * 60_000);
  if (row.landingPath !== null) {
    expect(row.landingPath.startsWith("/")).toBe(true);
    expect(row.landingPath.length).toBeLessThanOrEqual(PATH_MAX);
  }
  for (const utm of [row.utmSource, row.utmMedium, row.utmCampaign, row.utmContent, row.utmTerm]) {
    if (utm === null) continue;
    expect(utm.length).toBeLessThanOrEqual(UTM_MAX);
    expect(utm).not.toContain("@");
  }
  for (const id of [row.campaignId, row.adgroupId, row.adId]) if (id !== null) expect(id).toMatch(AD_ID_RE);
  for (const value of Object.values(row)) {
    // Nothing a visitor sent may carry control characters or broken UTF-16 into the database.
    if (typeof value === "string") {
      // eslint-disable-next-line no-control-regex
      expect(value).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(isWellFormed(value)).toBe(true);
    }
  }
}

/** Refused: an error status with a JSON reason, and not one row written anywhere. */
async function expectNothingWritten(res: Response) {
  expect(REFUSALS).toContain(res.status);
  expect(await rowCounts(prisma)).toEqual(before);
  expect((await prisma.shop.findUnique({ where: { shop: TEST_SHOP } }))?.lastStorefrontSignalAt).toEqual(signalBefore);
}

describe("fuzz: app proxy touchpoint bodies (valid signature)", () => {
  it("answers 202 with a valid stored click, or refuses with 4xx and writes nothing", async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(hostileBody, async (body) => {
        await snapshot();
        const res = await call(action, proxyRequest(signedQuery(), body));
        expect(res.status).toBeLessThan(500);
        if (res.status === 202) {
          const parsed = JSON.parse(body);
          const row = await prisma.touchpoint.findUniqueOrThrow({
            where: { shop_visitorId_ttclid: { shop: TEST_SHOP, visitorId: parsed.visitor_id, ttclid: parsed.ttclid } },
          });
          expectValidRow(row, TEST_SHOP);
          const after = await rowCounts(prisma);
          expect(after.Touchpoint - before.Touchpoint).toBeLessThanOrEqual(1);
          // the click, its day's count and the signature it came with (replay bookkeeping)
          const own = { Touchpoint: 0, TouchpointDay: 0, ProxySignature: 0 };
          expect({ ...after, ...own }).toEqual({ ...before, ...own });
          seen.accepted++;
        } else {
          await expectNothingWritten(res);
          expect((await res.json()).error).toEqual(expect.any(String));
          seen.refused++;
        }
      }),
      fuzzParams(300),
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  }, fuzzTimeout());

  it("never stores a landing path with an email in it (the embed masks those segments)", async () => {
    for (const bad of ["/account/jane.doe@example.com", "/pages/x?ref=jane.doe%40example.com", "/a%40b"]) {
      await snapshot();
      await expectNothingWritten(await call(action, proxyRequest(signedQuery(), JSON.stringify({ ...validTouchpoint(), landing_path: bad }))));
    }
  });

  it("never stores a control character or broken unicode that JSON let through", async () => {
    // Postgres refuses U+0000 in text (a 500 there); lone surrogates would be stored as U+FFFD garbage.
    for (const bad of ["/p\u0000", "/p\u0007", "/\ud800", "/a\nb"]) {
      await snapshot();
      const res = await call(action, proxyRequest(signedQuery(), JSON.stringify({ ...validTouchpoint(), landing_path: bad })));
      await expectNothingWritten(res);
    }
    for (const bad of ["tik\u0000tok", "\udfff", "a\u001bb"]) {
      await snapshot();
      const res = await call(action, proxyRequest(signedQuery(), JSON.stringify({ ...validTouchpoint(), utm_source: bad })));
      await expectNothingWritten(res);
    }
  });

  it("refuses a body whose Content-Length or real size is over the cap, and non-POST methods", async () => {
    await snapshot();
    await expectNothingWritten(await call(action, proxyRequest(signedQuery(), JSON.stringify(validTouchpoint()), { headers: { "Content-Length": "99999999" } })));
    await expectNothingWritten(await call(action, proxyRequest(signedQuery(), "x".repeat(2_000_000))));
    await expectNothingWritten(await call(action, proxyRequest(signedQuery(), undefined, { method: "GET" })));
    await expectNothingWritten(await call(action, proxyRequest(signedQuery(), "{}", { method: "PUT" })));
    await expectNothingWritten(await call(loader, proxyRequest(signedQuery(), undefined, { method: "GET" })));
  });
});

describe("fuzz: app proxy query strings and signatures", () => {
  type Mutation =
    | { kind: "tamper"; at: number; char: string }
    | { kind: "drop"; key: string }
    | { kind: "duplicate"; key: string; value: string; where: "before" | "after"; signed: boolean }
    | { kind: "extra"; pairs: [string, string][]; signed: boolean }
    | { kind: "shop"; value: string; signed: boolean }
    | { kind: "timestamp"; value: string; signed: boolean }
    | { kind: "raw"; query: string };

  const key = fc.constantFrom("shop", "signature", "timestamp", "path_prefix", "logged_in_customer_id");
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant("tamper" as const), at: fc.nat({ max: 63 }), char: fc.constantFrom("0", "f", "Z", "%", "") }),
    fc.record({ kind: fc.constant("drop" as const), key }),
    fc.record({
      kind: fc.constant("duplicate" as const),
      key,
      value: fc.oneof(fc.constantFrom(OTHER_SHOP, TEST_SHOP, "evil.example.com", ""), hostileString.filter((s) => s.length < 200)),
      where: fc.constantFrom("before" as const, "after" as const),
      signed: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant("extra" as const),
      pairs: fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 })), { minLength: 1, maxLength: 4 }),
      signed: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant("shop" as const),
      value: fc.oneof(fc.constantFrom("", "never-installed.myshopify.com", "EVIL.myshopify.com", "a.myshopify.com.evil.com", "../../etc/passwd"), hostileString.filter((s) => s.length < 300)),
      signed: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant("timestamp" as const),
      value: fc.oneof(fc.constantFrom("0", "-1", "abc", "", "1e99", String(Math.floor(Date.now() / 1000) - 3600), String(Math.floor(Date.now() / 1000) + 3600)), fc.string({ maxLength: 12 })),
      signed: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("raw" as const), query: fc.string({ maxLength: 200 }) }),
  );

  function build(m: Mutation): { query: string; signedShop: string | null } {
    const base = proxyEntries(TEST_SHOP);
    const sign = (entries: [string, string][], signed: boolean) =>
      signed ? signProxyEntries(entries, secret()) : `${new URLSearchParams(entries)}&signature=${"0".repeat(64)}`;
    switch (m.kind) {
      case "tamper": {
        const good = signProxyEntries(base, secret());
        const sig = new URLSearchParams(good).get("signature")!;
        const bad = sig.slice(0, m.at) + m.char + sig.slice(m.at + 1);
        return { query: good.replace(sig, bad === sig ? "f" + sig.slice(1) : bad), signedShop: null };
      }
      case "drop":
        return { query: new URLSearchParams(signProxyEntries(base, secret()).split("&").filter((p) => !p.startsWith(`${m.key}=`)).join("&")).toString(), signedShop: m.key === "signature" ? null : TEST_SHOP };
      case "duplicate": {
        const entries: [string, string][] = m.where === "before" ? [[m.key, m.value], ...base] : [...base, [m.key, m.value]];
        const last = Object.fromEntries(entries).shop ?? null;
        return { query: sign(entries, m.signed), signedShop: m.signed ? last : null };
      }
      case "extra":
        return { query: sign([...m.pairs, ...base], m.signed), signedShop: m.signed ? TEST_SHOP : null };
      case "shop":
        return { query: sign(proxyEntries(m.value), m.signed), signedShop: m.signed ? m.value : null };
      case "timestamp":
        return { query: sign(base.map(([k, v]) => (k === "timestamp" ? [k, m.value] : [k, v])), m.signed), signedShop: m.signed ? TEST_SHOP : null };
      case "raw":
        return { query: m.query, signedShop: null };
    }
  }

  it("never answers 5xx; only an intact signature for one installed shop stores anything, under that shop", async () => {
    await fc.assert(
      fc.asyncProperty(mutation, fc.stringMatching(/^[A-Za-z0-9]{8}$/), async (m, clickSuffix) => {
        await snapshot();
        const { query } = build(m);
        const body = JSON.stringify({ ...validTouchpoint(), ttclid: `E.C.P.q-${clickSuffix}` });
        const res = await call(action, proxyRequest(query, body));
        expect(res.status).toBeLessThan(500);
        if (res.status !== 202) {
          await expectNothingWritten(res);
          return;
        }
        // Accepted: the query names exactly one shop, the one the signature covers, and the click is stored there.
        const params = new URLSearchParams(query);
        expect(params.getAll("shop")).toHaveLength(1);
        const shop = params.get("shop")!;
        expect([TEST_SHOP, OTHER_SHOP]).toContain(shop);
        const rows = await prisma.touchpoint.findMany({ where: { ttclid: `E.C.P.q-${clickSuffix}` } });
        expect(rows).toHaveLength(1);
        expectValidRow(rows[0], shop);
      }),
      fuzzParams(300),
    );
  }, fuzzTimeout());

  it("refuses a repeated shop parameter even when the signature check passes (stored under the wrong shop otherwise)", async () => {
    // GIVEN a query whose signature is valid for OTHER_SHOP (the last value, as the verifier reads it)
    // but whose first shop value, the one URLSearchParams.get returns, is TEST_SHOP
    await snapshot();
    const query = signProxyEntries([["shop", TEST_SHOP], ...proxyEntries(OTHER_SHOP)], secret());
    // WHEN it is posted
    const res = await call(action, proxyRequest(query, JSON.stringify(validTouchpoint())));
    // THEN it is refused and nothing is written for either shop
    await expectNothingWritten(res);
  });
});
