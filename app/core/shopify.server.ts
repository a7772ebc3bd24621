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
import { EncryptedSessionStorage } from "./connection/encrypted-session-storage.server";

// Must equal [webhooks] api_version in shopify.app.toml (a test checks it).
export const apiVersion = ApiVersion.July26;

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
    },
  },
  future: {},
  logger: { level: 1 /* Warning */ },
});

export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
