import {
  hashEmail,
  hashExternalId,
  hashIdentifier,
  hashNamePart,
  hashPhone,
  isSha256Hex,
  normaliseEmail,
  normaliseExternalId,
  normalisePhone,
  phoneCountry,
  plainPlacePart,
  sha256Hex,
} from "~/features/events/normalise";

// Reference digests computed independently (printf '%s' "<value>" | sha256sum).
const SHA = {
  empty: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  abc: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  ada: "e814ff3dc480a94c7ce9334062ec4733c75a002f4bcec0197f62ffea64059e2f", // ada.lovelace@example.com
  usPhone: "54af34308301e43f00650baaeb6cf4925b942201d74191b26d48292cfec907fd", // +12025550143
  visitor: "f8546347cda5740bcc749ee72ee3352f2e07926287f9fa274d786606475a21cf", // tta1.Ada7f3c2a1e5b9d4c8e9a7
};

describe("normaliseEmail", () => {
  it.each([
    ["ada.lovelace@example.com", "ada.lovelace@example.com"],
    ["  Ada.Lovelace@Example.COM ", "ada.lovelace@example.com"],
    ["\tgrace+tiktok@example.com\n", "grace+tiktok@example.com"],
    ["o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk"],
    ["名前@example.com", "名前@example.com"],
    ["", null],
    ["   ", null],
    [null, null],
    [undefined, null],
    ["not-an-email", null],
    ["@example.com", null],
    ["ada@", null],
    ["ada@localhost", null],
    ["ada lovelace@example.com", null],
    ["ada@@example.com", null],
    ["ada@example..com", null],
    [`${"a".repeat(250)}@example.com`, null],
  ])("%j → %j", (raw, expected) => {
    expect(normaliseEmail(raw)).toBe(expected);
  });
});

describe("normalisePhone", () => {
  // Fictional/reserved ranges: US 202-555-01xx, UK Ofcom drama 020 7946 0xxx, AU ACMA 0491 570 xxx.
  it.each([
    // United States
    ["(202) 555-0143", "US", "+12025550143"],
    ["202-555-0143", "US", "+12025550143"],
    ["202.555.0143", "US", "+12025550143"],
    ["2025550143", "US", "+12025550143"],
    ["1 (202) 555-0143", "US", "+12025550143"],
    ["+1 202 555 0143", undefined, "+12025550143"],
    ["+12025550143", "GB", "+12025550143"], // already E.164: the country is irrelevant
    ["202-555-0143 ext. 12", "US", "+12025550143"], // extension dropped
    ["011 44 20 7946 0018", "US", "+442079460018"], // US international prefix
    ["+1 (555) 010-0123", undefined, null], // 555 is not a US area code
    ["1-800-FLOWERS", "US", null], // letters are not digits
    ["202555014a", "US", null],
    ["+1 202 555 O143", undefined, null], // letter O for zero
    ["2025550143", undefined, null], // national number without a country
    ["2025550143", "GB", null], // a US number read as British is invalid, not guessed
    // United Kingdom
    ["020 7946 0018", "GB", "+442079460018"],
    ["(020) 7946 0018", "GB", "+442079460018"],
    ["+44 (0)20 7946 0018", undefined, "+442079460018"],
    ["0044 20 7946 0018", "GB", "+442079460018"],
    ["0044 20 7946 0018", undefined, "+442079460018"], // "00" read as "+" without a country
    ["+44 20 7946 0018", "gb", "+442079460018"],
    ["07700 900123", "GB", null], // Ofcom drama mobile range: never assigned, libphonenumber rejects it
    // Germany
    ["030 23125 000", "DE", "+493023125000"],
    ["0151 23456789", "DE", "+4915123456789"],
    ["+49 (0)30 901820", undefined, "+4930901820"],
    ["0049 30 901820", "DE", "+4930901820"],
    // France
    ["06 12 34 56 78", "FR", "+33612345678"],
    ["01.23.45.67.89", "FR", "+33123456789"],
    ["+33 6 12 34 56 78", undefined, "+33612345678"],
    ["0612345678", "FR", "+33612345678"],
    // Known limit: a national number that is also valid in the wrong country is read there (0612 is
    // a Wiesbaden area code). Hence each phone is read in its own address's country.
    ["0612345678", "DE", "+49612345678"],
    // India
    ["98765 43210", "IN", "+919876543210"],
    ["098765 43210", "IN", "+919876543210"],
    ["+91-98765-43210", undefined, "+919876543210"],
    // Japan
    ["090-1234-5678", "JP", "+819012345678"],
    ["03-1234-5678", "JP", "+81312345678"],
    ["+81 90 1234 5678", undefined, "+819012345678"],
    ["０９０－１２３４－５６７８", "JP", "+819012345678"], // full-width digits
    // Brazil
    ["(11) 91234-5678", "BR", "+5511912345678"],
    ["11 91234 5678", "BR", "+5511912345678"],
    ["+55 11 91234-5678", undefined, "+5511912345678"],
    // Australia
    ["0491 570 156", "AU", "+61491570156"],
    ["04 9157 0156", "AU", "+61491570156"],
    ["+61 491 570 156", undefined, "+61491570156"],
    ["0011 61 491 570 156", "AU", "+61491570156"], // AU international prefix
    // Junk
    ["", "US", null],
    ["   ", "US", null],
    [null, "US", null],
    [undefined, undefined, null],
    ["12", "US", null],
    ["phone", "US", null],
    ["++12025550143", undefined, null],
    ["+1 202 555 0143 / +1 202 555 0144", undefined, null],
    ["2".repeat(100), "US", null],
    ["(202) 555-0143", "ZZ", null], // unknown country: national number unreadable
    ["(202) 555-0143", "USA", null],
  ])("%j in %s → %j", (raw, country, expected) => {
    expect(normalisePhone(raw, country)).toBe(expected);
  });

  it("returns E.164 (+ and at most 15 digits) whenever it returns anything", () => {
    for (const [raw, country] of [["(202) 555-0143", "US"], ["0491 570 156", "AU"], ["030 23125 000", "DE"]] as const) {
      expect(normalisePhone(raw, country)).toMatch(/^\+[1-9]\d{6,14}$/);
    }
  });
});

