// When the app was first connected to each of a shop's ad accounts (TikTokConnection.coverageStarts,
// JSON {advertiserId: epoch ms}). connectedAt restarts with every pixel choice and is wiped by a
// grant that does not keep the account; what the app could see for an account starts at its first
// connection, so the dashboard compares from this moment and a pixel change or a reconnect keeps it.

type Starts = Record<string, number>;

function parse(json: string | null | undefined): Starts {
  try {
    const value: unknown = JSON.parse(json ?? "{}");
    if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1])));
  } catch {
    return {};
  }
}

/** The account's first connection; `connectedAt` for a row written before the column (or by hand). */
export function coverageStart(c: { coverageStarts: string; advertiserId: string | null; connectedAt: Date | null }): Date | null {
  const ms = c.advertiserId ? parse(c.coverageStarts)[c.advertiserId] : undefined;
  if (ms === undefined) return c.connectedAt;
  // A hand-set connectedAt earlier than the record (tests, the demo's history) is the earlier start.
  return c.connectedAt && c.connectedAt.getTime() < ms ? c.connectedAt : new Date(ms);
}

/** The JSON with `advertiserId` covered from `at`, unless it already was from an earlier moment. */
export function withCoverageStart(json: string, advertiserId: string, at: Date): string {
  const starts = parse(json);
  if (starts[advertiserId] === undefined || starts[advertiserId] > at.getTime()) starts[advertiserId] = at.getTime();
  return JSON.stringify(starts);
}
