import ipaddr from "ipaddr.js";
import { env } from "~/core/env.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The TCP peer of the connection (scripts/serve.mjs): the one address no client can write. */
    peerAddress?: string;
  }
}

/**
 * How a storefront request reached the app, which decides how many proxies stand between the
 * visitor and us (docs/decisions/0014, "Client address"):
 *   - app_proxy: visitor → Shopify's app proxy → [our load balancers] → app
 *   - web_pixel: visitor → [our load balancers] → app (the pixel calls the app's own URL)
 */
type ClientPath = "app_proxy" | "web_pixel";

/**
 * The address a visitor's requests are limited by. Each proxy appends the address it received the
 * request from to X-Forwarded-For, and the TCP peer is the last proxy (or the visitor); everything
 * left of the proxies' entries is the client's own text. So the visitor is the entry as many places
 * from the right of [...X-Forwarded-For, peer] as there are proxies on the path: TRUSTED_PROXY_HOPS
 * of our own, plus Shopify's on the app proxy path.
 * Without a known peer (a server other than `npm start`'s, such as `shopify app dev`), a visitor
 * who would be the peer is taken from the right-most X-Forwarded-For entry, as before: only
 * scripts/serve.mjs makes the pixel path's limit hold against a client that writes that header.
 */
export function clientAddress(request: Request, path: ClientPath, peer?: string, trustedHops = env().TRUSTED_PROXY_HOPS): string {
  const forwarded = (request.headers.get("X-Forwarded-For") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  const chain = [...forwarded, peer ?? null];
  const proxies = trustedHops + (path === "app_proxy" ? 1 : 0);
  const index = chain.length - 1 - proxies;
  if (index < 0) return "unknown";
  return chain[index] ?? forwarded[forwarded.length - 1] ?? "unknown";
}

/**
 * The key a limit counts a sender under: an IPv4 address, or an IPv6 address's /64, the smallest
 * block a provider gives one subscriber (RFC 6177), so one machine cannot rotate through its own
 * 2^64 addresses. IPv4-mapped IPv6 counts as the IPv4 address; anything unparsable as itself.
 */
export function senderKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (parsed.kind() === "ipv4") return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(":")}::/64`;
}
