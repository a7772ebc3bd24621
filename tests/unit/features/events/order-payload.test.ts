import { ORDER_FIXTURES, orderFixture, type OrderFixture } from "../../../fixtures/orders";
import {
  LIMITS,
  noteAttribute,
  parseOrderWebhook,
  ttclidFromLandingSite,
  ttclidFromNotes,
  ttpFromNotes,
  visitorIdFromNotes,
  type ParsedOrder,
} from "~/features/events/order-payload";
import { hasLoneSurrogate } from "~/core/lib/text";

function parseFixture(name: OrderFixture): ParsedOrder {
  const result = parseOrderWebhook(orderFixture(name));
  if (!result.ok) throw new Error(`${name}: ${result.reason}`);
  return result.order;
}

/** A minimal valid order body, with overrides; ids given as raw JSON text where it matters. */
function body(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 1001,
    admin_graphql_api_id: "gid://shopify/Order/1001",
    created_at: "2025-01-01T00:00:00Z",
    currency: "USD",
    total_price: "10.00",
    line_items: [],
    ...fields,
  });
}

function reject(raw: string): string {
  const result = parseOrderWebhook(raw);
  if (result.ok) throw new Error(`expected a rejection, got order ${result.order.orderId}`);
  return result.reason;
}

describe("parseOrderWebhook on fixtures", () => {
  it.each(ORDER_FIXTURES.filter((f) => f !== "not-an-order"))("accepts %s", (name) => {
    const order = parseFixture(name);
    expect(order.orderId).toMatch(/^[1-9]\d*$/);
    expect(order.orderGid).toBe(`gid://shopify/Order/${order.orderId}`);
    expect(order.createdAt.getTime()).not.toBeNaN();
    expect(order.currency).toMatch(/^[A-Z]{3}$/);
    expect(order.totalValue).toMatch(/^\d+(\.\d+)?$/);
  });

  it("reads a full web order", () => {
    const order = parseFixture("web-attributed");
    expect(order).toMatchObject({
      orderId: "5324830114101",
      name: "#1071",
      currency: "USD",
      presentmentCurrency: "USD",
      totalValue: "64.98",
      email: "Ada.Lovelace@Example.com", // raw (trimmed); normalised only when hashed
      countryCode: "US",
      customerId: "7012345678901",
      browserIp: "203.0.113.7",
      sourceName: "web",
      isTest: false,
      lineItemCount: 2,
    });
    expect(order.createdAt.toISOString()).toBe("2025-01-01T15:00:00.000Z");
    expect(order.userAgent).toContain("musical_ly");
    expect(order.landingSite).toMatch(/^\/products\/analytical-engine-tee\?ttclid=/);
    expect(order.noteAttributes).toEqual({
      _tt_visitor_id: "tta1.Ada7f3c2a1e5b9d4c8e9a7",
      _tt_ttclid: "E.C.P.CsEBbQH0kIBmExample-Click_01",
      _tt_ttclid_at: "1735743300000",
      _tt_ttp: "2ZQk1pQx0Example_ttp_Cookie",
      gift_wrap: "yes",
    });
    expect(order.phoneCandidates).toEqual([
      { source: "billing", raw: "(202) 555-0143", countryCode: "US" },
    ]);
    expect(order.lineItems).toEqual([
      {
        id: "13712345678901",
        productId: "8123456789012",
        variantId: "45123456789012",
        sku: "AET-M-BLK",
        title: "Analytical Engine Tee",
        price: "29.99",
        quantity: 1,
      },
      {
        id: "13712345678902",
        productId: "8123456789013",
        variantId: "45123456789013",
        sku: null, // "" is no SKU
        title: "Note G Mug",
        price: "15.00",
        quantity: 2,
      },
    ]);
  });

  it("reads a guest checkout (customer null)", () => {
    const order = parseFixture("guest-checkout");
    expect(order.customerId).toBeNull();
    expect(order.email).toBe("grace.hopper@example.com");
    expect(order.phoneCandidates).toEqual([
      { source: "billing", raw: "020 7946 0018", countryCode: "GB" },
      { source: "shipping", raw: "+44 20 7946 0018", countryCode: "GB" },
    ]);
    expect(order.noteAttributes).toEqual({});
  });

  it("reads a phone-only order (email \"\", no billing address, custom line item)", () => {
    const order = parseFixture("phone-only");
    expect(order.email).toBeNull();
    expect(order.countryCode).toBe("AU");
    // The same text on the order and the shipping address is one candidate.
    expect(order.phoneCandidates).toEqual([{ source: "order", raw: "0491 570 156", countryCode: "AU" }]);
    expect(order.lineItems[0]).toMatchObject({ productId: null, variantId: null, sku: null, title: "Boomerang (custom)" });
  });

  it("keeps shop currency and shop-money total when the buyer paid in another currency", () => {
    const order = parseFixture("presentment-currency");
    expect(order.currency).toBe("EUR");
    expect(order.presentmentCurrency).toBe("USD");
    expect(order.totalValue).toBe("108.40");
    expect(order.lineItems[0].price).toBe("99.00");
    // Shipping country (FR) for the order phone; the billing phone keeps its own country (DE).
    expect(order.countryCode).toBe("FR");
    expect(order.phoneCandidates).toEqual([
      { source: "order", raw: "06 12 34 56 78", countryCode: "FR" },
      { source: "billing", raw: "0151 23456789", countryCode: "DE" },
    ]);
  });

  it("keeps a zero total as \"0\"", () => {
    expect(parseFixture("zero-total").totalValue).toBe("0");
  });

  it("never rounds ids above 2^53 (with admin_graphql_api_id)", () => {
    const order = parseFixture("large-id");
    expect(JSON.parse(orderFixture("large-id")).id).toBe(9007199254740992); // what JSON.parse would give
    expect(order.orderId).toBe("9007199254740993");
    expect(order.customerId).toBe("9007199254740995");
    expect(order.lineItems[0]).toMatchObject({
      id: "9223372036854775807",
      productId: "9007199254740997",
      variantId: "18014398509481985",
    });
  });

  it("never rounds ids above 2^53 (no GID; nested and quoted \"id\" keys before the top-level one)", () => {
    const order = parseFixture("large-id-no-gid");
    expect(order.orderId).toBe("12345678901234567891");
    expect(order.orderGid).toBe("gid://shopify/Order/12345678901234567891");
    expect(order.customerId).toBe("9007199254740999");
    expect(order.lineItems[0]).toMatchObject({ id: "9007199254741003", variantId: "9007199254741007", quantity: 2 });
    expect(order.countryCode).toBe("BR");
    expect(order.presentmentCurrency).toBeNull();
  });

  it("reads a POS order without browser fields", () => {
    const order = parseFixture("pos");
    expect(order).toMatchObject({
      sourceName: "pos",
      landingSite: null,
      browserIp: null,
      userAgent: null,
      email: "walk.in@example.com", // order email "" falls back to the customer's
      countryCode: "CA",
    });
    expect(order.phoneCandidates).toEqual([{ source: "customer", raw: "+1 416-555-0123", countryCode: "CA" }]);
  });

  it("reads a draft order (customer null, email null, no client_details)", () => {
    const order = parseFixture("draft-order");
    expect(order).toMatchObject({
      sourceName: "shopify_draft_order",
      customerId: null,
      email: null,
      landingSite: null,
      browserIp: null,
      userAgent: null,
      countryCode: "FR",
    });
    expect(order.lineItems[0]).toMatchObject({ productId: null, variantId: null, sku: null });
  });

  it("reads an old test order without presentment_currency or current_total_price", () => {
    const order = parseFixture("legacy-test-order");
    expect(order).toMatchObject({ isTest: true, presentmentCurrency: null, totalValue: "499.00", currency: "INR" });
    expect(order.customerId).toBe("115310627314723954");
    expect(order.phoneCandidates.map((c) => c.source)).toEqual(["billing", "shipping"]);
  });

  it("reads an order whose protected customer data was withheld", () => {
    const order = parseFixture("protected-data-redacted");
    expect(order.email).toBeNull();
    expect(order.phoneCandidates).toEqual([]);
    expect(order.countryCode).toBeNull();
    expect(order.customerId).toBe("7012345679301");
  });

  it("rejects a payload of another topic", () => {
    expect(reject(orderFixture("not-an-order"))).toBe("not an order (admin_graphql_api_id is a Product)");
  });
});

