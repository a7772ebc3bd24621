import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { exportForDataRequest } from "~/features/privacy/compliance.server";

// A resource route: the Data requests page fetches it (App Bridge adds the session token) and
// saves the JSON. Only the caller's shop's requests are found; anything else is a 404.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = z.string().min(1).max(64).safeParse(new URL(request.url).searchParams.get("request"));
  const data = id.success ? await exportForDataRequest(session.shop, id.data) : null;
  if (!data) return new Response("No such data request", { status: 404, headers: { "Content-Type": "text/plain" } });
  return new Response(JSON.stringify(data, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="data-request-${id.data}.json"`,
      "Cache-Control": "no-store",
    },
  });
};
