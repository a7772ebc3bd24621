import { Links, Meta, Outlet, Scripts, ScrollRestoration } from "@remix-run/react";

// Served by remix-serve from public/.
export const links = () => [{ rel: "icon", href: "/favicon.ico", sizes: "32x32" }];

export default function App() {
  return (
    // The demo's stand-in for the admin (demo-routes/outside-admin.tsx) marks <html> with a class
    // before React hydrates, so its nav shows without a layout shift; React must not warn about it.
    <html lang="en" suppressHydrationWarning>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
