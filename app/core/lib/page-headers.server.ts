/**
 * Headers every HTML answer of the app carries (docs/decisions/0014, "Pages").
 * - Framing: shopify-app-remix's addDocumentResponseHeaders allows the shop a request names and
 *   admin.shopify.com (shopify.dev, "Set up iframe protection"). A page that names no shop (the
 *   login page, the 404 page, the top-level /tiktok/* pages) is never shown inside the admin, so
 *   no one may frame it: the value shopify.dev gives for pages not rendered in the admin.
 * - No MIME sniffing, so nothing the app serves is run as a type it did not declare.
 */
export function addPageHeaders(headers: Headers) {
  if (!headers.has("Content-Security-Policy")) headers.set("Content-Security-Policy", "frame-ancestors 'none'");
  headers.set("X-Content-Type-Options", "nosniff");
}
