import type { LoaderFunctionArgs } from "@remix-run/node";
import { completeOAuth, OAUTH_COOKIE, OAuthRefusal } from "~/features/connect/connect.server";
import { merchantMessage } from "~/core/tiktok/messages";
import { plainPage } from "~/core/lib/plain-page.server";
import { isRefusedAuthCode, TikTokApiError } from "~/core/tiktok/errors";

function cookieValue(request: Request, name: string) {
  const match = (request.headers.get("Cookie") ?? "").split(/;\s*/).find((c) => c.startsWith(`${name}=`));
  if (!match) return null;
  try {
    return decodeURIComponent(match.slice(name.length + 1));
  } catch {
    return null; // not percent-encoding we wrote: treated as no cookie
  }
}

// TikTok redirects the browser here (top-level, no Shopify session token), then we send the
// merchant back into the embedded app, where they confirm the grant for their store before it
// becomes the connection (docs/decisions/0014, "TikTok start link").
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  const clearCookie = `${OAUTH_COOKIE}=; Path=/tiktok; Max-Age=0; HttpOnly; SameSite=Lax`;
  try {
    const { confirmUrl } = await completeOAuth({
      rawState: url.searchParams.get("state"),
      cookieState: cookieValue(request, OAUTH_COOKIE),
      authCode: url.searchParams.get("auth_code"),
      shopParam: url.searchParams.get("shop"),
    });
    return new Response(null, {
      status: 302,
      headers: { Location: confirmUrl, "Set-Cookie": clearCookie, "Cache-Control": "no-store" },
    });
  } catch (error) {
    if (error instanceof OAuthRefusal) return plainPage("TikTok connection refused", error.message, 400, clearCookie);
    if (isRefusedAuthCode(error))
      return plainPage("TikTok connection refused", "TikTok did not accept this authorization code (it is invalid, already used or expired). Start again from the app.", 400, clearCookie);
    if (error instanceof TikTokApiError) return plainPage("TikTok connection failed", merchantMessage(error), 502, clearCookie);
    throw error;
  }
};
