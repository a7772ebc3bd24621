// Amounts keep the decimals Shopify writes for their currency (docs/decisions/0024): a Colombian
// peso store's order and a refund converted into pesos, through the signed orders/create and
// refunds/create webhooks, delivery to the TikTok sandbox and the dashboard and Events loaders.
import prisma from "~/core/db.server";
import { demoOrderPayload } from "~/features/demo/simulate.server";
import { drainAll } from "~/features/events/worker.server";
import { loader as dashboardLoader } from "~/routes/app.dashboard";
import { connectShop, deliverOrder, resetOrderPipeline, startOrdersSandbox, visitFromAd } from "../support/orders";
import { deliverRefund, refundBody } from "../support/refunds";
import { adminRequest, call, seedOfflineSession } from "../support/requests";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

const SHOP = "delta-pesos.myshopify.com";
const ORDER_ID = 5_800_000_000_001;

beforeAll(async () => {
  await resetOrderPipeline(control);
  await seedOfflineSession(SHOP);
  // The shop's details (its currency) come from Shopify's Admin API at install: not what this test is about.
  await prisma.shop.update({ where: { shop: SHOP }, data: { currency: "COP", ianaTimezone: "America/Bogota" } });
  await connectShop(SHOP, control, { connectedAt: new Date("2020-01-01T00:00:00Z") });
});

describe("a COP store: amounts with Shopify's two decimals, where Node's Intl has none", () => {
  it("stores, converts and shows the centavos of an order and of a refund paid back in USD", async () => {
    // GIVEN a buyer from a TikTok ad orders for 125,000.50 COP, paying in USD
    const visitorId = "tta1.PesosVisitor0000000001";
    const ttclid = "E.C.P.pesos-digits";
    const at = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await visitFromAd(SHOP, { visitorId, ttclid, capturedAt: new Date(at.getTime() - 60_000) });
    const order = { ...demoOrderPayload({ orderId: ORDER_ID, visitorId, ttclid, capturedAt: at.getTime() - 60_000, createdAt: at, currency: "COP" }), total_price: "125000.50", current_total_price: "125000.50", presentment_currency: "USD" };
    expect((await deliverOrder(SHOP, JSON.stringify(order))).status).toBe(200);
    expect((await drainAll()).sent).toBeGreaterThanOrEqual(1);
    const record = await prisma.orderRecord.findUniqueOrThrow({ where: { shop_orderId: { shop: SHOP, orderId: String(ORDER_ID) } } });
    expect(record.totalValue.toFixed()).toBe("125000.5");

    // WHEN 5.00 USD is refunded for a line Shopify valued at 41,234.57 COP / 10.00 USD
    const refund = refundBody({
      refundId: 930001,
      orderId: ORDER_ID,
      transactions: [{ amount: "5.00", currency: "USD" }],
      lineItems: [{ shop: { amount: "41234.57", currency: "COP" }, presentment: { amount: "10.00", currency: "USD" } }],
    });
    expect((await deliverRefund(SHOP, refund)).status).toBe(200);

    // THEN the refund is 20,617.29 COP (5 × 41,234.57 ÷ 10 to Shopify's 2 decimals, not Intl's 0)
    expect((await prisma.refund.findFirstOrThrow({ where: { shop: SHOP, refundId: "930001" } })).amount.toFixed()).toBe("20617.29");
    // AND the dashboard's figures keep the centavos
    const res = await call(dashboardLoader, adminRequest("/app/dashboard", { shop: SHOP }));
    expect(res.status).toBe(200);
    const data = await res.json();
    expect(data.storeCurrency).toBe("COP");
    expect(data.totals).toMatchObject({ grossRevenue: "125000.50", refunded: "20617.29", netRevenue: "104383.21" });

    // AND the order's page shows them in Shopify's digits
    const { loader: orderPage } = await import("~/routes/app.events_.$orderId");
    const page = await call(orderPage, adminRequest(`/app/events/${ORDER_ID}`, { shop: SHOP }), { orderId: String(ORDER_ID) });
    expect(page.status).toBe(200);
    const { formatMoneyWithCode } = await import("~/components/format");
    const shown = await page.json();
    expect(formatMoneyWithCode(shown.order.value, shown.order.currency)).toBe("COP\u00a0125,000.50");
  });
});
