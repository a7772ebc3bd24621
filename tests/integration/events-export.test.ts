// The Events list a merchant can work with (issue 26 item 3): search by order name or number,
// filters by status and the store's days, and a CSV export of exactly the filtered list, streamed.
// Orders come through Shopify's signed orders/create; only the 100,000-row export seeds its rows,
// since that test is about the export, not about how orders arrive.
import prisma from "~/core/db.server";
import { loader as eventsLoader } from "~/routes/app.events";
import { loader as exportLoader } from "~/routes/app.events.export";
import { TEST_SHOP, OTHER_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

const DAY = 86_400_000;
let nextOrder = 6_700_000_000_000;

async function order(opts: { createdAt: Date; ttclid?: string; name?: string; shop?: string }) {
  const orderId = nextOrder++;
  const body = JSON.parse(await demoOrder({ orderId, createdAt: opts.createdAt, ttclid: opts.ttclid, visitorId: opts.ttclid ? `tta1.Export${String(orderId).slice(-16).padStart(16, "0")}` : undefined }));
  if (opts.name) body.name = opts.name;
  expect((await deliverOrder(opts.shop ?? TEST_SHOP, JSON.stringify(body))).status).toBe(200);
  return { orderId: String(orderId), name: body.name as string, email: body.email as string, phone: body.customer.phone as string, ip: body.browser_ip as string | undefined };
}

const list = async (query: string, shop = TEST_SHOP) => (await call(eventsLoader, adminRequest(`/app/events${query}`, { shop }))).json();
async function exportCsv(query: string, shop = TEST_SHOP) {
  const res = await call(exportLoader, adminRequest(`/app/events/export${query}`, { shop }));
  return { status: res.status, type: res.headers.get("Content-Type"), text: await res.text() };
}
const csvLines = (text: string) => text.trimEnd().split("\n");

let ids: Awaited<ReturnType<typeof order>>[] = [];
beforeAll(async () => {
  vi.spyOn(console, "info").mockImplementation(() => {});
  await resetOrderPipeline(control);
  await seedOfflineSession(TEST_SHOP);
  await seedOfflineSession(OTHER_SHOP);
  await prisma.shop.update({ where: { shop: TEST_SHOP }, data: { ianaTimezone: "Europe/Berlin" } });
  await connectShop(TEST_SHOP, control, { connectedAt: new Date(Date.now() - 30 * DAY) });
  const now = Date.now();
  ids = [
    await order({ createdAt: new Date(now - 1 * DAY), ttclid: "E.C.P.export1" }),
    await order({ createdAt: new Date(now - 3 * DAY) }),
    await order({ createdAt: new Date(now - 10 * DAY), ttclid: "E.C.P.export3" }),
    // A name that a spreadsheet would run as a formula.
    await order({ createdAt: new Date(now - 2 * DAY), name: "=HYPERLINK(\"https://evil.example\")" }),
  ];
  await order({ createdAt: new Date(now - 1 * DAY), shop: OTHER_SHOP });
});
afterAll(() => vi.restoreAllMocks());

describe("search and filters", () => {
  it("finds an order by its name with or without #, or by its id", async () => {
    const target = ids[1];
    for (const q of [target.name, target.name.slice(1), target.orderId]) {
      const data = await list(`?q=${encodeURIComponent(q)}`);
      expect(data.rows.map((r: { orderId: string }) => r.orderId)).toEqual([target.orderId]);
    }
  });

  it("filters by status and by the store's days", async () => {
    const notAttributed = await list("?status=not_attributed");
    expect(notAttributed.rows.map((r: { orderId: string }) => r.orderId).sort()).toEqual([ids[1].orderId, ids[3].orderId].sort());
    const day = (ms: number) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(new Date(Date.now() - ms));
    const lastWeek = await list(`?from=${day(7 * DAY)}&to=${day(0)}`);
    expect(lastWeek.total).toBe(3);
    expect(lastWeek.rows.map((r: { orderId: string }) => r.orderId)).not.toContain(ids[2].orderId);
  });

  it("a bad filter says why and hides nothing", async () => {
    const data = await list("?from=2026-13-40");
    expect(data.filterError).toBe("Enter dates as YYYY-MM-DD.");
    expect(data.total).toBe(4);
    const backwards = await list("?from=2026-12-05&to=2026-12-01");
    expect(backwards.filterError).toBe("The start date is after the end date.");
    expect((await exportCsv("?from=2026-13-40")).status).toBe(400);
  });
});

describe("CSV export", () => {
  it("downloads exactly the filtered list, this shop's only, with no hash, email, phone or IP, formulas neutralised", async () => {
    const all = await exportCsv("");
    expect(all.status).toBe(200);
    expect(all.type).toBe("text/csv; charset=utf-8");
    const lines = csvLines(all.text);
    expect(lines[0]).toBe("order,order_id,placed_at (Europe/Berlin),value,currency,status,reason,match_keys");
    expect(lines).toHaveLength(1 + 4);
    // newest first, as the list
    expect(lines.slice(1).map((l) => l.split(",")[1])).toEqual([ids[0], ids[3], ids[1], ids[2]].map((o) => o.orderId));
    expect(all.text).toContain(`'=HYPERLINK`);
    expect(all.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    for (const o of ids) {
      expect(all.text).not.toContain(o.email);
      expect(all.text).not.toContain(o.phone);
      if (o.ip) expect(all.text).not.toContain(o.ip);
    }
    const hashes = await prisma.orderRecord.findMany({ where: { shop: TEST_SHOP }, select: { emailHash: true, phoneHash: true } });
    for (const h of hashes) for (const v of [h.emailHash, h.phoneHash]) if (v) expect(all.text).not.toContain(v);
    const filtered = csvLines((await exportCsv("?status=sent")).text);
    expect(filtered.slice(1).map((l) => l.split(",")[1]).sort()).toEqual((await list("?status=sent")).rows.map((r: { orderId: string }) => r.orderId).sort());
    expect((await list("?status=sent")).total).toBe(filtered.length - 1);
  });

  it("writes each value with the decimals Shopify uses for its currency", async () => {
    const shop = "gamma-export.myshopify.com";
    await seedOfflineSession(shop);
    for (const [currency, total] of [["HUF", "125000.50"], ["JPY", "3000"], ["KWD", "12.250"]]) {
      const body = JSON.parse(await demoOrder({ orderId: nextOrder++, createdAt: new Date(Date.now() - DAY) }));
      Object.assign(body, { currency, presentment_currency: currency, total_price: total, current_total_price: total });
      expect((await deliverOrder(shop, JSON.stringify(body))).status).toBe(200);
    }
    const values = csvLines((await exportCsv("", shop)).text)
      .slice(1)
      .map((l) => l.split(",").slice(3, 5).join(" "));
    expect(values.sort()).toEqual(["12.250 KWD", "125000.50 HUF", "3000 JPY"]);
  });

  it("streams 100,000 orders in batches, every one once", { timeout: 120_000 }, async () => {
    const shop = OTHER_SHOP;
    await prisma.orderRecord.deleteMany({ where: { shop } });
    const start = Date.now() - 20 * DAY;
    for (let chunk = 0; chunk < 100; chunk++) {
      await prisma.orderRecord.createMany({
        data: Array.from({ length: 1_000 }, (_, i) => {
          const n = chunk * 1_000 + i;
          return { shop, orderId: String(8_000_000_000_000 + n), orderName: `#${10_000 + n}`, orderCreatedAt: new Date(start + n * 1_000), currency: "USD", totalValue: "25.00", sendDecision: "not_attributed", matchKeys: '["email"]' };
        }),
      });
    }
    const res = await call(exportLoader, adminRequest("/app/events/export", { shop }));
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      text += decoder.decode(value, { stream: true });
    }
    const lines = csvLines(text);
    expect(lines).toHaveLength(100_001);
    expect(new Set(lines.slice(1).map((l) => l.split(",")[1])).size).toBe(100_000);
    // header, then one chunk per 1,000 rows: never the whole file at once
    expect(chunks).toBeGreaterThanOrEqual(101);
  });
});
