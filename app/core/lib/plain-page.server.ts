import { addPageHeaders } from "./page-headers.server";

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small standalone page for top-level routes that live outside the embedded admin. */
export function plainPage(title: string, message: string, status: number, setCookie?: string) {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#303030}h1{font-size:1.25rem}</style></head>
<body><h1>${escape(title)}</h1><p>${escape(message)}</p><p>Nothing was saved. Go back to the app in your Shopify admin and try again.</p></body></html>`;
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  addPageHeaders(headers);
  if (setCookie) headers.set("Set-Cookie", setCookie);
  return new Response(html, { status, headers });
}
