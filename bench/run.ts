// `npm run bench`: the figures README quotes. Measures, never asserts. `npm run bench` runs this
// on SQLite, then scripts/pg-bench.sh for the PostgreSQL webhook figures.
import { buildEmbed, gzipSize, EMBED_BUDGET_GZIP } from "../scripts/build-embed.mjs";
import { buildPixel, PIXEL_BUDGET_GZIP } from "../scripts/build-pixel.mjs";

type Row = Record<string, number | string>;

function print(title: string, row: Row) {
  console.log(`\n## ${title}`);
  for (const [k, v] of Object.entries(row)) console.log(`${k}: ${v}`);
}

async function main() {
  const only = process.argv.slice(2);
  const want = (name: string) => (only.length === 0 ? name !== "webhooks-pg" : only.includes(name));

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
  // Needs the PostgreSQL Prisma client: scripts/pg-bench.sh generates it and calls this.
  if (only.includes("webhooks-pg")) {
    const { benchWebhooks } = await import("./webhooks");
    print("orders/create ack (PostgreSQL)", await benchWebhooks({ databaseUrl: process.env.BENCH_PG_URL!, label: "postgresql" }));
  }
  if (want("drain")) {
    const { benchDrain } = await import("./drain");
    print("Delivery drain, 100k backlog", await benchDrain());
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
