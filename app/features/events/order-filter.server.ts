// What the merchant can narrow the Events list (and its CSV export) to: an order name or number,
// a status, and a range of days in the store's time zone. One schema for the page and the export,
// so a download holds exactly what the list shows.
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import { addDays, isCalendarDate, startOfDayIn } from "~/features/spend/dates";
import { EVENT_STATUSES } from "./statuses";

const day = z.string().refine(isCalendarDate, "Enter dates as YYYY-MM-DD.");

export const orderFilterSchema = z
  .object({
    // "#1001", "1001" or the order's id: the list matches the name or the id.
    q: z.string().trim().max(64, "Search for an order name or number of at most 64 characters.").optional(),
    status: z.enum(EVENT_STATUSES, { errorMap: () => ({ message: "Choose a status from the list." }) }).optional(),
    from: day.optional(),
    to: day.optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: "The start date is after the end date.", path: ["to"] });

export type OrderFilter = z.infer<typeof orderFilterSchema>;

/** The filter in the URL; a bad one gives its message and no filter at all, so nothing is hidden by a typo. */
export function readOrderFilter(params: URLSearchParams): { filter: OrderFilter; error: string | null } {
  const raw = Object.fromEntries(["q", "status", "from", "to"].flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : [])));
  const parsed = orderFilterSchema.safeParse(raw);
  return parsed.success ? { filter: parsed.data, error: null } : { filter: {}, error: parsed.error.issues[0].message };
}

/** The orders of `shop` the filter keeps; days are the store's (`timeZone`, UTC when Shopify has not said). */
export function orderFilterWhere(shop: string, filter: OrderFilter, timeZone: string | null): Prisma.OrderRecordWhereInput {
  const zone = timeZone ?? "UTC";
  const q = filter.q?.replace(/^#/, "");
  return {
    shop,
    ...(filter.status ? { sendDecision: filter.status } : {}),
    ...(q ? { OR: [{ orderName: { contains: q } }, { orderId: q }] } : {}),
    ...(filter.from || filter.to
      ? {
          orderCreatedAt: {
            ...(filter.from ? { gte: startOfDayIn(zone, filter.from) } : {}),
            ...(filter.to ? { lt: startOfDayIn(zone, addDays(filter.to, 1)) } : {}),
          },
        }
      : {}),
  };
}
