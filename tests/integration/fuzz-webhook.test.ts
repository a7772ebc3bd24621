// Fuzz: orders/create webhooks with a VALID HMAC but hostile content. Shopify retries anything
// that is not a 2xx for 48 hours, so a payload the app cannot use must still get a 200 (and be
// kept as a RejectedWebhook for diagnostics); a usable one becomes exactly one valid OrderRecord.
import fc from "fast-check";
import prisma from "~/core/db.server";
import { encryptToken } from "~/core/connection/token-crypto.server";
import { action } from "~/routes/webhooks.orders.create";
import { TTCLID_RE, TTP_RE, VID_RE } from "../../extensions/tiktok-capture/src/capture";
import { ORDER_FIXTURES, orderFixture } from "../fixtures/orders";
import { TEST_SHOP } from "../support/constants";
import { call, seedOfflineSession, webhookRequest } from "../support/requests";
import {
  arraysForObjects,
  deepJson,
  deeplyNested,
  deletePath,
  fuzzParams,
  fuzzTimeout,
  hostileNumber,
  hostileValue,
  hugeString,
  isWellFormed,
  nullEverywhere,
  rowCounts,
  setPath,
  wellFormedDeep,
} from "../support/fuzz";

const TOPIC = "orders/create";
const MATCH_KEYS = ["email", "phone", "ttclid", "ttp", "external_id", "first_name", "last_name", "zip_code", "city", "state", "country", "ip", "user_agent", "locale"];
// "cancelled": a mutated payload may carry a cancelled_at or a voided financial_status (ADR 0023 §2).
const DECISIONS = ["queued", "waiting_reconnect", "not_attributed", "not_connected", "test_order", "left_out", "cancelled"];

// Fixtures without ids above 2^53, so JSON.parse keeps them exact for mutation.
const BASES = ORDER_FIXTURES.filter((f) => !f.startsWith("large-id")).map((f) => JSON.parse(orderFixture(f)) as Record<string, unknown>);

let nextId = 6_000_000_000_000;
/** A fresh order id per run, so most runs reach ingestion instead of the duplicate check. */
function withFreshId(order: Record<string, unknown>) {
  const id = nextId++;
  return { ...order, id, admin_graphql_api_id: typeof order.admin_graphql_api_id === "string" && order.admin_graphql_api_id.includes("/Order/") ? `gid://shopify/Order/${id}` : order.admin_graphql_api_id };
}

const PATHS: (string | number)[][] = [
  ["id"], ["admin_graphql_api_id"], ["name"], ["order_number"], ["created_at"], ["processed_at"], ["currency"], ["presentment_currency"],
  ["total_price"], ["current_total_price"], ["total_price_set"], ["total_price_set", "shop_money"], ["total_price_set", "shop_money", "amount"],
  ["email"], ["contact_email"], ["phone"], ["customer"], ["customer", "id"], ["customer", "email"], ["customer", "phone"],
  ["customer", "default_address"], ["customer", "default_address", "country_code"], ["billing_address"], ["billing_address", "phone"],
  ["billing_address", "country_code"], ["shipping_address"], ["shipping_address", "phone"], ["note_attributes"], ["note_attributes", 0],
  ["note_attributes", 0, "name"], ["note_attributes", 0, "value"], ["note_attributes", 1, "value"], ["landing_site"], ["browser_ip"],
  ["client_details"], ["client_details", "browser_ip"], ["client_details", "user_agent"], ["source_name"], ["test"], ["line_items"],
  ["line_items", 0], ["line_items", 0, "id"], ["line_items", 0, "price"], ["line_items", 0, "quantity"], ["line_items", 0, "title"],
];
const ID_PATHS: (string | number)[][] = [["id"], ["customer", "id"], ["line_items", 0, "id"], ["line_items", 0, "product_id"], ["line_items", 0, "variant_id"]];

/** Stand-ins replaced in the JSON text after stringify, for what JSON.stringify cannot produce. */
const RAW = {
  deep: ["__RAW_DEEP__", deeplyNested(20_000, "mixed")],
  bigInt: ["__RAW_BIGINT__", "123456789012345678901234567890"],
  negBigInt: ["__RAW_NEGBIGINT__", "-98765432109876543210"],
  exp: ["__RAW_EXP__", "6.0e12"],
} as const;
const rawToken = fc.constantFrom(...Object.values(RAW).map(([token]) => token));
const withRaw = (json: string) => Object.values(RAW).reduce((s, [token, text]) => s.split(`"${token}"`).join(text), json);

const idValue = fc.oneof(
  hostileNumber,
  fc.constantFrom(-1, 0, 1.5, 6e12 + 0.5, -6e12, 2 ** 53 + 2, "6000000000001", " 6000000000001", "6e12", "-5", "0x10", "", "01", "gid://shopify/Order/5"),
  rawToken,
);

