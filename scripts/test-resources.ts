// `npm run test:resources`: what strangers holding no secret can make the production server hold.
// Builds the app (`npm run build`), starts it as a store runs it (`NODE_ENV=production`,
// scripts/serve.mjs) on a fresh SQLite database and repeats issue 27's probes against it:
//   H1  1,000 concurrent unsigned 1 MB POSTs to /webhooks/orders/create (declared length), then
//       300 more without Content-Length (chunked);
//   H2  200 uploads that declare 5 MB and stall one byte short;
//   M5  a body sent one byte every 2 s, headers sent one byte every 500 ms, a connection that
//       sends nothing;
//   L10 1,000 concurrent unsigned 2 KB POSTs.
// Throughout, /healthcheck is asked every 100 ms and must answer within 1 s, and the server's RSS
// (read from /proc) must stay within RSS_BUDGET_MB of what it was before the first probe. After
// the probes a signed webhook and a keep-alive connection idle past the header timeout still work.
// Exits non-zero on failure; the last line is "N passed, M failed". docs/decisions/0014 ("Memory").
//
//   npm run test:resources
//   npm run test:resources -- --no-build --keep
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import net from "node:net";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { webhookHeaders } from "../app/features/demo/shopify-double.server";
import { BODY_BUDGET_BYTES } from "../app/core/lib/read-body.server";
import { SERVER_TIMEOUTS } from "./serve.mjs";
import { LOG_DIR, Ledger, build, freePort, freshDatabase, log, now, randomSecrets, requireGeneratedProvider, seconds, sleep, waitFor, UA } from "../tests/scale/harness";

const { values: args } = parseArgs({
  options: {
    "no-build": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

/**
 * What a probe may add to the server's resident memory, peak over the warmed-up baseline. Measured
 * here: a thousand connections cost about 60 MB whatever they carry (sockets, parsers, requests),
 * and about 64 KB each of body that Node reads off the socket before anything can refuse it; then
 * the body budget (16 MB) and the copies of what it admits. Without the budget H1 took 0.7–1.3 GB.
 */
const RSS_BUDGET_MB = 192;
const HEALTH_BUDGET_MS = 1_000;
const MB = 1024 * 1024;
const WEBHOOK_PATH = "/webhooks/orders/create";

const ledger = new Ledger().guardEarlyExit();

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Asks argv[1] every 100 ms on a fresh connection (as a load balancer's probe does); prints "status ms" per answer. */
const PROBER = `
const http = require("node:http");
const [url, ua] = process.argv.slice(1);
let started = 0;
let inFlight = false;
// Stopped while a probe waits: that wait counts too.
process.on("SIGTERM", () => {
  if (inFlight) process.stdout.write("pending " + Math.round(performance.now() - started) + "\\n");
  process.exit(0);
});
const once = () => {
  started = performance.now();
  inFlight = true;
  const req = http.get(url, { agent: false, headers: { "User-Agent": ua } }, (res) => {
    res.resume();
    res.on("end", () => done(res.statusCode));
  });
  req.setTimeout(5000, () => req.destroy());
  req.on("error", () => done(0));
  let finished = false;
  function done(status) {
    if (finished) return;
    finished = true;
    inFlight = false;
    process.stdout.write(status + " " + Math.round(performance.now() - started) + "\\n");
    setTimeout(once, 100);
  }
};
once();
`;

/** Samples the server's RSS and /healthcheck's answer time until stopped. */
function watch(pid: number, baseUrl: string) {
  let peakRss = rssMb(pid);
  let slowestHealth = 0;
  let healthFailures = 0;
  let answered = 0;
  const rssTimer = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssMb(pid));
    } catch {
      /* the process is gone; the checks say so */
    }
  }, 50);
  // The prober runs in a process of its own: this one is busy sending the flood, and its own
  // event loop must not be what is measured.
  const prober = spawn(process.execPath, ["-e", PROBER, `${baseUrl}/healthcheck`, UA], { stdio: ["ignore", "pipe", "inherit"] });
  let buffered = "";
  prober.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      const [status, ms] = line.split(" ");
      slowestHealth = Math.max(slowestHealth, Number(ms));
      if (status !== "200" && status !== "pending") healthFailures++;
      if (status === "200") answered++;
    }
  });
  const proberExited = new Promise((resolve) => prober.on("exit", resolve));
  return {
    async stop() {
      clearInterval(rssTimer);
      prober.kill("SIGTERM");
      await proberExited;
      return { peakRss, slowestHealth, healthFailures, answered };
    },
  };
}

type Outcome = number | "reset" | "closed";