describe("parseOrderWebhook rejections", () => {
  it.each([
    ["", "empty body"],
    ["not json", "body is not valid JSON"],
    ['{"id": 1', "body is not valid JSON"],
    ["[]", "body is not a JSON object"],
    ["null", "body is not a JSON object"],
    ['"order"', "body is not a JSON object"],
    ["{}", "not an order (no admin_graphql_api_id, order_number or line_items)"],
    ['{"id": 5, "title": "a product without a gid"}', "not an order (no admin_graphql_api_id, order_number or line_items)"],
    ['{"line_items": [], "created_at": "2025-01-01T00:00:00Z"}', "order has no id"],
    ['{"id": null, "order_number": 1}', "order has no id"],
    ['{"id": -5, "order_number": 1}', "order id is not a positive integer"],
    ['{"id": 1.5, "order_number": 1}', "order id is not a positive integer"],
    ['{"id": "12abc", "order_number": 1}', "order id is not a positive integer"],
    ['{"id": 0, "order_number": 1}', "order id is not a positive integer"],
  ])("%j → %s", (raw, reason) => {
    expect(reject(raw)).toBe(reason);
  });

  it("rejects an id that contradicts admin_graphql_api_id", () => {
    expect(reject(body({ id: 1002 }))).toBe("order id 1002 does not match admin_graphql_api_id gid://shopify/Order/1001");
  });

  it("rejects an order without a usable created_at", () => {
    expect(reject(body({ created_at: "yesterday" }))).toBe("order 1001 has no valid created_at");
    expect(reject(body({ created_at: null }))).toBe("order 1001 has no valid created_at");
  });

  it("falls back to processed_at when created_at is missing", () => {
    const result = parseOrderWebhook(body({ created_at: undefined, processed_at: "2025-02-02T00:00:00Z" }));
    expect(result.ok && result.order.createdAt.toISOString()).toBe("2025-02-02T00:00:00.000Z");
  });

  it("rejects an order without currency or total", () => {
    expect(reject(body({ currency: null }))).toBe("order 1001 has no valid currency");
    expect(reject(body({ currency: "dollars" }))).toBe("order 1001 has no valid currency");
    expect(reject(body({ total_price: "ten" }))).toBe("order 1001 has no valid total_price");
  });

  it("rejects bodies above the size limit before parsing", () => {
    const raw = " ".repeat(LIMITS.rawBodyChars + 1);
    expect(reject(raw)).toMatch(/^body too large/);
  });
});

