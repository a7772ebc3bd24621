import { createHash } from "node:crypto";

/**
 * A fixed-window counter per key, in memory. Good enough to stop one browser (or script)
 * from flooding a public endpoint; each app instance counts on its own. Keys are hashed so
 * no IP address is kept in clear, even in memory.
 */
export function createRateLimiter(opts: { limit: number; windowMs: number; maxKeys?: number }) {
  const counts = new Map<string, { windowStart: number; n: number }>();
  return {
    hit(key: string, now = Date.now()): boolean {
      const k = createHash("sha256").update(key).digest("base64url").slice(0, 22);
      const entry = counts.get(k);
      if (!entry || now - entry.windowStart >= opts.windowMs) {
        if (counts.size >= (opts.maxKeys ?? 50_000)) counts.clear();
        counts.set(k, { windowStart: now, n: 1 });
        return true;
      }
      entry.n++;
      return entry.n <= opts.limit;
    },
  };
}