type Op =
  | { op: "set"; path: (string | number)[]; value: unknown }
  | { op: "delete"; path: (string | number)[] }
  | { op: "id"; path: (string | number)[]; value: unknown }
  | { op: "huge"; path: (string | number)[]; value: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("set" as const), path: fc.constantFrom(...PATHS), value: fc.oneof(hostileValue, rawToken) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("delete" as const), path: fc.constantFrom(...PATHS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("id" as const), path: fc.constantFrom(...ID_PATHS), value: idValue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("huge" as const), path: fc.constantFrom(...PATHS), value: hugeString }) },
);

const hostileOrder: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...BASES), fc.array(op, { minLength: 1, maxLength: 6 }), fc.constantFrom("none", "none", "none", "nulls", "arrays"))
  .map(([base, ops, whole]) => {
    let order: unknown = withFreshId(base);
    for (const o of ops) order = o.op === "delete" ? deletePath(order, o.path) : setPath(order, o.path, o.value);
    if (whole === "nulls") order = nullEverywhere(order);
    if (whole === "arrays") order = arraysForObjects(order);
    return withRaw(JSON.stringify(wellFormedDeep(order)));
  });

const hostileBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: hostileOrder },
  { weight: 1, arbitrary: fc.constantFrom(...BASES).map((b) => JSON.stringify(withFreshId(b))) },
  { weight: 1, arbitrary: hostileValue.map((v) => JSON.stringify(wellFormedDeep(v))).filter((s): s is string => s !== undefined) },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: deepJson },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "null", "0", '""', "[]", "{}", '{"id":null}', '{"__proto__":{"id":1},"line_items":[]}',
      JSON.stringify({ ...withFreshId(BASES[0]), line_items: Array.from({ length: 5_000 }, (_, i) => ({ id: i + 1, price: "1.00", quantity: 1 })) }),
      JSON.stringify({ ...withFreshId(BASES[0]), note_attributes: Array.from({ length: 5_000 }, (_, i) => ({ name: `k${i}`, value: "v".repeat(100) })) }),
    ),
  },
);

beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
  // Connected and sending all orders, so accepted payloads go all the way to an outbox event.
  await prisma.tikTokConnection.create({
    data: { shop: TEST_SHOP, status: "connected", accessTokenEnc: encryptToken("tt-fuzz-token"), advertiserId: "7100000000000000001", pixelCode: "CFUZZPIXEL01", sendMode: "all", connectedAt: new Date() },
  });
});

