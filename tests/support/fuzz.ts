// Shared pieces for the bad-input tests (issue 8): fast-check settings, hostile value
// generators, a whole-database view (row counts, per-shop snapshots, full dumps) and console capture.
// fast-check prints the seed and the shrunk counterexample when a property fails; rerun one with
// FUZZ_SEED=<seed> (and FUZZ_RUNS=<n> to run longer locally).
import { createHmac, randomBytes } from "node:crypto";
import fc from "fast-check";

/** Run settings for one property: bounded so each file stays well under a minute. */
export function fuzzParams<T>(numRuns: number): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
  return {
    numRuns: Number(process.env.FUZZ_RUNS) || numRuns,
    ...(seed !== undefined ? { seed } : {}),
    // Shrinking replays the route against the database: keep it bounded too.
    interruptAfterTimeLimit: 45_000,
    markInterruptAsFailure: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Hostile values

const SPECIAL_STRINGS = [
  "",
  " ",
  "\u0000",
  "\t\n\r",
  "null",
  "undefined",
  "NaN",
  "__proto__",
  "constructor",
  "toString",
  "<script>alert(1)</script>",
  "'; DROP TABLE \"OrderRecord\"; --",
  "${process.env.SHOPIFY_API_SECRET}",
  "{{7*7}}",
  "%00%0a%E0%A4%A",
  "\u202eevil",
  "\ufeffBOM",
  "𝕋𝕚𝕜𝕋𝕠𝕜 🏳️‍🌈 👨‍👩‍👧‍👦",
  "\ud800", // lone surrogate
  "Z̴̡̪͙̓a̸̢̛l̶̨̈́g̵̛̖o̷͓̽",
  "-1",
  "0",
  "1e309",
  "9007199254740993",
  "99999999999999999999999999",
  "0x1F",
  "gid://shopify/Order/1",
  "gid://shopify/Customer/5",
  "2025-02-30T25:61:00Z",
  "+275760-09-13T00:00:00.000Z",
  "-271821-04-20T00:00:00.000Z",
  "0000-01-01T00:00:00Z",
];

export const hugeString = fc
  .tuple(fc.constantFrom(1_000, 70_000, 300_000), fc.constantFrom("x", "é", "𝕏", "\u0000", "9", "\\\"", "<"))
  .map(([n, c]) => c.repeat(n));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
  { weight: 1, arbitrary: hugeString },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(), // NaN and ±Infinity serialise as null
  fc.constantFrom(0, -0, -1, 1.5, -1.5, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e21, 1e308, 5e-324, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
);

/** Any JSON value, biased towards the values that break parsers. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    hostileNumber,
    hostileString,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "id", "constructor", "")), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** JSON text nested `depth` levels deep: arrays, objects or both. */
export function deeplyNested(depth: number, kind: "array" | "object" | "mixed"): string {
  if (kind === "array") return "[".repeat(depth) + "]".repeat(depth);
  if (kind === "object") return '{"a":'.repeat(depth) + "null" + "}".repeat(depth);
  return '{"a":['.repeat(depth) + "1" + "]}".repeat(depth);
}
export const deepJson = fc.tuple(fc.constantFrom(100, 5_000, 100_000), fc.constantFrom("array" as const, "object" as const, "mixed" as const)).map(([d, k]) => deeplyNested(d, k));

/** Replaces every leaf with null (objects and arrays keep their shape). */
export function nullEverywhere(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullEverywhere);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nullEverywhere(v)]));
  return null;
}

/** Wraps every object in an array (an array where an object goes), leaves intact. */
export function arraysForObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(arraysForObjects);
  if (value && typeof value === "object") return [Object.fromEntries(Object.entries(value).map(([k, v]) => [k, arraysForObjects(v)]))];
  return value;
}

/** A copy of `base` with `value` written at `path` (missing containers are created as objects). */
export function setPath(base: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container: Record<string | number, unknown> = Array.isArray(base)
    ? ([...base] as unknown as Record<number, unknown>)
    : base && typeof base === "object"
      ? { ...(base as Record<string, unknown>) }
      : {};
  // Object.defineProperty so a "__proto__" key becomes data, as JSON.parse would make it.
  Object.defineProperty(container, head, { value: setPath(container[head], rest, value), enumerable: true, writable: true, configurable: true });
  return container;
}

