// The Events list as CSV, streamed: rows are read 1,000 at a time in the list's order (newest first,
// keyset on time and id), so 100,000 orders never sit in memory at once. Columns are what the list
// shows: order, time, value, currency, status, reason and the match keys' names; never a hash, an
// email, a phone or an IP. csv-stringify quotes each cell (RFC 4180); a cell that would start a
// spreadsheet formula gets a leading apostrophe (OWASP's CSV injection advice).
import { stringify } from "csv-stringify/sync";
import prisma from "~/core/db.server";
import { currencyDigits } from "~/core/lib/currency";
import { readDecision } from "./send-status.server";
import { STATUS_TEXT } from "./statuses";
import { orderFilterWhere, type OrderFilter } from "./order-filter.server";

const BATCH = 1_000;
const EXPORT_COLUMNS = ["order", "order_id", "placed_at", "value", "currency", "status", "reason", "match_keys"] as const;

/** Local time in the store's zone as "YYYY-MM-DD HH:MM:SS" (the header names the zone). */
function localTime(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(instant);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}:${get("second")}`;
}

const neutralise = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

export function exportOrdersCsv(shop: string, filter: OrderFilter, timeZone: string | null): ReadableStream<Uint8Array> {
  const zone = timeZone ?? "UTC";
  const where = orderFilterWhere(shop, filter, timeZone);
  const encoder = new TextEncoder();
  let cursor: { id: string } | null = null;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(stringify([EXPORT_COLUMNS.map((c) => (c === "placed_at" ? `placed_at (${zone})` : c))])));
        return;
      }
      const rows = await prisma.orderRecord.findMany({
        where,
        orderBy: [{ orderCreatedAt: "desc" }, { id: "desc" }],
        take: BATCH,
        ...(cursor ? { cursor, skip: 1 } : {}),
        select: { id: true, orderId: true, orderName: true, orderCreatedAt: true, totalValue: true, currency: true, sendDecision: true, reason: true, matchKeys: true },
      });
      if (rows.length === 0) return controller.close();
      cursor = { id: rows[rows.length - 1].id };
      const lines = rows.map((r) =>
        [
          r.orderName ?? "",
          r.orderId,
          localTime(r.orderCreatedAt, zone),
          // With the currency's decimals as Shopify writes them: 125000.50 HUF, 3000 JPY (a Decimal's own text drops the 0).
          r.totalValue.toFixed(currencyDigits(r.currency)),
          r.currency,
          STATUS_TEXT[readDecision(r.sendDecision)],
          r.reason ?? "",
          (JSON.parse(r.matchKeys) as string[]).join(" "),
        ].map(neutralise),
      );
      controller.enqueue(encoder.encode(stringify(lines)));
      if (rows.length < BATCH) controller.close();
    },
  });
}
