// Request bodies are read before anything can tell a genuine sender from a stranger (Shopify's
// HMAC covers the body), so what one process holds of them is bounded twice: per request by the
// route's cap, and across all requests by one budget of bytes in flight (docs/decisions/0014,
// "Memory"). Past the budget a request is refused with 503 before its body is read, or as soon as
// the bytes it has sent would pass it: Shopify retries a 503, and the memory is never taken.

/**
 * Bytes of request bodies held at once by this process, whatever their routes. A real burst of
 * orders/create deliveries (tens of KB each, read in milliseconds) holds well under 1 MB; one
 * webhook at the 5 MB cap fits three times over.
 */
export const BODY_BUDGET_BYTES = 16 * 1024 * 1024;

let heldBytes = 0;

/**
 * Whether a body of `declared` bytes fits what is left of the budget now. scripts/serve.mjs asks
 * before the request reaches the app, so a flood past the budget costs a 503 and nothing else.
 */
export const requestBodyFits = (declared: number) => heldBytes + declared <= BODY_BUDGET_BYTES;

/** The declared Content-Length, or null when there is none (chunked) or it is not a number. */
function declaredLength(request: Request): number | null {
  const raw = request.headers.get("Content-Length");
  if (raw === null) return null;
  const declared = Number(raw);
  return Number.isFinite(declared) && declared >= 0 ? declared : null;
}

/** The declared Content-Length is over maxBytes: refuse before reading a byte. */
export function declaredTooLarge(request: Request, maxBytes: number) {
  const declared = declaredLength(request);
  return declared !== null && declared > maxBytes;
}

type HeldBody = {
  /** The body as it arrived, chunk by chunk (a signature can be checked without joining them). */
  chunks: Uint8Array[];
  /** The body, joined on first use. */
  bytes: () => Buffer;
  /** Gives the body's bytes back to the budget: once the sender is known, or the request is refused. */
  release: () => void;
};

type BodyRefusal = "too_large" | "busy";

/**
 * Reads a request body within `maxBytes` and the process budget. A declared length is taken from
 * the budget before a byte is read (refused at once when it does not fit); an undeclared one is
 * taken chunk by chunk as it arrives. The stream is cancelled as soon as either limit is passed,
 * so an oversized, lying or surplus upload is never held in memory.
 */
export async function readBody(request: Request, maxBytes: number): Promise<HeldBody | BodyRefusal> {
  const declared = declaredLength(request);
  if (declared !== null && declared > maxBytes) return "too_large";
  let taken = 0;
  const take = (bytes: number) => {
    if (heldBytes + bytes > BODY_BUDGET_BYTES) return false;
    heldBytes += bytes;
    taken += bytes;
    return true;
  };
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    heldBytes -= taken;
  };
  if (declared !== null && !take(declared)) return "busy";
  if (!request.body) return { chunks: [], bytes: () => Buffer.alloc(0), release };

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      const refusal: BodyRefusal | null = size > maxBytes ? "too_large" : size > taken && !take(size - taken) ? "busy" : null;
      if (refusal) {
        release();
        await reader.cancel().catch(() => undefined);
        return refusal;
      }
      chunks.push(value);
    }
  } catch (error) {
    // The client went away mid-body (or the server's requestTimeout ended it).
    release();
    throw error;
  }
  let joined: Buffer | undefined;
  return { chunks, bytes: () => (joined ??= Buffer.concat(chunks, size)), release };
}

/** Reads a request body as text within `maxBytes` and the budget; the bytes go back to the budget at once. */
export async function readTextCapped(request: Request, maxBytes: number): Promise<{ text: string } | { refused: BodyRefusal }> {
  const body = await readBody(request, maxBytes);
  if (typeof body === "string") return { refused: body };
  body.release();
  return { text: body.bytes().toString("utf8") };
}

/** The status for a refused body: 413 for its size, 503 (retry later) when the budget is spent. */
export function bodyRefusalStatus(refusal: BodyRefusal) {
  return refusal === "too_large" ? 413 : 503;
}

/**
 * Headers for a refusal sent before the body was read in full: the connection is closed after the
 * answer, instead of Node reading the rest of the body only to throw it away.
 */
export const CLOSE_AFTER_REFUSAL = { Connection: "close" } as const;
