/** The declared Content-Length is over maxBytes: refuse before reading a byte. */
export function declaredTooLarge(request: Request, maxBytes: number) {
  const declared = Number(request.headers.get("Content-Length") ?? 0);
  return Number.isFinite(declared) && declared > maxBytes;
}

/**
 * Reads a request body, giving up (null) as soon as it exceeds maxBytes and cancelling the rest
 * of the stream, so an oversized or lying upload is never held in memory.
 */
export async function readBytesCapped(request: Request, maxBytes: number): Promise<Buffer | null> {
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Reads a request body as text, giving up (null) as soon as it exceeds maxBytes. */
export async function readTextCapped(request: Request, maxBytes: number): Promise<string | null> {
  const bytes = await readBytesCapped(request, maxBytes);
  return bytes === null ? null : bytes.toString("utf8");
}
