import { ORDER_FIXTURES, orderFixture, type OrderFixture } from "../../../fixtures/orders";
import { buildTikTokEvent, MATCH_KEYS, pageUrl, type BuildEventInput } from "~/features/events/build-event";
import { EVENT_FIELDS } from "~/features/events/event-fields";
import { sha256Hex } from "~/features/events/normalise";
import { parseOrderWebhook, ttclidFromNotes, ttpFromNotes, visitorIdFromNotes, type ParsedOrder } from "~/features/events/order-payload";

const SHOP = "tiktok-bridge-demo.myshopify.com";

function parseFixture(name: OrderFixture): ParsedOrder {
  const result = parseOrderWebhook(orderFixture(name));
  if (!result.ok) throw new Error(`${name}: ${result.reason}`);
  return result.order;
}

function build(name: OrderFixture, extra: Partial<BuildEventInput> = {}) {
  return buildTikTokEvent({ order: parseFixture(name), eventName: "CompletePayment", shopDomain: SHOP, ...extra });
}

/** Every leaf path of an event: `a.b`, and `a[].b` for each element of a list. */
function leafPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => leafPaths(v, `${prefix}[]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

describe("the Data-sent panel's field list (event-fields.ts)", () => {
  it("is exactly what the builder emits when every input is present", () => {
    const order = parseFixture("web-attributed");
    const built = buildTikTokEvent({
      order,
      eventName: "Purchase",
      visitorId: visitorIdFromNotes(order),
      ttclid: ttclidFromNotes(order)?.ttclid,
      ttp: ttpFromNotes(order),
      shopDomain: SHOP,
      limitedDataUse: true,
    });
    expect(new Set(leafPaths(built.event))).toEqual(new Set(EVENT_FIELDS.map((f) => f.path)));
  });

  it("says when each field that can be missing is left out, and every match key is listed", () => {
    const bare = build("large-id-no-gid");
    const present = new Set(leafPaths(bare.event));
    for (const f of EVENT_FIELDS) if (!present.has(f.path)) expect(f.leftOut, f.path).toEqual(expect.any(String));
    for (const key of MATCH_KEYS) expect(EVENT_FIELDS.map((f) => f.path)).toContain(`user.${key}`);
  });
});

describe("buildTikTokEvent", () => {
  it("builds the full event for an attributed web order", () => {
    // GIVEN an order whose cart carried our visitor id, ttclid and _ttp
    const order = parseFixture("web-attributed");
    // WHEN the event is built with what attribution chose
    const built = buildTikTokEvent({
      order,
      eventName: "CompletePayment",
      visitorId: visitorIdFromNotes(order),
      ttclid: ttclidFromNotes(order)?.ttclid,
      ttp: ttpFromNotes(order),
      shopDomain: SHOP,
    });
    // THEN it is one Events API 2.0 data[] item with hashed PII and unhashed click/browser keys
    expect(built.event).toEqual({
      event: "CompletePayment",
      event_time: 1735743600, // 2025-01-01T10:00:00-05:00
      event_id: "5324830114101",
      user: {
        email: "e814ff3dc480a94c7ce9334062ec4733c75a002f4bcec0197f62ffea64059e2f", // ada.lovelace@example.com
        phone: "54af34308301e43f00650baaeb6cf4925b942201d74191b26d48292cfec907fd", // +12025550143
        external_id: "f8546347cda5740bcc749ee72ee3352f2e07926287f9fa274d786606475a21cf", // tta1.Ada7f3c2a1e5b9d4c8e9a7
        ttclid: "E.C.P.CsEBbQH0kIBmExample-Click_01",
        ttp: "2ZQk1pQx0Example_ttp_Cookie",
        // The billing address, as TikTok's Segment destination normalises it: names and zip hashed, place in clear.
        first_name: sha256Hex("ada"),
        last_name: sha256Hex("lovelace"),
        zip_code: sha256Hex("10001"),
        city: "newyork",
        state: "ny",
        country: "us",
        ip: "203.0.113.7",
        user_agent: order.userAgent,
        locale: "en-US",
      },
      page: {
        url: `https://${SHOP}/products/analytical-engine-tee?ttclid=E.C.P.CsEBbQH0kIBmExample-Click_01&utm_source=tiktok&utm_medium=paid&utm_campaign=winter`,
      },
      properties: {
        value: 64.98,
        currency: "USD",
        contents: [
          { content_type: "product", content_id: "45123456789012", content_name: "Analytical Engine Tee", price: 29.99, quantity: 1 },
          { content_type: "product", content_id: "45123456789013", content_name: "Note G Mug", price: 15, quantity: 2 },
        ],
        content_ids: ["45123456789012", "45123456789013"],
        content_type: "product",
        num_items: 3,
      },
    });
    expect(built.matchKeys).toEqual(["email", "phone", "ttclid", "ttp", "external_id", "first_name", "last_name", "zip_code", "city", "state", "country", "ip", "user_agent", "locale"]);
    expect(built.emailHash).toBe(built.event.user.email);
    expect(built.phoneHash).toBe(built.event.user.phone);
  });

  it("serialises event_id and content ids as JSON strings and value/price as numbers", () => {
    const json = JSON.parse(JSON.stringify(build("web-attributed").event));
    expect(typeof json.event_id).toBe("string");
    // content_type on each item (TikTok's template) and at the top (its Segment destination); no order_id: no TikTok source has one.
    expect(json.properties.content_type).toBe("product");
    expect(json.properties.content_ids.every((id: unknown) => typeof id === "string")).toBe(true);
    expect(json.properties).not.toHaveProperty("order_id");
    expect(typeof json.properties.value).toBe("number");
    expect(typeof json.properties.contents[0].content_id).toBe("string");
    expect(typeof json.properties.contents[0].price).toBe("number");
    expect(Number.isInteger(json.event_time)).toBe(true);
  });

  it("never lets raw email or phone into the output", () => {
    for (const name of ORDER_FIXTURES.filter((f) => f !== "not-an-order")) {
      const order = parseFixture(name);
      const out = JSON.stringify(buildTikTokEvent({ order, eventName: "Purchase", shopDomain: SHOP }));
      const raws = [order.email, ...order.phoneCandidates.map((c) => c.raw)].filter((v): v is string => !!v);
      for (const raw of raws) {
        expect(out).not.toContain(raw);
        expect(out.toLowerCase()).not.toContain(raw.trim().toLowerCase());
        const digits = raw.replace(/\D/g, "");
        if (digits.length >= 7) expect(out).not.toContain(digits);
      }
    }
  });

  it("guest checkout: email and the first phone that normalises, no external_id without a visitor", () => {
    const built = build("guest-checkout", { ttclid: "E.C.P.Guest-Click_02" });
    expect(built.event.user).toEqual({
      email: "a460d7fa831915bb17b55b9151a5278e916f2de6480dc2171845c4b305620428", // grace.hopper@example.com
      phone: "faad3b10918e39b5f4d5334f1e1e128719608e8bd3ad3b963dc30187b4518e23", // +442079460018
      ttclid: "E.C.P.Guest-Click_02",
      first_name: sha256Hex("grace"),
      last_name: sha256Hex("hopper"),
      zip_code: sha256Hex("sw1a1aa"), // every space removed
      city: "london",
      country: "gb",
      ip: "198.51.100.23",
      user_agent: expect.stringContaining("Pixel 8"),
    });
    expect(built.matchKeys).toEqual(["email", "phone", "ttclid", "first_name", "last_name", "zip_code", "city", "country", "ip", "user_agent"]);
    expect(built.event.page?.url).toBe(`https://${SHOP}/?ttclid=E.C.P.Guest-Click_02`); // fbclid dropped
  });

  it("phone-only order: no email key, phone hashed from the national AU number", () => {
    const built = build("phone-only");
    expect(built.event.user.email).toBeUndefined();
    expect(built.emailHash).toBeNull();
    expect(built.phoneHash).toBe(sha256Hex("+61491570156"));
    // No billing address: the shipping address's name and place.
    expect(built.event.user).toMatchObject({ first_name: sha256Hex("mary"), zip_code: sha256Hex("2000"), city: "sydney", state: "nsw", country: "au" });
    expect(built.matchKeys).toEqual(["phone", "first_name", "last_name", "zip_code", "city", "state", "country", "ip", "user_agent"]);
    // A custom line item has no content id, and says so by leaving it out.
    expect(built.event.properties.contents).toEqual([{ content_type: "product", content_name: "Boomerang (custom)", price: 89.95, quantity: 1 }]);
    expect(built.event.page?.url).toBe(`https://${SHOP}/collections/all`);
  });

  it("presentment ≠ shop currency: value and prices in shop currency with the shop's currency code", () => {
    const built = build("presentment-currency");
    expect(built.event.properties).toMatchObject({ value: 108.4, currency: "EUR" });
    expect(built.event.properties.contents?.[0]).toMatchObject({ content_id: "45123456789201", price: 99 });
    // The order phone is read in the shipping country (France), not as a German number.
    expect(built.phoneHash).toBe(sha256Hex("+33612345678"));
    // Absolute landing site kept on its host; customer_token and fragment removed.
    expect(built.event.page?.url).toBe(
      // no click attribution was given, so the landing click id is not kept
      "https://tiktok-bridge-demo.myshopify.com/products/radium-lamp?utm_source=tiktok",
    );
  });

  it("zero total: value 0 is sent, not dropped", () => {
    const built = build("zero-total");
    expect(built.event.properties.value).toBe(0);
    expect(built.event.properties.currency).toBe("JPY");
    expect(built.event.properties.contents?.[0]).toMatchObject({ content_id: "45123456789301", price: 1500, quantity: 1 });
    expect(built.phoneHash).toBe(sha256Hex("+819012345678"));
  });

  it("ids above 2^53 are exact in event_id and content ids", () => {
    const built = build("large-id");
    expect(built.event.event_id).toBe("9007199254740993");
    expect(built.event.properties.contents?.[0].content_id).toBe("18014398509481985");
    const noGid = build("large-id-no-gid");
    expect(noGid.event.event_id).toBe("12345678901234567891");
    expect(noGid.event.properties.contents?.[0].content_id).toBe("9007199254741007");
    expect(noGid.phoneHash).toBe(sha256Hex("+5511912345678"));
  });

  it("POS order: no page, ip or user agent; customer email and phone still match", () => {
    const built = build("pos");
    expect(built.event.page).toBeUndefined();
    // Only the customer's default address, which has just a country.
    expect(built.event.user).toEqual({ email: sha256Hex("walk.in@example.com"), phone: sha256Hex("+14165550123"), country: "ca" });
    expect(built.matchKeys).toEqual(["email", "phone", "country"]);
  });

  it("draft order: only the billing phone, and a custom line item without content id", () => {
    const built = build("draft-order", { eventName: "Purchase" });
    expect(built.event.event).toBe("Purchase");
    expect(built.event.page).toBeUndefined();
    expect(built.event.user).toEqual({ phone: sha256Hex("+33123456789"), first_name: sha256Hex("pierre"), last_name: sha256Hex("exemple"), city: "paris", country: "fr" });
    expect(built.event.properties).toMatchObject({ value: 250, currency: "EUR" });
    expect(built.event.properties.contents).toEqual([{ content_type: "product", content_name: "Consulting hour", price: 250, quantity: 1 }]);
  });

  describe("buyer IP and user agent: sent only when they are the buyer's", () => {
    const STAFF = { browser_ip: "198.51.100.200", client_details: { browser_ip: "198.51.100.200", user_agent: "Mozilla/5.0 (Macintosh) Staff admin" } };
    /** The fixture with these fields replaced, parsed like a delivery. */
    const withFields = (name: OrderFixture, fields: Record<string, unknown>) => {
      const result = parseOrderWebhook(JSON.stringify({ ...JSON.parse(orderFixture(name)), ...fields }));
      if (!result.ok) throw new Error(result.reason);
      return buildTikTokEvent({ order: result.order, eventName: "CompletePayment", shopDomain: SHOP });
    };

    it.each([
      ["a draft order made by staff", "draft-order", {}],
      ["a POS sale", "pos", {}],
      ["an order with no source", "web-attributed", { source_name: null }],
      ["an order created by another app", "web-attributed", { source_name: "1234567" }],
    ] as const)("%s carrying browser details sends neither", (_label, name, fields) => {
      const built = withFields(name, { ...STAFF, ...fields });
      expect(built.event.user.ip).toBeUndefined();
      expect(built.event.user.user_agent).toBeUndefined();
      expect(built.matchKeys).not.toContain("ip");
      expect(built.matchKeys).not.toContain("user_agent");
    });

    it.each(["0.0.0.0", "10.20.30.40", "192.168.1.10", "172.16.5.4", "127.0.0.1", "169.254.10.1", "100.64.0.9", "::", "::1", "fe80::1", "fd12::1", "::ffff:10.0.0.1", "255.255.255.255"])(
      "an online order from %s sends the user agent but not that address",
      (address) => {
        const built = withFields("web-attributed", { browser_ip: address, client_details: { browser_ip: address, user_agent: "Mozilla/5.0 (iPhone) Buyer" } });
        expect(built.event.user.ip).toBeUndefined();
        expect(built.event.user.user_agent).toBe("Mozilla/5.0 (iPhone) Buyer");
      },
    );

    it.each(["203.0.113.7", "198.51.100.23", "2001:db8::7", "::ffff:192.0.2.9"])("an online order from %s sends it", (address) => {
      const built = withFields("web-attributed", { browser_ip: address, client_details: { browser_ip: address, user_agent: "Mozilla/5.0 (iPhone) Buyer" } });
      expect(built.event.user.ip).toBe(address);
    });
  });

  it("test order from an old payload: builds normally (sending is the caller's decision)", () => {
    const built = build("legacy-test-order");
    expect(built.event.event_time).toBe(Date.parse("2021-06-15T17:45:00+05:30") / 1000);
    expect(built.phoneHash).toBe(sha256Hex("+919876543210"));
    expect(built.event.page?.url).toBe(`https://${SHOP}/products/chai?utm_source=tiktok&utm_campaign=monsoon`);
  });

  it("order with withheld customer data: only browser and storefront keys", () => {
    const order = parseFixture("protected-data-redacted");
    const built = buildTikTokEvent({
      order,
      eventName: "CompletePayment",
      visitorId: visitorIdFromNotes(order),
      ttp: ttpFromNotes(order),
      ttclid: "E.C.P.RedactedOrder",
      shopDomain: SHOP,
    });
    expect(built.matchKeys).toEqual(["ttclid", "ttp", "external_id", "ip", "user_agent"]);
    expect(built.event.user.external_id).toBe(sha256Hex("tta1.RedactedOrder-00000001"));
  });

  it("does not hash already-hashed email, phone or visitor id again", () => {
    const email = sha256Hex("ada.lovelace@example.com");
    const phone = sha256Hex("+12025550143");
    const visitor = sha256Hex("v-1");
    const order: ParsedOrder = {
      ...parseFixture("web-attributed"),
      email: email.toUpperCase(),
      phoneCandidates: [{ source: "order", raw: ` ${phone} `, countryCode: "US" }],
    };
    const built = buildTikTokEvent({ order, eventName: "CompletePayment", visitorId: visitor.toUpperCase(), shopDomain: SHOP });
    expect(built.event.user).toMatchObject({ email, phone, external_id: visitor });
    expect(built.emailHash).toBe(email);
    expect(built.phoneHash).toBe(phone);
  });

  it("tries phone candidates in order and skips ones that cannot be normalised", () => {
    const order: ParsedOrder = {
      ...parseFixture("web-attributed"),
      phoneCandidates: [
        { source: "order", raw: "call me", countryCode: "US" },
        { source: "customer", raw: "2025550143", countryCode: null }, // national, no country
        { source: "billing", raw: "07700 900123", countryCode: "GB" }, // unassigned drama range
        { source: "shipping", raw: "0491 570 158", countryCode: "AU" },
      ],
    };
    const built = buildTikTokEvent({ order, eventName: "CompletePayment", shopDomain: SHOP });
    expect(built.phoneHash).toBe(sha256Hex("+61491570158"));
  });

  it("leaves out phone when no candidate normalises, and never sends empty strings", () => {
    const order: ParsedOrder = {
      ...parseFixture("web-attributed"),
      email: "   ",
      phoneCandidates: [{ source: "order", raw: "12", countryCode: "US" }],
      browserIp: null,
      userAgent: null,
      landingSite: "",
      buyer: { firstName: "  ", lastName: "", zip: " \t", city: "--", state: null, country: "" },
      locale: null,
    };
    const built = buildTikTokEvent({ order, eventName: "CompletePayment", visitorId: " ", ttclid: "", ttp: "  ", shopDomain: SHOP });
    expect(built.event.user).toEqual({});
    expect(built.matchKeys).toEqual([]);
    expect(built.emailHash).toBeNull();
    expect(built.phoneHash).toBeNull();
    expect(built.event.page).toBeUndefined();
    expect(JSON.stringify(built.event)).not.toContain('""');
  });

  it("leaves out a ttclid or ttp that does not follow the embed's rules", () => {
    const built = build("web-attributed", { ttclid: "E.C.P.a+b", ttp: "x y" });
    expect(built.event.user.ttclid).toBeUndefined();
    expect(built.event.user.ttp).toBeUndefined();
  });

  it("is deterministic: the same order builds the same event (safe to rebuild on resend)", () => {
    expect(build("web-attributed", { visitorId: "v-1", ttclid: "E.C.P.x" })).toEqual(
      build("web-attributed", { visitorId: "v-1", ttclid: "E.C.P.x" }),
    );
  });

  it("floors event_time to whole seconds", () => {
    const order: ParsedOrder = { ...parseFixture("web-attributed"), createdAt: new Date("2025-01-01T00:00:00.999Z") };
    expect(buildTikTokEvent({ order, eventName: "Purchase", shopDomain: SHOP }).event.event_time).toBe(1735689600);
  });

  it("lists match keys in the documented order", () => {
    expect(MATCH_KEYS).toEqual(["email", "phone", "ttclid", "ttp", "external_id", "first_name", "last_name", "zip_code", "city", "state", "country", "ip", "user_agent", "locale"]);
  });
});

