import { env } from "~/core/env.server";

/**
 * The visitor's address as Shopify's app proxy forwarded it. Shopify appends the client IP to
 * X-Forwarded-For after any hops the client sent itself, so only the right-most entry is
 * Shopify's (docs/decisions/0014); behind our own load balancer, TRUSTED_PROXY_HOPS skips its hops.
 */
export function proxyClientIp(request: Request, trustedHops = env().TRUSTED_PROXY_HOPS) {
  const hops = (request.headers.get("X-Forwarded-For") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  return hops[hops.length - 1 - trustedHops] ?? "unknown";
}
