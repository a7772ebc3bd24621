// `npm start`: serves a Remix server build the way remix-serve does (compression, static assets,
// an access log), with what production needs on top:
// - the access log never holds a secret that travels in a URL (OAuth codes and states, session
//   tokens, Shopify's signatures);
// - SIGTERM stops the background jobs, lets the running pass finish or hand its work back, and
//   exits within SHUTDOWN_GRACE_MS, instead of running on until SIGKILL;
// - a build made for the demo or the benchmark is refused under NODE_ENV=production;
// - a client that sends its request slowly, or opens a connection and sends nothing, is cut off
//   within seconds (SERVER_TIMEOUTS), so stalled uploads cannot hold memory or sockets for minutes.
//
//   node scripts/serve.mjs [path/to/build/index.js]     (default build/index.js)
import path from "node:path";
import url from "node:url";
import fs from "node:fs";
import http from "node:http";
import express from "express";
import compression from "compression";
import morgan from "morgan";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";

/**
 * Query parameters whose values are credentials or signatures (`sig`: the TikTok start link's;
 * `grant`: the code that names a TikTok grant awaiting the merchant's confirmation): never written to a log.
 */
export const SECRET_PARAMS = ["auth_code", "code", "state", "id_token", "hmac", "signature", "session", "token", "access_token", "secret", "sig", "grant"];

/**
 * Shopify waits 5 s for a webhook's answer and then counts a failure and retries, so a request
 * still arriving after that is worth nothing to it, and no page of the app sends a large body.
 * Node's defaults (60 s for headers, 300 s for the whole request, checked every 30 s) let one
 * stalled upload hold its bytes for about 327 s; these end it within a second of the limit.
 * Idle keep-alive connections hold no request bytes; 65 s outlasts the 60 s idle timeout of common
 * load balancers, which otherwise reuse a connection the app has just closed (a 502).
 * docs/decisions/0014 ("Memory").
 */
export const SERVER_TIMEOUTS = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  checkIntervalMs: 1_000,
};

const LISTEN_BACKLOG = 4096;

/** A Node HTTP server for `app` with SERVER_TIMEOUTS applied. */
export function createServer(app) {
  const server = http.createServer(
    {
      headersTimeout: SERVER_TIMEOUTS.headersTimeoutMs,
      requestTimeout: SERVER_TIMEOUTS.requestTimeoutMs,
      connectionsCheckingInterval: SERVER_TIMEOUTS.checkIntervalMs,
    },
    app,
  );
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeoutMs;
  return server;
}

/**
 * Requests that carry a body are where strangers make the process hold memory: their bytes, and
 * the Request, streams and handlers the app builds for each (about 50 KB apiece at a thousand in
 * flight). Two bounds, both answered 503 here before Remix sees the request, with the connection
 * closed rather than the body read and thrown away:
 * - a declared body that does not fit the app's budget of request bytes in flight
 *   (app/core/lib/read-body.server.ts; the app takes the bytes when it reads them, and refuses
 *   past the budget there too, for bodies of undeclared length);
 * - more than MAX_BODY_REQUESTS_IN_FLIGHT such requests at once.
 * Shopify retries a 503. docs/decisions/0014 ("Memory").
 */
export const MAX_BODY_REQUESTS_IN_FLIGHT = 64;

export function refuseBodiesPastBudget(fits, maxInFlight = MAX_BODY_REQUESTS_IN_FLIGHT) {
  let inFlight = 0;
  return (req, res, next) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    const hasBody = declared > 0 || req.headers["transfer-encoding"] !== undefined;
    if (!hasBody) return next();
    if (inFlight >= maxInFlight || (declared > 0 && !fits(declared))) {
      res.set({ Connection: "close", "Content-Type": "text/plain", "Retry-After": "5" });
      res.status(503).send("Too many requests in flight; retry later");
      return;
    }
    inFlight++;
    res.once("close", () => inFlight--);
    next();
  };
}

/**
 * What every route gets beside the request: the connection's TCP peer, the one address a client
 * cannot write; the storefront limits count visitors from it (app/core/lib/client-address.server.ts).
 */
export function loadContext(req) {
  return { peerAddress: req.socket.remoteAddress };
}

/** The URL with every secret parameter's value replaced; anything unparsable is dropped whole. */
export function redactUrl(raw) {
  const queryAt = raw.indexOf("?");
  if (queryAt === -1) return raw;
  try {
    const params = new URLSearchParams(raw.slice(queryAt + 1));
    const kept = [];
    for (const [key, value] of params) kept.push(`${key}=${SECRET_PARAMS.includes(key.toLowerCase()) ? "[redacted]" : encodeURIComponent(value)}`);
    return `${raw.slice(0, queryAt)}?${kept.join("&")}`;
  } catch {
    return `${raw.slice(0, queryAt)}?[unparsable query dropped]`;
  }
}

/** Route ids that only the demo and bench builds register (remix.config.js, APP_BUILD). */
export function nonProductionRoutes(build) {
  return Object.values(build.routes ?? {})
    .map((r) => r.file ?? r.id)
    .filter((file) => /(^|\/)(demo-routes|bench-routes)\//.test(file));
}

async function main() {
  const buildPath = path.resolve(process.argv[2] ?? "build/index.js");
  if (!fs.existsSync(buildPath)) {
    console.error(`No server build at ${buildPath}. Run \`npm run build\` first.`);
    process.exit(1);
  }
  const build = await import(url.pathToFileURL(buildPath).href);
  const extra = nonProductionRoutes(build);
  if (process.env.NODE_ENV === "production" && extra.length > 0) {
    console.error(
      `${buildPath} is a demo or benchmark build (it contains ${extra[0]}). Run \`npm run build\` for the build a store runs.`,
    );
    process.exit(1);
  }
  installGlobals({ nativeFetch: build.future?.v3_singleFetch });
  // PORT, HOST and SHUTDOWN_GRACE_MS through the app's env schema: a bad value stops here, named.
  const { port, host, shutdownGraceMs: SHUTDOWN_GRACE_MS } = build.entry.module.serveSettings();

  morgan.token("safe-url", (req) => redactUrl(req.originalUrl ?? req.url ?? ""));
  const app = express();
  app.disable("x-powered-by");
  app.use(compression());
  app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
  app.use(express.static("public", { maxAge: "1h" }));
  app.use(morgan(":method :safe-url :status :res[content-length] - :response-time ms"));
  app.use(refuseBodiesPastBudget(build.entry.module.requestBodyFits));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV, getLoadContext: loadContext }));

  const server = createServer(app);
  // A burst of connections waits in the kernel's queue while the event loop works through the
  // ones it has; past Node's default 511 the kernel drops new ones (a health check's among them)
  // and their clients wait a second to retry. The kernel caps this at net.core.somaxconn.
  server.listen({ port, host, backlog: LISTEN_BACKLOG });
  server.on("listening", () => console.log(`[serve] http://${host ?? "localhost"}:${port}`));

  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`[serve] ${signal}: no new work; finishing what runs (at most ${SHUTDOWN_GRACE_MS} ms)`);
    const deadline = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    server.close();
    // The entry module stops the in-process jobs and hands back what they had claimed.
    const stopJobs = build.entry?.module?.stopBackgroundJobs;
    await Promise.race([Promise.resolve(stopJobs ? stopJobs({ graceMs: SHUTDOWN_GRACE_MS - 500 }) : undefined), deadline]);
    server.closeAllConnections?.();
    process.exit(0);
  };
  for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => void shutdown(signal));
}

if (import.meta.url === url.pathToFileURL(process.argv[1] ?? "").href) await main();
