// Cost as the work grows: the orders/create ack and the attribution lookup with 10k and with 1M
// touchpoints in the shop. Touchpoints are seeded straight into the table in batches (set-based
// INSERT ... SELECT, 100k rows a statement; they are not what is measured), two per visitor over
// the last 30 days. Orders come from visitors the first 10k already hold, with no ttclid on the
// cart, so each is attributed through the (shop, visitorId, capturedAt) index.
// - ack: orders/create against the HMAC-only route in interleaved rounds (bench/webhooks.ts), as
//   orders' time over the baseline's at each size;
// - lookup: attributeOrder (app/core/attribution) called directly, mean per call.
// Target: 1M over 10k <= 1.5 for both.
import { randomInt } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import { attributeOrder } from "../app/core/attribution/attribute.server";
import { appSecrets, attributedOrders, connectionRow, ensureBuild, prepareDatabase, round, startApp } from "./app-server";
import { ACK_CONNECTION, run } from "./webhooks";

type Result = Record<string, number | string>;

const SHOP = "bench-scale.myshopify.com";
const SIZES = [10_000, 1_000_000];
const HOT_VISITORS = 5_000; // the visitors of the first 10k rows
const ACK_ORDERS = Number(process.env.BENCH_SCALE_ORDERS ?? 1_000);
const LOOKUPS = 2_000;
const BATCH = 100_000;

const visitorId = (n: number) => `tta1.${String(n).padStart(22, "0")}`;

/** Touchpoint rows [from, to): row n belongs to visitor n/2, captured within the last 30 days. */
async function seedTouchpoints(prisma: PrismaClient, postgres: boolean, from: number, to: number) {
  const now = Math.floor(Date.now() / 1000);
  for (let start = from; start < to; start += BATCH) {
    const end = Math.min(to, start + BATCH);
    if (postgres) {
      await prisma.$executeRawUnsafe(
        `INSERT INTO "Touchpoint" ("id", "shop", "visitorId", "ttclid", "capturedAt", "receivedAt", "landingPath")
         SELECT 'tp' || n, $1, 'tta1.' || lpad((n / 2)::text, 22, '0'), 'E.C.P.seed' || n,
           to_timestamp($2::float8 - (n * 7919) % 2592000), to_timestamp($2::float8), '/products/seed'
         FROM generate_series($3::bigint, $4::bigint - 1) AS n`,
        SHOP, now, start, end,
      );
    } else {
      // Prisma's SQLite format for DateTime: ISO 8601 with "+00:00".
      await prisma.$executeRawUnsafe(
        `WITH RECURSIVE seq(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?)
         INSERT INTO "Touchpoint" ("id", "shop", "visitorId", "ttclid", "capturedAt", "receivedAt", "landingPath")
         SELECT 'tp' || n, ?, 'tta1.' || printf('%022d', n / 2), 'E.C.P.seed' || n,
           strftime('%Y-%m-%dT%H:%M:%f+00:00', ? - (n * 7919) % 2592000, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%f+00:00', ?, 'unixepoch'), '/products/seed'
         FROM seq`,
        start, end, SHOP, now, now,
      );
    }
  }
  if (postgres) await prisma.$executeRawUnsafe(`ANALYZE "Touchpoint"`);
}

async function lookups(prisma: PrismaClient) {
  let hits = 0;
  let started = performance.now();
  for (let i = -200; i < LOOKUPS; i++) {
    if (i === 0) {
      // the first 200 warm up (JIT, statement cache, the index's pages)
      started = performance.now();
      hits = 0;
    }
    const a = await attributeOrder(prisma, {
      shop: SHOP,
      orderCreatedAt: new Date(),
      windowDays: 30,
      visitorId: visitorId(randomInt(HOT_VISITORS)),
      noteTtclid: null,
      noteTtclidAt: null,
      landingTtclid: null,
    });
    if (a.source === "touchpoint") hits++;
  }
  return { usPerLookup: ((performance.now() - started) * 1000) / LOOKUPS, hits };
}

export async function benchScale(opts: { databaseUrl: string; label: string }): Promise<Result> {
  ensureBuild();
  const postgres = !opts.databaseUrl.startsWith("file:");
  const prisma = await prepareDatabase(opts.databaseUrl, [SHOP]);
  await prisma.tikTokConnection.create({ data: connectionRow(SHOP, ACK_CONNECTION) });
  const secrets = appSecrets();
  const out: Result = { database: opts.label };
  const perSize: { ack: number; lookup: number }[] = [];
  let seeded = 0;
  try {
    for (const size of SIZES) {
      const seedStart = performance.now();
      await seedTouchpoints(prisma, postgres, seeded, size);
      seeded = size;
      const label = size >= 1_000_000 ? `${size / 1_000_000}m` : `${size / 1_000}k`;
      out[`seed_to_${label}_s`] = round((performance.now() - seedStart) / 1000);
      // A fresh server per size: the same warm-up, nothing cached from the other size.
      const app = await startApp({ databaseUrl: opts.databaseUrl, secrets, jobsInProcess: false });
      try {
        const baselineUrl = `${app.url}/bench/webhook-baseline`;
        const ordersUrl = `${app.url}/webhooks/orders/create`;
        const bodies = (n: number) => attributedOrders(n, { visitorId: () => visitorId(randomInt(HOT_VISITORS)), noteTtclid: false }).map(([, b]) => b);
        await run(baselineUrl, bodies(200), secrets.SHOPIFY_API_SECRET, SHOP);
        await run(ordersUrl, bodies(200), secrets.SHOPIFY_API_SECRET, SHOP);
        let base = 0;
        let orders = 0;
        for (let r = 0; r < 4; r++) {
          base += (await run(baselineUrl, bodies(ACK_ORDERS / 4), secrets.SHOPIFY_API_SECRET, SHOP)).seconds;
          orders += (await run(ordersUrl, bodies(ACK_ORDERS / 4), secrets.SHOPIFY_API_SECRET, SHOP)).seconds;
        }
        const { usPerLookup, hits } = await lookups(prisma);
        perSize.push({ ack: orders / base, lookup: usPerLookup });
        out[`ack_ms_per_order_${label}`] = round((orders * 1000) / ACK_ORDERS, 2);
        out[`ack_over_baseline_${label}`] = round(orders / base, 2);
        out[`lookup_us_${label}`] = Math.round(usPerLookup);
        out[`lookup_hits_${label}`] = `${hits}/${LOOKUPS}`;
      } finally {
        await app.stop();
      }
    }
    out.attributed_by_touchpoint = await prisma.orderRecord.count({ where: { shop: SHOP, attributionSource: "touchpoint" } });
    out.ack_ratio_1m_over_10k = `${round(perSize[1].ack / perSize[0].ack, 2)} (target <= 1.5)`;
    out.lookup_ratio_1m_over_10k = `${round(perSize[1].lookup / perSize[0].lookup, 2)} (target <= 1.5)`;
    return out;
  } finally {
    await prisma.$disconnect();
  }
}