describe("pageUrl", () => {
  it.each([
    ["/products/x", `https://${SHOP}/products/x`],
    ["products/x", `https://${SHOP}/products/x`],
    ["/", `https://${SHOP}/`],
    ["/p?ttclid=E.C.P.a&utm_source=tiktok&UTM_Campaign=x", `https://${SHOP}/p?utm_source=tiktok&UTM_Campaign=x`],
    ["/p?email=ada%40example.com&phone=%2B12025550143&first_name=Ada", `https://${SHOP}/p`],
    ["/p?variant=45123456789012&ttclid=E.C.P.a#frag", `https://${SHOP}/p`],
    ["https://user:pass@shop.example.com/p?utm_source=tiktok&token=x", "https://shop.example.com/p?utm_source=tiktok"],
    ["http://shop.example.com/p", "http://shop.example.com/p"],
    ["//evil.example/p", null],
    ["javascript:alert(1)", `https://${SHOP}/javascript:alert(1)`],
    ["ftp://shop.example.com/p", `https://${SHOP}/ftp://shop.example.com/p`],
    ["", null],
    ["   ", null],
    [null, null],
  ])("%j → %j", (site, expected) => {
    expect(pageUrl(site, SHOP)).toBe(expected);
  });

  it("keeps the click id only when it is the click attribution used", () => {
    expect(pageUrl("/p?ttclid=E.C.P.a&utm_source=tiktok", SHOP, "E.C.P.a")).toBe(`https://${SHOP}/p?ttclid=E.C.P.a&utm_source=tiktok`);
    expect(pageUrl("/p?ttclid=E.C.P.a&utm_source=tiktok", SHOP, "E.C.P.other")).toBe(`https://${SHOP}/p?utm_source=tiktok`);
    expect(pageUrl("/p?TTCLID=E.C.P.a", SHOP, null)).toBe(`https://${SHOP}/p`);
  });

  it("drops landing sites longer than the URL limit", () => {
    expect(pageUrl(`/${"x".repeat(5_000)}`, SHOP)).toBeNull();
  });

  it("needs a valid shop domain to resolve a path", () => {
    expect(pageUrl("/p", "")).toBeNull();
    expect(pageUrl("/p", "bad domain")).toBeNull();
    expect(pageUrl("https://shop.example.com/p", "")).toBe("https://shop.example.com/p");
  });
});

describe("content ids, as the merchant's TikTok catalog keys products", () => {
  it.each([
    ["variant", ["45123456789012", "45123456789013"]],
    ["product", ["8123456789012", "8123456789013"]],
  ] as const)("%s ids in each line and in content_ids", (contentId, ids) => {
    const order = parseFixture("web-attributed");
    const built = buildTikTokEvent({ order, eventName: "Purchase", shopDomain: SHOP, contentId });
    expect(built.event.properties.contents!.map((c) => c.content_id)).toEqual(ids);
    expect(built.event.properties.content_ids).toEqual(ids);
  });

  it("SKU: a line without one goes without an id, never with another kind of id", () => {
    const order = parseFixture("web-attributed");
    const lines = order.lineItems.map((item, i) => (i === 0 ? item : { ...item, sku: null }));
    const built = buildTikTokEvent({ order: { ...order, lineItems: lines }, eventName: "Purchase", shopDomain: SHOP, contentId: "sku" });
    expect(built.event.properties.contents!.map((c) => c.content_id ?? null)).toEqual([order.lineItems[0].sku, null]);
    expect(built.event.properties.content_ids).toEqual([order.lineItems[0].sku]);
  });
});
