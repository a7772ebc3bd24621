import "@shopify/shopify-app-remix/adapters/node";
import {
  ApiVersion,
  AppDistribution,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import prisma from "./db.server";
import { env } from "./env.server";
import { recordShopDetails } from "./models/shop.server";
import { activateWebPixel, type AdminGraphql } from "./models/web-pixel.server";
import { EncryptedSessionStorage } from "./connection/encrypted-session-storage.server";

// Must equal [webhooks] api_version in shopify.app.toml (a test checks it).
export const apiVersion = ApiVersion.October26;

const shopify = shopifyApp({
  apiKey: env().SHOPIFY_API_KEY,
  apiSecretKey: env().SHOPIFY_API_SECRET,
  apiVersion,
  scopes: env().SCOPES.split(","),
  appUrl: env().SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // Offline access tokens are encrypted at rest (docs/decisions/0014).
  sessionStorage: new EncryptedSessionStorage(new PrismaSessionStorage(prisma)),
  distribution: AppDistribution.AppStore,
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await recordShopDetails(session.shop, admin);
      await activateWebPixel(session.shop, async (query, variables) => (await admin.graphql(query, { variables })).json());
    },
  },
  future: {},
  logger: { level: 1 /* Warning */ },
});

export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;

/**
 * An Admin GraphQL client for a shop, on its offline token (jobs, the connect flow). With
 * SHOPIFY_ADMIN_API_URL set (the demo, tests) it talks to that stand-in instead of the shop.
 */
export async function adminGraphqlFor(shop: string): Promise<AdminGraphql> {
  const base = env().SHOPIFY_ADMIN_API_URL;
  if (base) {
    const session = await sessionStorage.loadSession(`offline_${shop}`);
    if (!session?.accessToken) throw new Error("no offline session for this shop");
    return adminApiClient(base, shop, session.accessToken);
  }
  const { admin } = await shopify.unauthenticated.admin(shop);
  return async (query, variables) => (await admin.graphql(query, { variables })).json();
}

/** A plain Admin GraphQL client against `base` (Shopify's API shape: /admin/api/<version>/graphql.json). */
export function adminApiClient(base: string, shop: string, accessToken: string): AdminGraphql {
  return async (query, variables) => {
    const res = await fetch(`${base.replace(/\/$/, "")}/admin/api/${apiVersion}/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": accessToken, "X-Shopify-Shop-Domain": shop },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`Admin API answered ${res.status}`);
    return res.json();
  };
}