/** One POST with `body`; `declare` false sends it chunked (no Content-Length). */
function post(baseUrl: string, path: string, body: Buffer, opts: { declare: boolean; headers?: Record<string, string> }): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { "Content-Type": "application/json", "X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": "victim.myshopify.com", "X-Shopify-Hmac-Sha256": "AAAA", ...opts.headers };
    if (opts.declare) headers["Content-Length"] = body.length;
    const req = http.request(`${baseUrl}${path}`, { method: "POST", agent: false, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", () => resolve("reset"));
    });
    req.on("error", () => resolve("reset"));
    if (opts.declare) req.end(body);
    else {
      // Chunked: 64 KB at a time, as a streaming client sends it.
      let at = 0;
      const next = () => {
        while (at < body.length) {
          const chunk = body.subarray(at, at + 64 * 1024);
          at += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", next);
        }
        req.end();
      };
      next();
    }
  });
}

const tally = (outcomes: Outcome[]) => {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(String(o), (counts.get(String(o)) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k}: ${v}`).join(", ");
};

/** Raw socket: writes `head` then `bodyBytes` of body, then waits. Resolves with what the server did and when. */
function stalledUpload(port: number, declared: number, sent: number): Promise<{ answered: number | null; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = now();
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (d) => {
      if (answer.length < 64) answer += d.toString("latin1");
    });
    const done = () => resolve({ answered: /^HTTP\/1\.1 (\d{3})/.exec(answer) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)![1]) : null, closedAfterMs: now() - started });
    socket.on("close", done);
    socket.on("error", () => undefined);
    socket.on("connect", () => {
      socket.write(`POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Shopify-Topic: orders/create\r\nX-Shopify-Hmac-Sha256: AAAA\r\nContent-Length: ${declared}\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let left = sent;
      const pump = () => {
        while (left > 0) {
          const piece = chunk.subarray(0, Math.min(chunk.length, left));
          left -= piece.length;
          if (!socket.write(piece)) return void socket.once("drain", pump);
        }
      };
      pump();
    });
  });
}

/** Raw socket that sends `text` one byte every `everyMs`; resolves when the server closes it. */
function trickle(port: number, text: string, everyMs: number): Promise<{ answered: number | null; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = now();
    const socket = net.connect(port, "127.0.0.1");
    let answer = "";
    let timer: NodeJS.Timeout | undefined;
    socket.on("data", (d) => (answer += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      resolve({ answered: m ? Number(m[1]) : null, closedAfterMs: now() - started });
    });
    socket.on("connect", () => {
      let at = 0;
      if (!text) return;
      timer = setInterval(() => {
        if (at < text.length && socket.writable) socket.write(text[at++]);
      }, everyMs);
    });
  });
}

type Server = { proc: ChildProcess; alive(): boolean; stop(): Promise<void> };
const servers = new Set<Server>();

/**
 * `NODE_ENV=production npm start` on `port`, its output written straight to a file: through a pipe
 * to this process, busy sending the flood, the server's log writes would wait on this process.
 */
async function startServer(name: string, port: number, env: Record<string, string>): Promise<{ child: Server; url: string }> {
  mkdirSync(LOG_DIR, { recursive: true });
  const out = openSync(path.join(LOG_DIR, `${name}-${port}.log`), "w");
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(process.execPath, ["scripts/serve.mjs", "build/index.js"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port), HOST: "127.0.0.1" } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", out, out],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.on("exit", () => ((exited = true), resolve())));
  const child: Server = {
    proc,
    alive: () => !exited,
    async stop() {
      if (exited) return;
      proc.kill("SIGTERM");
      if (!(await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]))) proc.kill("SIGKILL");
      await exit;
      servers.delete(child);
    },
  };
  servers.add(child);
  await waitFor(async () => {
    if (exited) throw new Error(`${name} exited; see ${LOG_DIR}`);
    return (await fetch(`${url}/healthcheck`, { headers: { "User-Agent": UA } })).ok;
  }, 60_000, `${name} on ${url}`);
  return { child, url };
}

const stopAllServers = () => Promise.all([...servers].map((s) => s.stop()));