export function deletePath(base: unknown, path: (string | number)[]): unknown {
  if (path.length === 0 || !base || typeof base !== "object") return base;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(base) ? [...base] : { ...(base as object) };
  if (rest.length === 0) {
    if (Array.isArray(copy) && typeof head === "number") copy.splice(head, 1);
    else delete copy[head];
  } else copy[head] = deletePath(copy[head], rest);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// App proxy query strings signed the way the app's verifier checks them

/**
 * A query string whose signature is valid *as @shopify/shopify-api verifies it* (last value of a
 * repeated key wins, keys sorted with localeCompare): the strongest input an attacker could get past
 * the signature check, including repeated keys.
 */
export function signProxyEntries(entries: [string, string][], secret: string): string {
  const last = Object.fromEntries(entries.filter(([k]) => k !== "signature"));
  const message = Object.entries(last)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join("");
  const signature = createHmac("sha256", secret).update(message).digest("hex");
  const qs = new URLSearchParams(entries.filter(([k]) => k !== "signature"));
  qs.append("signature", signature);
  return qs.toString();
}

/** A proxy query as the storefront embed makes it: a fresh nonce `n` per request, then Shopify's keys. */
export function proxyEntries(shop: string, extra: [string, string][] = [], timestamp = Math.floor(Date.now() / 1000)): [string, string][] {
  return [...extra, ["n", randomBytes(16).toString("base64url").slice(0, 22)], ["shop", shop], ["logged_in_customer_id", ""], ["path_prefix", "/apps/ttads"], ["timestamp", String(timestamp)]];
}

// ---------------------------------------------------------------------------------------------
// The whole database, whatever tables it has (new tables are covered without editing this file)

type Prisma = (typeof import("~/core/db.server"))["default"];

async function tableNames(prisma: Prisma): Promise<string[]> {
  const { isPostgres } = await import("~/core/db.server");
  const rows: { name: string }[] = isPostgres()
    ? await prisma.$queryRawUnsafe(`SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
    : await prisma.$queryRawUnsafe(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  return rows.map((r) => r.name).filter((n) => n !== "_prisma_migrations").sort();
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** JSON that keeps BigInt, Decimal, Date and Buffer values comparable. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
    if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as { toFixed?: unknown }).toFixed === "function" && v.constructor?.name === "Decimal")
      return String(v);
    return v;
  });
}

async function dumpTable(prisma: Prisma, table: string): Promise<Record<string, unknown>[]> {
  return prisma.$queryRawUnsafe(`SELECT * FROM ${q(table)}`);
}

/** Every row of every table, as text (what a PII grep reads). */
export async function dumpDatabase(prisma: Prisma): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of await tableNames(prisma)) out[t] = stableJson(await dumpTable(prisma, t));
  return out;
}

export async function rowCounts(prisma: Prisma): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await tableNames(prisma)) {
    const [{ n }] = await prisma.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM ${q(t)}`);
    out[t] = Number(n);
  }
  return out;
}

/**
 * One shop's rows in every table that has a `shop` column, plus every row of tables without one,
 * sorted so two snapshots compare equal exactly when nothing changed.
 */
export async function shopSnapshot(prisma: Prisma, shop: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of await tableNames(prisma)) {
    const rows = await dumpTable(prisma, t);
    const mine = rows.filter((r) => !("shop" in r) || r.shop === shop);
    out[t] = mine.map((r) => stableJson(r)).sort();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Console capture

export type CapturedLogs = { lines: string[]; text(): string; restore(): void };

/** Captures (and silences) everything written through console.* until restore(). */
export function captureConsole(): CapturedLogs {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  const spies = methods.map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(
        args
          .map((a) => (typeof a === "string" ? a : a instanceof Error ? `${a.name}: ${a.message}\n${a.stack ?? ""}` : safeInspect(a)))
          .join(" "),
      );
    }),
  );
  return {
    lines,
    text: () => lines.join("\n"),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

function safeInspect(value: unknown): string {
  try {
    return stableJson(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Unique-per-call IPv4 from the documentation range, so the proxy's per-IP limiter never kicks in by accident. */
let ipCounter = 0;
export function nextTestIp(): string {
  ipCounter++;
  return `198.18.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** String.prototype.isWellFormed (ES2024) for our ES2022 lib: no lone UTF-16 surrogate. */
export function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** A copy with every lone surrogate (in keys and strings) replaced by U+FFFD. */
export function wellFormedDeep(value: unknown): unknown {
  const fix = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
  if (typeof value === "string") return fix(value);
  if (Array.isArray(value)) return value.map(wellFormedDeep);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, fix(k), { value: wellFormedDeep(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** Test timeout for a property: its default, or room for FUZZ_RUNS when someone runs longer. */
export function fuzzTimeout(defaultMs = 30_000): number {
  return process.env.FUZZ_RUNS ? 30 * 60_000 : defaultMs;
}

// ---------------------------------------------------------------------------------------------
// The TikTok sandbox, in process

/** Starts the TikTok sandbox (auto-approving consent) on the address the app was configured with. */
export async function startAppSandbox() {
  const { startSandbox } = await import("../../sandbox/server");
  const { sandboxControl } = await import("../../sandbox/control");
  const { sandboxPort } = await import("./orders");
  const sandbox = await startSandbox({ port: sandboxPort(), appId: process.env.TIKTOK_APP_ID, appSecret: process.env.TIKTOK_APP_SECRET, autoApprove: true });
  return { sandbox, control: sandboxControl(sandbox.url), close: () => sandbox.close() };
}
