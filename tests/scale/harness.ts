// Shared by `npm run test:scale` and `npm run test:faults`: a fresh database (PostgreSQL or
// SQLite), the app's environment with random secrets, child processes (app instances, workers)
// with their output kept, signed webhook delivery with bounded concurrency, and a tiny
// pass/fail ledger that ends with "N passed, M failed".
//
// App modules read the environment once, so scripts call `applyEnv()` before importing any
// of them (dynamic imports only).
import { execFileSync, execSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export const ROOT = process.cwd();
export const TMP = path.join(ROOT, "tests", ".tmp", "scale");
export const LOG_DIR = path.join(TMP, "logs");
export const UA = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36";

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function log(line: string) {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// Checks

export class Ledger {
  passed = 0;
  failed = 0;
  skipped: string[] = [];
  readonly failures: string[] = [];

  check(name: string, ok: boolean, detail = "") {
    if (ok) this.passed++;
    else {
      this.failed++;
      this.failures.push(`${name}${detail ? `: ${detail}` : ""}`);
    }
    log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
    return ok;
  }

  skip(name: string, why: string) {
    this.skipped.push(`${name}: ${why}`);
    log(`SKIP ${name} (${why})`);
  }

  private finished = false;

  /**
   * If the event loop empties while the script still awaits something (a promise nothing will
   * ever settle, e.g. a database pool waiting for a connection forever), Node would exit 0 in
   * silence. Count that as a failure instead.
   */
  guardEarlyExit() {
    process.on("beforeExit", () => {
      if (this.finished) return;
      this.check("the script ran to its end", false, "the event loop emptied while it was still waiting for something that never settled");
      process.exit(this.finish());
    });
    // An app module running in this process (the fault script plays the app instance) may crash it.
    process.on("uncaughtException", (error) => {
      process.stdout.write(`${error.stack ?? error}\n`);
      this.check("this process did not crash", false, `uncaught ${error.name}: ${error.message}`);
      void stopAllChildren().finally(() => process.exit(this.finish()));
    });
    return this;
  }

  /** Prints the summary; the last line is always "N passed, M failed". Returns the exit code. */
  finish() {
    this.finished = true;
    if (this.failures.length) {
      process.stdout.write(`\nFailures:\n${this.failures.map((f) => `  - ${f}`).join("\n")}\n`);
    }
    if (this.skipped.length) process.stdout.write(`\nSkipped:\n${this.skipped.map((s) => `  - ${s}`).join("\n")}\n`);
    process.stdout.write(`\n${this.passed} passed, ${this.failed} failed\n`);
    return this.failed === 0 && this.passed > 0 ? 0 : 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Database

export type Database = { url: string; kind: "postgres" | "sqlite"; name: string; drop(): Promise<void> };

/** Which provider `prisma generate` last generated the client for (the client is provider-specific). */
export function generatedProvider(): string | null {
  const file = path.join(ROOT, "node_modules", ".prisma", "client", "schema.prisma");
  if (!existsSync(file)) return null;
  return /provider\s*=\s*"(postgresql|sqlite)"/.exec(readFileSync(file, "utf8"))?.[1] ?? null;
}

export function requireGeneratedProvider(kind: "postgres" | "sqlite") {
  const wanted = kind === "postgres" ? "postgresql" : "sqlite";
  const have = generatedProvider();
  if (have === wanted) return;
  throw new Error(
    `the generated Prisma client is for ${have ?? "nothing"}, this run needs ${wanted}. ` +
      (kind === "postgres"
        ? "Run `DATABASE_URL=postgresql://… npx prisma generate` first (in a checkout nobody else is testing SQLite in), " +
          "and `npx prisma generate` afterwards to go back to SQLite."
        : "Run `npx prisma generate` (without a PostgreSQL DATABASE_URL) first."),
  );
}

const PG_DEFAULT = "postgresql://app:app@127.0.0.1:5432/postgres";

/** Starts Debian's cluster when it is down (as scripts/pg-test.sh does). */
export function ensurePostgres() {
  const ready = () => {
    try {
      execFileSync("pg_isready", ["-h", "127.0.0.1", "-q"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (ready()) return;
  try {
    const cluster = execSync("pg_lsclusters -h", { encoding: "utf8" }).trim().split("\n")[0]?.split(/\s+/);
    if (cluster?.length) execFileSync("pg_ctlcluster", [cluster[0], cluster[1], "start"], { stdio: "ignore" });
  } catch {
    /* reported below */
  }
  for (let i = 0; i < 30 && !ready(); i++) execSync("sleep 1");
  if (!ready()) throw new Error("PostgreSQL is not reachable on 127.0.0.1:5432 (see scripts/pg-test.sh for the setup)");
}

/** A new, migrated database. `base` is any PostgreSQL URL of the server (its database is only used to connect), or unset for SQLite. */
export async function freshDatabase(label: string, base?: string): Promise<Database> {
  const id = `${label}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  if (base?.startsWith("postgres")) {
    ensurePostgres();
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${id}"`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${id}`;
    migrate(url.toString());
    return {
      url: url.toString(),
      kind: "postgres",
      name: id,
      drop: async () => {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${id}" WITH (FORCE)`);
        await c.end();
      },
    };
  }
  mkdirSync(TMP, { recursive: true });
  const file = path.join("tests", ".tmp", "scale", `${id}.sqlite`);
  const url = `file:./${file}`;
  migrate(url);
  return {
    url,
    kind: "sqlite",
    name: file,
    drop: async () => {
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path.join(ROOT, file + suffix), { force: true });
    },
  };
}

export const pgBase = (given?: string) => (given?.startsWith("postgres") ? given : PG_DEFAULT);

function migrate(url: string) {
  execSync("npx prisma migrate deploy", { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "ignore", "inherit"] });
}

// ---------------------------------------------------------------------------------------------
// Environment

export type Secrets = Record<"SHOPIFY_API_KEY" | "SHOPIFY_API_SECRET" | "TIKTOK_APP_ID" | "TIKTOK_APP_SECRET" | "TOKEN_ENCRYPTION_KEY" | "CRON_SECRET", string>;

export function randomSecrets(): Secrets {
  return {
    SHOPIFY_API_KEY: "scale-test-api-key",
    SHOPIFY_API_SECRET: randomBytes(16).toString("hex"),
    TIKTOK_APP_ID: "7000000000000000042",
    TIKTOK_APP_SECRET: randomBytes(16).toString("hex"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    CRON_SECRET: randomBytes(16).toString("hex"),
  };
}

/** The env every process of a run shares (the app instances add PORT/HOST/SHOPIFY_APP_URL). */
export function appEnv(opts: { secrets: Secrets; databaseUrl: string; sandboxUrl: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    ...opts.secrets,
    NODE_ENV: "test",
    SHOPIFY_APP_URL: "https://app.example.com",
    DATABASE_URL: opts.databaseUrl,
    TIKTOK_API_BASE_URL: opts.sandboxUrl,
    RUN_JOBS_IN_PROCESS: "0",
    ...opts.extra,
  };
}

/** Puts the run's env into this process, so app modules imported afterwards use it. */
export function applyEnv(env: Record<string, string>) {
  Object.assign(process.env, env);
}

// ---------------------------------------------------------------------------------------------
// Child processes

export type Child = {
  name: string;
  proc: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  alive(): boolean;
  /** Signals the whole process group (the child and anything it started). */
  signal(sig: NodeJS.Signals): void;
  stop(): Promise<void>;
};

let childSeq = 0;
const children = new Set<Child>();

export function startChild(name: string, args: string[], env: Record<string, string>, onLine?: (line: string) => void): Child {
  mkdirSync(LOG_DIR, { recursive: true });
  const file = createWriteStream(path.join(LOG_DIR, `${name}-${++childSeq}.log`));
  // Own process group: a signal reaches the whole tree (tsx's CLI runs the script in a child).
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: string[] = [];
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    proc.on("exit", (code, sig) => {
      exitCode = code ?? (sig ? -1 : null);
      children.delete(child);
      file.end();
      resolve(code);
    }),
  );
  let buffered = "";
  const take = (chunk: Buffer) => {
    file.write(chunk);
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
  };
  proc.stdout!.on("data", take);
  proc.stderr!.on("data", take);
  const child: Child = {
    name,
    proc,
    lines,
    exited,
    alive: () => exitCode === undefined,
    signal(sig) {
      if (exitCode !== undefined || !proc.pid) return;
      try {
        process.kill(-proc.pid, sig);
      } catch {
        /* already gone */
      }
    },
    async stop() {
      if (exitCode !== undefined) return;
      child.signal("SIGTERM");
      const done = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!done) {
        child.signal("SIGKILL");
        await exited;
      }
    },
  };
  children.add(child);
  return child;
}

/** Stops every child this process started (on exit or failure). */
export async function stopAllChildren() {
  await Promise.all([...children].map((c) => c.stop()));
}

/** A scripts/serve.mjs instance of build/index.js on `port`. Resolves once /healthcheck answers 200. */
export async function startApp(name: string, port: number, env: Record<string, string>) {
  const url = `http://127.0.0.1:${port}`;
  const child = startChild(name, ["scripts/serve.mjs", "build/index.js"], {
    ...env,
    PORT: String(port),
    HOST: "127.0.0.1",
    SHOPIFY_APP_URL: url,
  });
  await waitFor(async () => (await fetch(`${url}/healthcheck`, { headers: { "User-Agent": UA } })).ok, 60_000, `${name} on ${url}`, child);
  return { child, url };
}

/**
 * `npm run worker` as the brief runs it (through tsx's CLI), or with `direct` as one node process
 * (`node --import tsx`), so that SIGKILL hits the worker itself and not a launcher.
 */
export function startWorker(name: string, env: Record<string, string>, opts: { direct?: boolean; onLine?: (line: string) => void } = {}) {
  const args = opts.direct ? ["--import", "tsx", "scripts/worker.ts"] : ["node_modules/tsx/dist/cli.mjs", "scripts/worker.ts"];
  return startChild(name, args, env, opts.onLine);
}

export async function waitFor(probe: () => Promise<boolean>, timeoutMs: number, what: string, child?: Child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && !child.alive()) throw new Error(`${what}: process exited\n${child.lines.slice(-20).join("\n")}`);
    try {
      if (await probe()) return;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`${what}: not ready within ${timeoutMs / 1000} s`);
}