async function deliver(rawBody: string) {
  return call(action, webhookRequest({ topic: TOPIC, shop: TEST_SHOP, payload: null, rawBody }));
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

async function expectValidOrderRecord(orderRecordId: string) {
  const r = await prisma.orderRecord.findUniqueOrThrow({ where: { id: orderRecordId }, include: { event: true } });
  expect(r.shop).toBe(TEST_SHOP);
  expect(r.orderId).toMatch(/^[1-9]\d{0,19}$/);
  expect(Number.isFinite(r.orderCreatedAt.getTime())).toBe(true);
  expect(r.currency).toMatch(/^[A-Z]{3}$/);
  if (r.presentmentCurrency !== null) expect(r.presentmentCurrency).toMatch(/^[A-Z]{3}$/);
  expect(r.totalValue.toString()).toMatch(/^-?\d+(\.\d+)?$/);
  if (r.emailHash !== null) expect(r.emailHash).toMatch(/^[0-9a-f]{64}$/);
  if (r.phoneHash !== null) expect(r.phoneHash).toMatch(/^[0-9a-f]{64}$/);
  if (r.customerId !== null) expect(r.customerId).toMatch(/^[1-9]\d{0,19}$/);
  if (r.visitorId !== null) expect(r.visitorId).toMatch(VID_RE);
  if (r.ttclid !== null) expect(r.ttclid).toMatch(TTCLID_RE);
  if (r.ttp !== null) expect(r.ttp).toMatch(TTP_RE);
  if (r.orderName !== null) expect(r.orderName.length).toBeLessThanOrEqual(255);
  if (r.sourceName !== null) expect(r.sourceName.length).toBeLessThanOrEqual(128);
  const keys = JSON.parse(r.matchKeys);
  expect(Array.isArray(keys)).toBe(true);
  for (const k of keys) expect(MATCH_KEYS).toContain(k);
  expect(DECISIONS).toContain(r.sendDecision);
  if (r.event) {
    expect(["queued", "waiting_reconnect"]).toContain(r.event.status);
    expect(r.event.eventId).toBe(r.orderId);
    const payload = JSON.parse(r.event.payload);
    expect(payload.event_id).toBe(r.orderId);
    expect(Number.isFinite(r.event.eventTime.getTime())).toBe(true);
  } else {
    expect(["queued", "waiting_reconnect"]).not.toContain(r.sendDecision);
  }
}

describe("fuzz: orders/create with a valid HMAC and hostile content", () => {
  it("answers 200 every time: an unusable payload becomes one RejectedWebhook, a usable one one valid OrderRecord", async () => {
    const seen = { rejected: 0, recorded: 0, duplicate: 0 };
    await fc.assert(
      fc.asyncProperty(hostileBody, async (rawBody) => {
        const before = await rowCounts(prisma);
        const res = await deliver(rawBody);
        expect(res.status).toBe(200);
        const after = await rowCounts(prisma);
        const delta = Object.fromEntries(Object.keys(after).map((t) => [t, after[t] - (before[t] ?? 0)]));
        const changed = Object.entries(delta).filter(([, n]) => n !== 0).map(([t]) => t).sort();
        if (delta.RejectedWebhook === 1) {
          // Rejected: the reason is kept, nothing else is written.
          expect(changed).toEqual(["RejectedWebhook"]);
          const rejected = await prisma.rejectedWebhook.findFirstOrThrow({ orderBy: { receivedAt: "desc" } });
          expect(rejected.shop).toBe(TEST_SHOP);
          expect(rejected.reason.length).toBeGreaterThan(0);
          expect(rejected.reason.length).toBeLessThanOrEqual(500);
          seen.rejected++;
        } else if (delta.OrderRecord === 1) {
          expect(changed.filter((t) => t !== "OrderRecord" && t !== "OutboxEvent")).toEqual([]);
          const latest = await prisma.orderRecord.findFirstOrThrow({ orderBy: { receivedAt: "desc" }, select: { id: true } });
          await expectValidOrderRecord(latest.id);
          seen.recorded++;
        } else {
          // A duplicate delivery of an order already recorded: nothing written at all.
          expect(changed).toEqual([]);
          seen.duplicate++;
        }
      }),
      fuzzParams(250),
    );
    // The generator must reach both outcomes, or the property proves little.
    expect(seen.rejected).toBeGreaterThan(0);
    expect(seen.recorded).toBeGreaterThan(0);
    console.info(`orders/create fuzz: ${JSON.stringify(seen)}`);
  }, fuzzTimeout(60_000));

  // Control characters in name/source_name: on PostgreSQL a U+0000 would make the insert fail, the
  // route answer 500 and Shopify retry for hours. The parser drops them.
  it("acknowledges an order whose text fields carry control characters, and stores none of them raw", async () => {
    const id = nextId++;
    const order = { ...BASES[0], id, admin_graphql_api_id: `gid://shopify/Order/${id}`, name: "#10\u000071\u0007", source_name: "web\u001b[31m" };
    const res = await deliver(JSON.stringify(order));
    expect(res.status).toBe(200);
    const row = await prisma.orderRecord.findUnique({ where: { shop_orderId: { shop: TEST_SHOP, orderId: String(id) } } });
    for (const v of [row?.orderName, row?.sourceName]) if (v) expect(v).not.toMatch(CONTROL);
  });

  // A lone UTF-16 surrogate in a stored text field makes Prisma's query serialisation throw; the
  // parser replaces ill-formed text so the order is still recorded.
  it("acknowledges an order whose name or source_name holds a lone surrogate", async () => {
    for (const field of ["name", "source_name"]) {
      const id = nextId++;
      const order = { ...BASES[0], id, admin_graphql_api_id: `gid://shopify/Order/${id}`, [field]: "web\ud800" };
      const res = await deliver(JSON.stringify(order));
      expect(res.status).toBe(200);
      const row = await prisma.orderRecord.findUnique({ where: { shop_orderId: { shop: TEST_SHOP, orderId: String(id) } } });
      for (const v of [row?.orderName, row?.sourceName]) if (v) expect(isWellFormed(v)).toBe(true);
    }
  });

  it("keeps an exact order id above 2^53 and a float id is never rounded into someone's order", async () => {
    const big = JSON.stringify({ ...BASES[0], admin_graphql_api_id: undefined, id: "__RAW_BIGINT__" }).replace('"__RAW_BIGINT__"', "9007199254740993");
    expect((await deliver(big)).status).toBe(200);
    expect(await prisma.orderRecord.count({ where: { orderId: "9007199254740993" } })).toBe(1);
    expect(await prisma.orderRecord.count({ where: { orderId: "9007199254740992" } })).toBe(0);

    const before = await prisma.orderRecord.count();
    const float = JSON.stringify({ ...BASES[0], admin_graphql_api_id: undefined, id: 6100000000000.5 });
    expect((await deliver(float)).status).toBe(200);
    expect(await prisma.orderRecord.count()).toBe(before);
  });

  // authenticate.webhook JSON.parses the body after the HMAC check and throws a SyntaxError; the
  // route must still acknowledge it (recorded as a RejectedWebhook) rather than have Shopify retry.
  it.each(["{not json", '{"id":1,', "[".repeat(10) + "]", '{"id":1}garbage'])(
    "acknowledges a body that is not JSON at all (%j) instead of a 500 Shopify retries for 48 h",
    async (rawBody) => {
      const before = await prisma.rejectedWebhook.count();
      const res = await deliver(rawBody);
      expect(res.status).toBe(200);
      expect(await prisma.rejectedWebhook.count()).toBe(before + 1);
    },
  );
});