describe("parseOrderWebhook field tolerance", () => {
  const parse = (fields: Record<string, unknown>) => {
    const result = parseOrderWebhook(body(fields));
    if (!result.ok) throw new Error(result.reason);
    return result.order;
  };

  it("truncates a long order name between characters, never inside a surrogate pair (found by the webhook fuzzer)", () => {
    const name = parse({ name: "\u{1D54F}".repeat(200) }).name!;
    expect(name.length).toBeLessThanOrEqual(LIMITS.name);
    expect(hasLoneSurrogate(name)).toBe(false);
    expect(name).toBe("\u{1D54F}".repeat(127));
  });

  it("takes the id from the GID when the top-level id is absent", () => {
    expect(parse({ id: undefined }).orderId).toBe("1001");
  });

  it("takes the id from the top-level id (number or digit string) when the GID is absent", () => {
    expect(parse({ admin_graphql_api_id: undefined }).orderId).toBe("1001");
    expect(parse({ admin_graphql_api_id: undefined, id: "98765432109876543210" }).orderId).toBe("98765432109876543210");
  });

  it("falls back through total_price → current_total_price → total_price_set.shop_money", () => {
    expect(parse({ total_price: "12.00", current_total_price: "9.00" }).totalValue).toBe("12.00");
    expect(parse({ total_price: undefined, current_total_price: "9.00" }).totalValue).toBe("9.00");
    expect(
      parse({ total_price: undefined, total_price_set: { shop_money: { amount: "7.50", currency_code: "USD" } } }).totalValue,
    ).toBe("7.50");
  });

  it("takes currency from total_price_set when currency is missing, and uppercases it", () => {
    expect(parse({ currency: undefined, total_price_set: { shop_money: { amount: "1", currency_code: "eur" } } }).currency).toBe("EUR");
    expect(parse({ currency: "gbp" }).currency).toBe("GBP");
  });

  it("tolerates money sent as a number, and never keeps a float it cannot represent exactly", () => {
    expect(parse({ total_price: 19.99 }).totalValue).toBe("19.99");
    expect(parse({ total_price: "1e3", current_total_price: "5.00" }).totalValue).toBe("5.00");
  });

  it("turns malformed optional fields into null instead of rejecting the order", () => {
    const order = parse({
      email: 42,
      phone: { number: "1" },
      customer: "someone",
      billing_address: [],
      shipping_address: { country_code: "United States", phone: 2025550143 },
      client_details: { browser_ip: "not an ip", user_agent: ["x"] },
      browser_ip: "999.1.1.1",
      landing_site: 7,
      note_attributes: "gift",
      test: "yes",
      source_name: "",
      presentment_currency: "US dollars",
      name: null,
    });
    expect(order).toMatchObject({
      email: null,
      phoneCandidates: [],
      customerId: null,
      countryCode: null,
      browserIp: null,
      userAgent: null,
      landingSite: null,
      noteAttributes: {},
      isTest: false,
      sourceName: null,
      presentmentCurrency: null,
      name: null,
    });
  });

  it("falls back from order email to contact_email to customer email", () => {
    expect(parse({ email: "", contact_email: "c@example.com" }).email).toBe("c@example.com");
    expect(parse({ email: null, customer: { id: 5, email: "k@example.com" } }).email).toBe("k@example.com");
  });

  it("uses the top-level browser_ip when client_details has none", () => {
    expect(parse({ client_details: { browser_ip: null }, browser_ip: "192.0.2.1" }).browserIp).toBe("192.0.2.1");
    expect(parse({ client_details: { browser_ip: "2001:db8::2" }, browser_ip: "192.0.2.1" }).browserIp).toBe("2001:db8::2");
  });

  it("orders phone candidates order → customer → billing → shipping, each with its own country", () => {
    const order = parse({
      phone: "+1 202 555 0101",
      customer: { id: 1, phone: "202 555 0102", default_address: { country_code: "US" } },
      billing_address: { phone: "020 7946 0019", country_code: "GB" },
      shipping_address: { phone: "0491 570 157", country_code: "AU" },
    });
    expect(order.countryCode).toBe("AU");
    expect(order.phoneCandidates).toEqual([
      { source: "order", raw: "+1 202 555 0101", countryCode: "AU" },
      { source: "customer", raw: "202 555 0102", countryCode: "US" },
      { source: "billing", raw: "020 7946 0019", countryCode: "GB" },
      { source: "shipping", raw: "0491 570 157", countryCode: "AU" },
    ]);
  });

  it("drops line items without an id and keeps the others", () => {
    const order = parse({ line_items: [{ title: "no id" }, "junk", { id: 7, title: "ok", price: "1.00", quantity: 1 }] });
    expect(order.lineItems.map((li) => li.id)).toEqual(["7"]);
    expect(order.lineItemCount).toBe(3);
  });

  it("caps line items at 1,000 and counts the rest", () => {
    const items = Array.from({ length: 1_500 }, (_, i) => ({ id: i + 1, title: `Item ${i}`, price: "1.00", quantity: 1 }));
    const order = parse({ line_items: items });
    expect(order.lineItems).toHaveLength(LIMITS.lineItems);
    expect(order.lineItemCount).toBe(1_500);
  });

  it("bounds strings: long names are cut, long identifiers and URLs dropped", () => {
    const order = parse({
      name: "#".repeat(10_000),
      email: `${"a".repeat(400)}@example.com`,
      landing_site: `/?q=${"x".repeat(LIMITS.url)}`,
      client_details: { user_agent: "U".repeat(100_000) },
      line_items: [{ id: 1, title: "T".repeat(10_000), sku: "S".repeat(1_000), price: "1.00", quantity: 1 }],
      note_attributes: [
        { name: "_tt_ttclid", value: "E".repeat(LIMITS.noteValue + 1) },
        { name: "k".repeat(LIMITS.noteKey + 1), value: "v" },
        { name: "ok", value: "fine" },
      ],
    });
    expect(order.name).toHaveLength(LIMITS.name);
    expect(order.email).toBeNull();
    expect(order.landingSite).toBeNull();
    expect(order.userAgent).toBeNull();
    expect(order.lineItems[0].title).toHaveLength(LIMITS.title);
    expect(order.lineItems[0].sku).toBeNull();
    expect(order.noteAttributes).toEqual({ ok: "fine" });
  });

  it("keeps note attribute values that are numbers or booleans as text and skips nulls", () => {
    const order = parse({
      note_attributes: [
        { name: "_tt_ttclid_at", value: 1735743300000 },
        { name: "flag", value: true },
        { name: "empty", value: null },
        { value: "nameless" },
        null,
      ],
    });
    expect(order.noteAttributes).toEqual({ _tt_ttclid_at: "1735743300000", flag: "true" });
  });

  it("cannot pollute prototypes through a __proto__ attribute", () => {
    const order = parseOrderWebhook(
      '{"id":1,"order_number":1,"created_at":"2025-01-01T00:00:00Z","currency":"USD","total_price":"1","note_attributes":[{"name":"__proto__","value":"x"}]}',
    );
    expect(order.ok && Object.getPrototypeOf(order.order.noteAttributes)).toBe(Object.prototype);
    expect(order.ok && noteAttribute(order.order, "__proto__")).toBe("x");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("note attribute helpers", () => {
  const order = (attrs: Record<string, string>) => ({ noteAttributes: attrs });

  it("noteAttribute trims and treats blank as absent", () => {
    expect(noteAttribute(order({ a: "  v " }), "a")).toBe("v");
    expect(noteAttribute(order({ a: "   " }), "a")).toBeNull();
    expect(noteAttribute(order({}), "a")).toBeNull();
    expect(noteAttribute(order({}), "toString")).toBeNull();
  });

  it("reads our cart attribute keys", () => {
    const o = parseFixture("web-attributed");
    expect(visitorIdFromNotes(o)).toBe("tta1.Ada7f3c2a1e5b9d4c8e9a7");
    expect(ttpFromNotes(o)).toBe("2ZQk1pQx0Example_ttp_Cookie");
    expect(ttclidFromNotes(o)).toEqual({
      ttclid: "E.C.P.CsEBbQH0kIBmExample-Click_01",
      capturedAt: new Date(1735743300000),
    });
  });

  it("keeps a ttclid whose capture time is unreadable, without a time", () => {
    expect(ttclidFromNotes(parseFixture("legacy-test-order"))).toEqual({ ttclid: "E.C.P.LegacyClick", capturedAt: null });
  });

  it("accepts only what the storefront embed writes (ADR 0007 patterns)", () => {
    expect(visitorIdFromNotes(order({ _tt_visitor_id: " tta1.AAAAAAAAAAAAAAAAAAAAA_ " }))).toBe("tta1.AAAAAAAAAAAAAAAAAAAAA_");
    expect(visitorIdFromNotes(order({ _tt_visitor_id: "tta1.short" }))).toBeNull();
    expect(visitorIdFromNotes(order({ _tt_visitor_id: "V-7f3c2a1e-5b9d-4c8e-9a71-2f6d0e4b8c13" }))).toBeNull();
    expect(visitorIdFromNotes(parseFixture("zero-total"))).toBeNull(); // "  "
    expect(ttclidFromNotes(order({ _tt_ttclid: "has space" }))).toBeNull();
    expect(ttclidFromNotes(order({ _tt_ttclid: "E.C.P.a+b/c=" }))).toBeNull();
    expect(ttclidFromNotes(order({ _tt_ttclid: "E".repeat(513) }))).toBeNull();
    expect(ttclidFromNotes(order({ _tt_ttclid: "E".repeat(512) }))?.ttclid).toHaveLength(512);
    expect(ttpFromNotes(order({ _tt_ttp: "bad\nvalue" }))).toBeNull();
    expect(ttpFromNotes(order({ _tt_ttp: "t".repeat(129) }))).toBeNull();
    expect(ttpFromNotes(order({ _tt_ttp: "" }))).toBeNull(); // the embed clears it with ""
  });
});

describe("ttclidFromLandingSite", () => {
  it.each([
    ["/products/x?ttclid=E.C.P.abc123&utm_source=tiktok", "E.C.P.abc123"],
    ["/?utm_source=tiktok&ttclid=E.C.P.abc", "E.C.P.abc"],
    ["https://shop.example/p?ttclid=E.C.P.abs", "E.C.P.abs"],
    ["/?ttclid=E_C_P_underscored&ttclid=second", "E_C_P_underscored"], // first one wins, as in the embed
    ["/?ttclid=E.C.P.a+b/c=", null], // not base64url
    ["/?ttclid=E.C.P.enc%2Bx", null],
    ["/?ttclid=%45.C.P.encoded", "E.C.P.encoded"],
    ["/?ttclid=", null],
    ["/?ttclid=a%0Ab", null],
    ["/?TTCLID=upper", null],
    ["/products/x", null],
    ["/#ttclid=frag", null],
    ["", null],
    [null, null],
    [undefined, null],
  ])("%j → %j", (site, expected) => {
    expect(ttclidFromLandingSite(site)).toBe(expected);
  });

  it("reads the fixtures", () => {
    expect(ttclidFromLandingSite(parseFixture("guest-checkout").landingSite)).toBe("E.C.P.Guest-Click_02");
    expect(ttclidFromLandingSite(parseFixture("pos").landingSite)).toBeNull();
  });
});
