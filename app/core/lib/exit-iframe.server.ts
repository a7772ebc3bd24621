// GET /auth/exit-iframe?exitIframe=<url> answers a page that sends the whole window (not only the
// app's iframe) to <url>: an open redirect out of the admin if <url> is anyone's. shopify-app-remix
// 6.0.1 refuses destinations off its own list, but by throwing (a 500), and its list takes any
// admin.shopify.com path and any shop's /admin. This route allows less and says why, with a 400.
import { env } from "~/core/env.server";

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const SHOPIFY_ADMIN = "https://admin.shopify.com";

/**
 * Where the exit-iframe page may send the top window: the app's own origin (the library's OAuth
 * restart, /auth?shop=…, is one), or the admin of the shop the request names, as
 * admin.shopify.com/store/<store>/… or https://<shop>/admin/… (billing confirmations live there).
 */
export function exitIframeDestinationAllowed(requestUrl: URL): boolean {
  const destination = requestUrl.searchParams.getAll("exitIframe");
  if (destination.length !== 1 || destination[0].trim() === "" || /[\s\\]/.test(destination[0])) return false;
  let target: URL;
  try {
    target = new URL(destination[0], env().SHOPIFY_APP_URL);
  } catch {
    return false;
  }
  if (target.username || target.password) return false;
  if (target.origin === new URL(env().SHOPIFY_APP_URL).origin) return true;
  const shop = requestUrl.searchParams.get("shop") ?? "";
  if (!SHOP_DOMAIN.test(shop)) return false;
  const store = shop.slice(0, -".myshopify.com".length);
  if (target.origin === SHOPIFY_ADMIN) return target.pathname === `/store/${store}` || target.pathname.startsWith(`/store/${store}/`);
  if (target.origin === `https://${shop}`) return target.pathname === "/admin" || target.pathname.startsWith("/admin/");
  return false;
}
