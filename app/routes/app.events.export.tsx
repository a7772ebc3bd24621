import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";
import { shopTimeZone } from "~/features/events/stats.server";
import { readOrderFilter } from "~/features/events/order-filter.server";
import { exportOrdersCsv } from "~/features/events/order-export.server";

// A resource route: the Events page fetches it (App Bridge adds the session token) with the list's
// own filters and saves the CSV. Streamed; only the caller's shop's orders.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { filter, error } = readOrderFilter(new URL(request.url).searchParams);
  if (error) return new Response(error, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const body = exportOrdersCsv(session.shop, filter, await shopTimeZone(session.shop));
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="tiktok-events.csv"',
      "Cache-Control": "no-store",
    },
  });
};
