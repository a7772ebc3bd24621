/**
 * SQLite (through Prisma's driver adapter) refuses a statement with more bound parameters than its
 * limit (the claim of a 2,500-event backlog failed on every pass), so id lists go in slices.
 */
const ID_CHUNK = 500;

/** `items` in consecutive slices of at most `size`. */
export function chunks<T>(items: readonly T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
