// Query-string parameters the way TikTok's GET endpoints take them: scalars as plain strings,
// arrays and objects JSON-encoded. Anything else (comma lists, repeated keys, unknown names)
// is refused, so a client that encodes wrongly finds out here, not in production. Whether TikTok
// ignores or refuses an unknown or repeated parameter is not in its sources, so those refusals
// are SandboxLimits, not TikTok codes.
import { SandboxApiError, SandboxLimit, invalidField } from "./errors";

export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(search: URLSearchParams, allowed: readonly string[]) {
    const allow = new Set(allowed);
    for (const [key, value] of search) {
      if (!allow.has(key)) throw new SandboxLimit(`${key} is not a parameter of this endpoint in TikTok's spec`);
      if (this.values.has(key)) throw new SandboxLimit(`${key} given more than once; send arrays as one JSON-encoded value`);
      this.values.set(key, value);
    }
  }

  has(name: string) {
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    if (value.trim() === "") throw invalidField(name, "must not be empty");
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new SandboxApiError(40002, `Missing required param: ${name}`);
    return value;
  }

  int(name: string, opts: { min: number; max?: number; fallback: number }): number {
    const raw = this.string(name);
    if (raw === undefined) return opts.fallback;
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    const range = opts.max === undefined ? `>= ${opts.min}` : `between ${opts.min} and ${opts.max}`;
    if (!Number.isSafeInteger(n) || n < opts.min || (opts.max !== undefined && n > opts.max)) {
      throw invalidField(name, `must be an integer ${range} (got ${raw})`);
    }
    return n;
  }

  bool(name: string): boolean | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (raw !== "true" && raw !== "false") throw invalidField(name, "must be true or false");
    return raw === "true";
  }

  private json(name: string): unknown {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw);
    } catch {
      throw invalidField(name, "must be JSON-encoded");
    }
  }

  stringArray(name: string, opts: { max?: number } = {}): string[] | undefined {
    const value = this.json(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw invalidField(name, "must be a JSON array");
    value.forEach((v, i) => {
      if (typeof v !== "string" || v === "") throw invalidField(`${name}[${i}]`, "must be a non-empty string");
    });
    if (opts.max !== undefined && value.length > opts.max) {
      throw new SandboxApiError(40011, `Too many values in ${name}: at most ${opts.max} (got ${value.length})`);
    }
    return value as string[];
  }

  object(name: string): Record<string, unknown> | undefined {
    const value = this.json(name);
    if (value === undefined) return undefined;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidField(name, "must be a JSON object");
    return value as Record<string, unknown>;
  }

  array(name: string): unknown[] | undefined {
    const value = this.json(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw invalidField(name, "must be a JSON array");
    return value;
  }
}

function pageInfo(total: number, page: number, pageSize: number) {
  return { page, page_size: pageSize, total_number: total, total_page: Math.ceil(total / pageSize) };
}

export function paginate<T>(items: T[], page: number, pageSize: number) {
  return { list: items.slice((page - 1) * pageSize, page * pageSize), page_info: pageInfo(items.length, page, pageSize) };
}