describe("phoneCountry", () => {
  it.each([
    ["us", "US"],
    [" GB ", "GB"],
    ["ZZ", undefined],
    ["", undefined],
    [null, undefined],
    ["U", undefined],
  ])("%j → %j", (code, expected) => {
    expect(phoneCountry(code)).toBe(expected);
  });
});

describe("sha256Hex / isSha256Hex", () => {
  it("matches known SHA-256 vectors", () => {
    expect(sha256Hex("")).toBe(SHA.empty);
    expect(sha256Hex("abc")).toBe(SHA.abc);
    expect(sha256Hex("ada.lovelace@example.com")).toBe(SHA.ada);
    expect(sha256Hex("+12025550143")).toBe(SHA.usPhone);
  });

  it("hashes UTF-8 bytes", () => {
    // printf '%s' "é" | sha256sum (U+00E9 as two UTF-8 bytes)
    expect(sha256Hex("\u00e9")).toBe("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
    expect(hashEmail("名前@example.com")).toBe("b945e974b8c89e391b75186c5db8ba505e104a06a94bf84de70d38414c9d87c9");
  });

  it.each([
    [SHA.abc, true],
    [SHA.abc.toUpperCase(), true],
    [SHA.abc.slice(1), false],
    [`${SHA.abc}0`, false],
    [`${SHA.abc.slice(1)}g`, false],
    ["", false],
    [` ${SHA.abc}`, false],
  ])("isSha256Hex(%j) → %s", (value, expected) => {
    expect(isSha256Hex(value)).toBe(expected);
  });
});

describe("hashIdentifier", () => {
  it("hashes a plain value", () => {
    expect(hashIdentifier("abc")).toBe(SHA.abc);
  });

  it("never hashes twice: a digest passes through, lowercased and trimmed", () => {
    expect(hashIdentifier(SHA.abc)).toBe(SHA.abc);
    expect(hashIdentifier(SHA.abc.toUpperCase())).toBe(SHA.abc);
    expect(hashIdentifier(` ${SHA.abc}\n`)).toBe(SHA.abc);
    expect(hashIdentifier(hashIdentifier("abc"))).toBe(SHA.abc);
  });
});

describe("hashEmail / hashPhone / hashExternalId", () => {
  it("hash the normalised value", () => {
    expect(hashEmail("  Ada.Lovelace@Example.com ")).toBe(SHA.ada);
    expect(hashPhone("(202) 555-0143", "US")).toBe(SHA.usPhone);
    expect(hashPhone("+1 202-555-0143")).toBe(SHA.usPhone);
    expect(hashExternalId("  tta1.Ada7f3c2a1e5b9d4c8e9a7 ")).toBe(SHA.visitor);
    // Case is kept: the visitor id is case-sensitive base64url.
    expect(hashExternalId("TTA1.ADA7F3C2A1E5B9D4C8E9A7")).not.toBe(SHA.visitor);
  });

  it("pass already-hashed values through unchanged (lowercased)", () => {
    expect(hashEmail(SHA.ada.toUpperCase())).toBe(SHA.ada);
    expect(hashPhone(` ${SHA.usPhone} `, "US")).toBe(SHA.usPhone);
    expect(hashExternalId(SHA.visitor.toUpperCase())).toBe(SHA.visitor);
  });

  it("return null for values that cannot be normalised", () => {
    expect(hashEmail("")).toBeNull();
    expect(hashEmail(null)).toBeNull();
    expect(hashEmail("nobody")).toBeNull();
    expect(hashPhone("", "US")).toBeNull();
    expect(hashPhone("2025550143")).toBeNull();
    expect(hashPhone("07700 900123", "GB")).toBeNull();
    expect(hashExternalId("   ")).toBeNull();
    expect(hashExternalId(undefined)).toBeNull();
  });
});

describe("normaliseExternalId", () => {
  it.each([
    [" tta1.Ada7f3c2a1e5b9d4c8e9a7 ", "tta1.Ada7f3c2a1e5b9d4c8e9a7"],
    ["", null],
    ["bad\u0000id", null],
    ["x".repeat(257), null],
    [null, null],
  ])("%j → %j", (raw, expected) => {
    expect(normaliseExternalId(raw)).toBe(expected);
  });
});

describe("the buyer's name and place, as TikTok's Segment destination normalises them", () => {
  it("names and zip: every whitespace removed, lowercased, hashed; already-hashed values pass through", () => {
    expect(hashNamePart("  Mary Ann ")).toBe(sha256Hex("maryann"));
    expect(hashNamePart("SW1A 1AA")).toBe(sha256Hex("sw1a1aa"));
    expect(hashNamePart(" \t ")).toBeNull();
    expect(hashNamePart(sha256Hex("ada").toUpperCase())).toBe(sha256Hex("ada"));
  });

  it("city, state, country: ASCII letters and digits only, lowercased, in clear (so München becomes mnchen)", () => {
    expect(plainPlacePart("New York")).toBe("newyork");
    expect(plainPlacePart("München")).toBe("mnchen");
    expect(plainPlacePart("--")).toBeNull();
    expect(plainPlacePart(null)).toBeNull();
  });
});