async function main() {
  requireGeneratedProvider("sqlite");
  if (!args["no-build"]) {
    log("npm run build");
    build();
  }
  const db = await freshDatabase("resources");
  const secrets = randomSecrets();
  const env = {
    ...secrets,
    NODE_ENV: "production",
    DATABASE_URL: db.url,
    // Jobs off and TikTok unreachable: nothing here talks to TikTok.
    RUN_JOBS_IN_PROCESS: "0",
    TIKTOK_API_BASE_URL: "http://127.0.0.1:9",
    SHOPIFY_APP_URL: "https://app.example.com",
  };
  log(`body budget ${BODY_BUDGET_BYTES / MB} MB; each probe on a fresh server: RSS growth within ${RSS_BUDGET_MB} MB, /healthcheck within ${HEALTH_BUDGET_MS} ms`);
  const small = Buffer.alloc(2 * 1024, 0x61);
  let server = { url: "", port: 0 };

  /** A fresh production server, warmed on the paths the probes take; its RSS then is the baseline. */
  // L10 (a flood of small unsigned bodies) is not fixed: each costs the app about a millisecond of
  // CPU, and /healthcheck waits behind them; its time is printed, not asserted.
  const phase = async (name: string, run: (url: string, port: number) => Promise<void>, opts = { healthAsserted: true }) => {
    const port = await freePort();
    const { child, url } = await startServer(`resources-${name.split(" ")[0]}`, port, env);
    server = { url, port };
    const pid = child.proc.pid!;
    for (let i = 0; i < 50; i++) await post(url, WEBHOOK_PATH, small, { declare: true });
    await sleep(1_000);
    const baseline = rssMb(pid);
    const watcher = watch(pid, url);
    const t0 = now();
    // At least 2 s under watch: the prober is a process of its own and a short flood could end
    // before its first answer, which would leave "throughout" with nothing measured.
    await Promise.all([run(url, port), sleep(2_000)]);
    const { peakRss, slowestHealth, healthFailures, answered } = await watcher.stop();
    const growth = peakRss - baseline;
    log(`${name}: ${seconds(now() - t0)}, RSS ${baseline.toFixed(0)} MB → peak ${peakRss.toFixed(0)} MB (+${growth.toFixed(0)}), slowest /healthcheck ${slowestHealth.toFixed(0)} ms of ${answered} answered`);
    ledger.check(`${name}: RSS growth within ${RSS_BUDGET_MB} MB`, growth < RSS_BUDGET_MB, `+${growth.toFixed(0)} MB`);
    if (opts.healthAsserted)
      ledger.check(`${name}: /healthcheck answered 200 within ${HEALTH_BUDGET_MS} ms throughout`, slowestHealth < HEALTH_BUDGET_MS && healthFailures === 0 && answered > 0, `slowest ${slowestHealth.toFixed(0)} ms, ${healthFailures} failed`);
    else ledger.check(`${name}: /healthcheck answered 200 throughout`, healthFailures === 0, `${healthFailures} failed`);
    ledger.check(`${name}: the server is still running`, child.alive());
    return child;
  };

  // ---- H1 ------------------------------------------------------------------------------------
  const oneMb = Buffer.alloc(MB, 0x61);
  const h1 = await phase("H1 1,000 concurrent unsigned 1 MB POSTs, twice", async (url) => {
    const outcomes: Outcome[] = [];
    // Two bursts on one server: what the first leaves behind must not add up with the second.
    for (let round = 0; round < 2; round++) {
      const t = now();
      const these = await Promise.all(Array.from({ length: 1_000 }, () => post(url, WEBHOOK_PATH, oneMb, { declare: true })));
      log(`  round ${round + 1}: ${seconds(now() - t)}, ${tally(these)}`);
      outcomes.push(...these);
      await sleep(1_000);
    }
    log(`  answers: ${tally(outcomes)}`);
    ledger.check("H1: every POST refused (401 unsigned, or 503 past the body budget), none accepted", outcomes.every((o) => o === 401 || o === 503 || o === "reset"), tally(outcomes));
    ledger.check("H1: bodies were read and refused for their HMAC (not all turned away)", outcomes.filter((o) => o === 401).length > 0, tally(outcomes));
    ledger.check("H1: past the budget, refused by Content-Length before being read (503)", outcomes.filter((o) => o === 503).length > 0, tally(outcomes));
  });
  await h1.stop();
  const h1c = await phase("H1 300 concurrent unsigned 1 MB POSTs without Content-Length", async (url) => {
    const outcomes = await Promise.all(Array.from({ length: 300 }, () => post(url, WEBHOOK_PATH, oneMb, { declare: false })));
    log(`  answers: ${tally(outcomes)}`);
    ledger.check("H1 chunked: every POST refused (401 or 503), none accepted", outcomes.every((o) => o === 401 || o === 503 || o === "reset"), tally(outcomes));
  });

  // ---- H2 ------------------------------------------------------------------------------------
  const fiveMb = 5 * MB;
  const cutOffWithin = SERVER_TIMEOUTS.requestTimeoutMs + SERVER_TIMEOUTS.checkIntervalMs + 2_000;
  await h1c.stop();
  const h2 = await phase("H2 200 uploads stalled one byte short of 5 MB", async (_url, port) => {
    const results = await Promise.all(Array.from({ length: 200 }, () => stalledUpload(port, fiveMb, fiveMb - 1)));
    const slowest = Math.max(...results.map((r) => r.closedAfterMs));
    const answers = tally(results.map((r) => r.answered ?? "closed"));
    log(`  answers: ${answers}; the last closed after ${seconds(slowest)}`);
    ledger.check(`H2: every stalled upload was closed within ${seconds(cutOffWithin)}`, slowest < cutOffWithin, `${seconds(slowest)}`);
    ledger.check("H2: past the budget, uploads were refused (503) before being read", results.some((r) => r.answered === 503), answers);
  });
  await h2.stop();

  // ---- M5 ------------------------------------------------------------------------------------
  const m5 = await phase("M5 slow body, slow headers, a silent connection", async (_url, port) => {
    const head = `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n`;
    const [slowBody, slowHeaders, silent] = await Promise.all([
      // The headers at once, then one body byte every 2 s.
      (async () => {
        const socket = net.connect(port, "127.0.0.1");
        const started = now();
        let timer: NodeJS.Timeout | undefined;
        return new Promise<{ closedAfterMs: number }>((resolve) => {
          socket.on("error", () => undefined);
          // Read what the server sends, so its closing the connection is seen when it happens.
          socket.resume();
          socket.on("connect", () => {
            socket.write(head);
            timer = setInterval(() => socket.writable && socket.write("a"), 2_000);
          });
          socket.on("close", () => {
            clearInterval(timer);
            resolve({ closedAfterMs: now() - started });
          });
        });
      })(),
      trickle(port, `GET /healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${"a".repeat(200)}\r\n\r\n`, 500),
      trickle(port, "", 1_000),
    ]);
    const bodyLimit = SERVER_TIMEOUTS.requestTimeoutMs + SERVER_TIMEOUTS.checkIntervalMs + 1_500;
    const headerLimit = SERVER_TIMEOUTS.headersTimeoutMs + SERVER_TIMEOUTS.checkIntervalMs + 1_500;
    ledger.check(`M5: a body sent a byte every 2 s is cut off within ${seconds(bodyLimit)}`, slowBody.closedAfterMs < bodyLimit, seconds(slowBody.closedAfterMs));
    ledger.check(`M5: headers sent a byte every 500 ms are cut off within ${seconds(headerLimit)}`, slowHeaders.closedAfterMs < headerLimit, seconds(slowHeaders.closedAfterMs));
    ledger.check(`M5: a connection that sends nothing is closed within ${seconds(headerLimit)}`, silent.closedAfterMs < headerLimit, seconds(silent.closedAfterMs));
  });

  await m5.stop();

  // ---- L10 -----------------------------------------------------------------------------------
  const l10 = await phase("L10 1,000 concurrent unsigned 2 KB POSTs", async (url) => {
    const outcomes = await Promise.all(Array.from({ length: 1_000 }, () => post(url, WEBHOOK_PATH, small, { declare: true })));
    log(`  answers: ${tally(outcomes)}`);
    ledger.check("L10: every POST refused (401, or 503 past the requests in flight)", outcomes.every((o) => o === 401 || o === 503 || o === "reset"), tally(outcomes));
  }, { healthAsserted: false });

  // ---- what still works, on the server L10 flooded ----------------------------------------------
  const { url } = server;
  const rawBody = JSON.stringify({ id: 1, note: "not an order this route can use" });
  const signed = webhookHeaders({ topic: "orders/create", shop: "resources-probe.myshopify.com", rawBody, secret: secrets.SHOPIFY_API_SECRET });
  const status = await post(url, WEBHOOK_PATH, Buffer.from(rawBody), { declare: true, headers: signed });
  ledger.check("after the probes, a signed delivery is answered 200", status === 200, String(status));

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const viaAgent = () =>
    new Promise<{ status: number; port: number | undefined }>((resolve, reject) => {
      const req = http.get(`${url}/healthcheck`, { agent, headers: { "User-Agent": UA } }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, port: req.socket?.localPort }));
      });
      req.on("error", reject);
    });
  const first = await viaAgent();
  await sleep(SERVER_TIMEOUTS.headersTimeoutMs + SERVER_TIMEOUTS.checkIntervalMs + 500);
  const second = await viaAgent();
  agent.destroy();
  ledger.check(
    `a keep-alive connection idle ${seconds(SERVER_TIMEOUTS.headersTimeoutMs + SERVER_TIMEOUTS.checkIntervalMs + 500)} (past the header timeout) serves its next request`,
    first.status === 200 && second.status === 200 && first.port === second.port,
    `${first.status}/${second.status}, same connection: ${first.port === second.port}`,
  );

  await l10.stop();
  if (!args.keep) await db.drop();
}

main()
  .catch((error) => {
    ledger.check("the script ran to its end", false, error instanceof Error ? (error.stack ?? error.message) : String(error));
  })
  .finally(async () => {
    await stopAllServers();
    process.exit(ledger.finish());
  });
