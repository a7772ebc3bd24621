// Shared by the sandbox's own tests: raw HTTP against the sandbox (deliberately not through the
// app's client, so each side is tested against the contract on its own) and valid payloads.
import { createHash } from "node:crypto";

export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

type RawResponse = { status: number; json: any; text: string; headers: Headers };

export async function raw(
  baseUrl: string,
  path: string,
  opts: { method?: string; token?: string; query?: Record<string, unknown>; body?: unknown; contentType?: string } = {},
): Promise<RawResponse> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(opts.query ?? {})) params.set(k, typeof v === "string" ? v : JSON.stringify(v));
  const qs = params.toString();
  const headers: Record<string, string> = {};
  if (opts.token) headers["Access-Token"] = opts.token;
  if (opts.body !== undefined) headers["Content-Type"] = opts.contentType ?? "application/json";
  const response = await fetch(`${baseUrl}${path}${qs ? `?${qs}` : ""}`, {
    method: opts.method ?? (opts.body === undefined ? "GET" : "POST"),
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
    redirect: "manual",
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // non-JSON (404 pages, HTML)
  }
  return { status: response.status, json, text, headers: response.headers };
}

/** A valid Events API 2.0 `data[]` item, shaped like the body TikTok's template builds (docs/decisions/0015). */
export function purchaseEvent(eventTime: number, overrides: Record<string, unknown> = {}) {
  return {
    event: "Purchase",
    event_time: eventTime,
    event_id: "shopify_order_5324830114101",
    user: {
      email: sha256("buyer@example.com"),
      phone: sha256("+14155550123"),
      external_id: sha256("customer-1"),
      ttclid: "E.C.P.abc123",
      ttp: "2F7h37YkS1j57AYSKTI7IHhJPYH",
      ip: "203.0.113.7",
      user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
    },
    page: { url: "https://shop.example/checkouts/c/1/thank_you" },
    properties: {
      value: 59.98,
      currency: "USD",
      contents: [{ content_type: "product", content_id: "SKU-1", content_name: "Shirt", price: 29.99, quantity: 2 }],
    },
    ...overrides,
  };
}
