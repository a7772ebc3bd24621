// Storage per order after retention (issue 28 item 6), the orders side of "bytes per shop-month".
// The BUILT app with its in-process worker and the sandbox: signed orders/create webhooks, each
// attributed and sent to TikTok as in production; then the retention jobs run as they would once
// every order is past its last retention period (a child process with the clock 100 days on:
// payloads reduced after 8 days, hashes cleared after 90, clicks gone after the window), and the
// tables that hold a row per order are measured on PostgreSQL after VACUUM FULL (live rows only;
// the space an UPDATE frees is reused by the next month's rows, so this is the steady state),
// less what the same tables take empty.
// Knobs: BENCH_STORAGE_ORDERS (2,000 orders), BENCH_ORDERS_PER_SHOP_MONTH (1,000, the size an
// operator multiplies by: say which).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { encryptToken } from "../app/core/connection/token-crypto.server";
import { webhookHeaders } from "../app/features/demo/shopify-double.server";
import { startSandbox } from "../sandbox/server";
import { sandboxControl } from "../sandbox/control";
import { ADVERTISER_IDS } from "../sandbox/world";
import { appSecrets, attributedOrders, connectionRow, ensureBuild, freePort, prepareDatabase, startApp } from "./app-server";

type Result = Record<string, number | string>;

const SHOP = "bench-storage.myshopify.com";
const ORDERS = Number(process.env.BENCH_STORAGE_ORDERS ?? 2_000);
const ORDERS_PER_SHOP_MONTH = Number(process.env.BENCH_ORDERS_PER_SHOP_MONTH ?? 1_000);
const CONCURRENCY = 16;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Every table that keeps a row (or more) per order, and what it is. */
const ORDER_TABLES = ["OrderRecord", "OutboxEvent", "ProcessedWebhook", "OrderLink", "Touchpoint", "Refund", "RefundTransaction"];

