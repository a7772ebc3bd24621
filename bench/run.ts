// `npm run bench`: the figures README quotes. Measures, never asserts. `npm run bench` runs this
// on SQLite, then scripts/pg-bench.sh for the PostgreSQL webhook figures.
import { buildEmbed, gzipSize, EMBED_BUDGET_GZIP } from "../scripts/build-embed.mjs";
import { buildPixel, PIXEL_BUDGET_GZIP } from "../scripts/build-pixel.mjs";

type Row = Record<string, number | string>;
const round = (n: number, d = 1) => Number(n.toFixed(d));

function print(title: string, row: Row) {
  console.log(`\n## ${title}`);
  for (const [k, v] of Object.entries(row)) console.log(`${k}: ${v}`);
}

async function main() {
  const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  // The -pg parts need the PostgreSQL Prisma client: scripts/pg-bench.sh generates it and runs them.
  const want = (name: string) => (only.length === 0 ? !name.endsWith("-pg") : only.includes(name));

  if (want("embed")) {
    const code = await buildEmbed();
    print("Storefront embed", { bytes_raw: Buffer.byteLength(code), bytes_gzipped: gzipSize(code), budget_gzipped: EMBED_BUDGET_GZIP });
    const pixel = await buildPixel();
    print("Web pixel", { bytes_raw: Buffer.byteLength(pixel), bytes_gzipped: gzipSize(pixel), budget_gzipped: PIXEL_BUDGET_GZIP });
  }
  if (want("webhooks")) {
    const { benchWebhooks } = await import("./webhooks");
    print("orders/create ack (SQLite)", await benchWebhooks({ databaseUrl: "file:./tests/.tmp/bench.sqlite", label: "sqlite" }));
  }
  if (want("webhooks-pg")) {
    const { benchWebhooks } = await import("./webhooks");
    print("orders/create ack (PostgreSQL)", await benchWebhooks({ databaseUrl: process.env.BENCH_PG_URL!, label: "postgresql" }));
  }
  for (const [name, databaseUrl, label] of [
    ["latency", "file:./tests/.tmp/bench-latency.sqlite", "SQLite"],
    ["latency-pg", process.env.BENCH_PG_URL!, "PostgreSQL"],
  ] as const) {
    if (!want(name)) continue;
    const { benchLatency, latencyOptions } = await import("./latency");
    const { seconds, rates } = latencyOptions();
    for (const rate of rates) {
      print(`Order-to-TikTok latency, ${rate}/s for ${seconds} s (${label})`, await benchLatency({ databaseUrl, label: label.toLowerCase(), seconds, rate }));
    }
    // Issue 28: the peak rate on PostgreSQL with two app instances as well as one.
    if (name === "latency-pg") {
      const rate = Math.max(...rates);
      print(`Order-to-TikTok latency, ${rate}/s for ${seconds} s (${label}, two instances)`, await benchLatency({ databaseUrl, label: label.toLowerCase(), seconds, rate, instances: 2 }));
    }
  }
  for (const [name, databaseUrl, label] of [
    ["scale", "file:./tests/.tmp/bench-scale.sqlite", "SQLite"],
    ["scale-pg", process.env.BENCH_PG_URL!, "PostgreSQL"],
  ] as const) {
    if (!want(name)) continue;
    const { benchScale } = await import("./scale");
    print(`Cost as touchpoints grow, 10k -> 1M in one shop (${label})`, await benchScale({ databaseUrl, label: label.toLowerCase() }));
  }
  if (want("spend-scale-pg")) {
    const { benchSpendScale } = await import("./spend-scale");
    const { sim, setup, storage } = await benchSpendScale();
    print("Spend sync at scale", sim);
    print("Spend sync at scale: setup and detail", setup);
    print("Storage per shop-month (PostgreSQL)", storage);
  }
  if (want("order-storage-pg")) {
    const { benchOrderStorage } = await import("./order-storage");
    print("Storage per shop-month, orders after retention (PostgreSQL)", await benchOrderStorage());
  }
  if (want("storefront")) {
    const { benchStorefront } = await import("./storefront");
    print("Storefront product page in Chromium (Lighthouse)", await benchStorefront());
  }
  if (want("drain")) {
    const { benchDrain } = await import("./drain");
    const one = await benchDrain(1);
    print(`Delivery drain, ${one.events}-event backlog, one shop`, one);
    const many = await benchDrain(100);
    print(`Delivery drain, ${many.events}-event backlog shared by 100 shops`, {
      ...many,
      rate_vs_one_shop: `${round(Number(many.events_per_s) / Number(one.events_per_s), 2)} (100 shops' rate over one shop's)`,
    });
  }
  if (want("admin-vitals")) await (await import("./admin-vitals")).printAdminVitals();
  if (want("spend")) {
    const { benchSpendBackfill } = await import("./spend-backfill");
    print("Spend backfill, 30 days, 1,000 ad groups", await benchSpendBackfill());
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
