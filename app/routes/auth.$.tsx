import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/core/shopify.server";
import { exitIframeDestinationAllowed } from "~/core/lib/exit-iframe.server";
import { addPageHeaders } from "~/core/lib/page-headers.server";
import { plainPage } from "~/core/lib/plain-page.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  // The library's exit-iframe page navigates the top window: only to this app or the shop's admin.
  if (url.pathname === "/auth/exit-iframe" && !exitIframeDestinationAllowed(url))
    return plainPage("Redirect refused", "This link would take you out of the Shopify admin to a site that is not this app or your store's admin.", 400);
  try {
    await authenticate.admin(request);
  } catch (thrown) {
    // The library's own pages (exit-iframe, session-token bounce) get the app's page headers too.
    if (thrown instanceof Response && thrown.headers.get("Content-Type")?.startsWith("text/html")) addPageHeaders(thrown.headers);
    throw thrown;
  }
  return null;
};
