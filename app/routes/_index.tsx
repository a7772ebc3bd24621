import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

// Shopify opens the app URL with ?shop=…; everything the merchant sees lives under /app.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return new Response(
    "TikTok Ads for Shopify: install this app from the Shopify App Store or your Partner Dashboard.",
    { headers: { "Content-Type": "text/plain; charset=utf-8" } },
  );
};