export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export function build() {
  execSync("npx remix build", { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

// ---------------------------------------------------------------------------------------------
// Load

/** Runs `tasks` with at most `concurrency` in flight. */
export async function pool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const newWebhookId = () => randomUUID();

/** Resolves with `fallback` if `promise` has not settled within `ms` (used for clean-up that may hang). */
export function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise.finally(() => clearTimeout(timer)), new Promise<T>((r) => (timer = setTimeout(() => r(fallback), ms)))]);
}

export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Sandbox inspection

export type SandboxEvent = { pixel_code: string; event: { event_id: string } };

export async function sandboxEvents(sandboxUrl: string): Promise<SandboxEvent[]> {
  const res = await fetch(`${sandboxUrl}/__sandbox/events`);
  return ((await res.json()) as { events: SandboxEvent[] }).events;
}

export async function sandboxRequestCounts(sandboxUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${sandboxUrl}/__sandbox/requests`);
  return ((await res.json()) as { counts: Record<string, number> }).counts;
}

export const TRACK_PATH = "/open_api/v1.3/event/track/";
export const REPORT_PATH = "/open_api/v1.3/report/integrated/get/";

/** The end of a run, success or not: children stopped, pool closed, sandbox closed, database dropped (or kept). */
export async function tearDownRun(opts: { prisma: { $disconnect(): Promise<void> }; sandbox: { close(): Promise<void> }; db: Database; keep: boolean }) {
  await stopAllChildren();
  if ((await within(opts.prisma.$disconnect().then(() => true), 5_000, false)) === false) log("prisma.$disconnect() did not finish within 5 s (connections still checked out)");
  await opts.sandbox.close();
  if (opts.keep) log(`kept database ${opts.db.url}`);
  else await opts.db.drop();
}
