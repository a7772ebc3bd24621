import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css";
import { authenticate } from "~/core/shopify.server";
import { env } from "~/core/env.server";
import { getConnection, publicConnection } from "~/core/connection/session.server";
import { AppNav } from "~/components/AppNav";
import type { AppLayoutData } from "~/components/ConnectionBanner";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs): Promise<AppLayoutData> => {
  const { session } = await authenticate.admin(request);
  // Every page shows the connection's state (ConnectionBanner) and the menu names the connection page by it.
  return { apiKey: env().SHOPIFY_API_KEY, connection: publicConnection(await getConnection(session.shop)) };
};

export default function App() {
  const { apiKey, connection } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <AppNav connected={connection.status === "connected"} />
      <Outlet />
    </AppProvider>
  );
}

// Shopify's auth helpers throw Responses (bounce, exit-iframe); boundary lets them through.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
