// `npm run sync`: runs the due spend syncs once (this hour's runs, queued backfills and manual
// runs, resumable runs whose wait is over) and exits. Safe next to a running app: runs are
// claimed with a database lease.
import { runDueSyncs } from "../app/features/spend/sync.server";
import prisma from "../app/core/db.server";

try {
  const { scheduled, runs } = await runDueSyncs();
  console.log(`spend sync: ${scheduled.length} hourly run(s) scheduled, ${runs.length} run(s) executed`);
  for (const r of runs) {
    console.log(`  ${r.shop} ${r.kind}: ${r.status}, ${r.requests} request(s), ${r.created} row(s) created, ${r.updated} updated${r.error ? ` (${r.error})` : ""}`);
  }
  process.exitCode = runs.some((r) => r.status === "failed") ? 1 : 0;
} catch (error) {
  console.error("spend sync failed:", error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
