import prisma from "~/core/db.server";
import { recordShopDetails } from "~/core/models/shop.server";
import { TEST_SHOP } from "../support/constants";

const admin = (body: unknown) => ({ graphql: async () => new Response(JSON.stringify(body)) });

describe("shop details after install", () => {
  it("stores the store's currency and IANA timezone from the Admin API", async () => {
    await recordShopDetails(TEST_SHOP, admin({ data: { shop: { currencyCode: "EUR", ianaTimezone: "Europe/Berlin" } } }));
    expect(await prisma.shop.findUnique({ where: { shop: TEST_SHOP } })).toMatchObject({ currency: "EUR", ianaTimezone: "Europe/Berlin", uninstalledAt: null });
  });

  it("still records the install when the Admin API answers something unexpected, and keeps what it had", async () => {
    await recordShopDetails(TEST_SHOP, admin({ data: { shop: { currencyCode: "EUR", ianaTimezone: "Europe/Berlin" } } }));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await recordShopDetails(TEST_SHOP, admin({ errors: [{ message: "Access denied" }] }));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("not recorded"));
    expect(await prisma.shop.findUnique({ where: { shop: TEST_SHOP } })).toMatchObject({ currency: "EUR", ianaTimezone: "Europe/Berlin" });
    warn.mockRestore();
  });
});
