import type { LoaderFunctionArgs } from "@remix-run/node";
import { OAuthRefusal, oauthStart } from "~/features/connect/connect.server";
import { plainPage } from "~/core/lib/plain-page.server";

// Top-level (outside the admin iframe): checks the link the admin issued, pins the OAuth state to
// this browser, then goes to TikTok.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  try {
    const { authorizeUrl, cookie } = await oauthStart(new URL(request.url).searchParams);
    return new Response(null, { status: 302, headers: { Location: authorizeUrl, "Set-Cookie": cookie, "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof OAuthRefusal) return plainPage("Could not start the TikTok connection", error.message, 400);
    throw error;
  }
};