export async function benchOrderStorage(): Promise<Result> {
  const base = process.env.BENCH_PG_URL;
  if (!base?.startsWith("postgres")) throw new Error("order-storage-pg runs on PostgreSQL: BENCH_PG_URL (scripts/pg-bench.sh)");
  ensureBuild();
  // A database of its own, so the sizes are these orders' alone.
  const databaseUrl = base.replace(/\/[^/?]+(\?|$)/, "/app_bench_orders$1");
  const pg = await import("pg");
  const admin = new pg.default.Client({ connectionString: base });
  await admin.connect();
  await admin.query("DROP DATABASE IF EXISTS app_bench_orders WITH (FORCE)");
  await admin.query("CREATE DATABASE app_bench_orders");
  await admin.end();

  const secrets = appSecrets();
  const sandbox = await startSandbox({ port: await freePort(), appId: "bench-tiktok-app", autoApprove: true });
  const control = sandboxControl(sandbox.url);
  const prisma = await prepareDatabase(databaseUrl, [SHOP]);
  // Each empty table and index already takes a page or two: a fixed cost, not a per-order one.
  const empty = await measure(prisma);
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const advertiserId = ADVERTISER_IDS.berlin;
    const world = await control.world();
    const pixelCode = world.advertisers.find((a) => a.advertiser_id === advertiserId)!.pixels[0].pixel_code;
    const accessTokenEnc = encryptToken(await control.token([advertiserId]), [Buffer.from(secrets.TOKEN_ENCRYPTION_KEY, "base64")]);
    await prisma.tikTokConnection.create({ data: connectionRow(SHOP, { accessTokenEnc, advertiserId, pixelCode }) });
    app = await startApp({ databaseUrl, secrets, jobsInProcess: true, tiktokUrl: sandbox.url });
    const url = `${app.url}/webhooks/orders/create`;
    const stream = attributedOrders(ORDERS);
    let next = 0;
    let refused = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < stream.length) {
          const [, body] = stream[next++];
          const headers = webhookHeaders({ topic: "orders/create", shop: SHOP, rawBody: body, secret: secrets.SHOPIFY_API_SECRET });
          const res = await fetch(url, { method: "POST", headers, body });
          await res.arrayBuffer();
          if (res.status !== 200) refused++;
        }
      }),
    );
    const deadline = Date.now() + 60_000;
    while ((await control.events()).length < ORDERS - refused && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    const sent = (await control.events()).length;
    await app.stop();
    app = undefined;

    const before = await measure(prisma);
    // The retention jobs, as the worker runs them, with the clock past every retention period.
    const self = fileURLToPath(import.meta.url);
    execFileSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", self, "--retention"], {
      env: {
        ...process.env,
        BENCH_ORDER_STORAGE: "retention",
        NODE_ENV: "test",
        DATABASE_URL: databaseUrl,
        SHOPIFY_API_KEY: "bench-api-key",
        SHOPIFY_API_SECRET: secrets.SHOPIFY_API_SECRET,
        SHOPIFY_APP_URL: "https://bench.example.com",
        TIKTOK_APP_ID: "bench-tiktok-app",
        TIKTOK_APP_SECRET: "bench-tiktok-secret",
        TOKEN_ENCRYPTION_KEY: secrets.TOKEN_ENCRYPTION_KEY,
        RUN_JOBS_IN_PROCESS: "0",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const after = await measure(prisma);
    const orders = await prisma.orderRecord.count({ where: { shop: SHOP } });
    const grown = (sizes: Record<string, number>, table: string) => Math.max(0, sizes[table] - empty[table]);
    const total = (sizes: Record<string, number>) => ORDER_TABLES.reduce((sum, t) => sum + grown(sizes, t), 0);
    const perOrder = total(after) / orders;
    return {
      orders,
      sent_to_tiktok: sent,
      refused_webhooks: refused,
      tables: ORDER_TABLES.join(", "),
      bytes_per_order_before_retention: Math.round(total(before) / orders),
      bytes_per_order_after_retention: Math.round(perOrder),
      after_retention_by_table: ORDER_TABLES.filter((t) => grown(after, t) > 0)
        .map((t) => `${t} ${Math.round(grown(after, t) / orders)}`)
        .join(", "),
      orders_per_shop_month: `${ORDERS_PER_SHOP_MONTH} (assumed: BENCH_ORDERS_PER_SHOP_MONTH)`,
      order_bytes_per_shop_month: Math.round(perOrder * ORDERS_PER_SHOP_MONTH),
    };
  } finally {
    await app?.stop();
    await sandbox.close();
    await prisma.$disconnect();
  }
}

/** Bytes on disk of each order table with its indexes and TOAST, after VACUUM FULL (live rows only). */
async function measure(prisma: { $executeRawUnsafe: (q: string) => Promise<unknown>; $queryRawUnsafe: <T>(q: string) => Promise<T> }) {
  const sizes: Record<string, number> = {};
  for (const table of ORDER_TABLES) {
    await prisma.$executeRawUnsafe(`VACUUM FULL ANALYZE "${table}"`);
    const [row] = await prisma.$queryRawUnsafe<{ bytes: bigint }[]>(`SELECT pg_total_relation_size('"${table}"') AS bytes`);
    sizes[table] = Number(row.bytes);
  }
  return sizes;
}

async function retention() {
  const later = new Date(Date.now() + 100 * DAY_MS);
  const { purgeExpiredPersonalData } = await import("../app/features/privacy/retention.server");
  const { purgeExpiredTouchpoints } = await import("../app/core/attribution/touchpoints.server");
  const { default: prisma } = await import("../app/core/db.server");
  await purgeExpiredPersonalData(later);
  await purgeExpiredTouchpoints(later);
  await prisma.$disconnect();
}

if (process.env.BENCH_ORDER_STORAGE === "retention" && process.argv.includes("--retention")) {
  retention().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
