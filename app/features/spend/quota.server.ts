// The spend sync's share of TikTok's app-wide Business API quota, counted in the database so that
// every process shares one budget: instances join and leave without INSTANCE_COUNT for this bucket.
// A report request takes one grant of its UTC second, if that second has room and the trailing 60
// seconds hold fewer than the minute's budget: a sliding minute, so no burst across the edge of a
// fixed minute doubles the rate. The per-second grant is one conditional increment (`used < limit`),
// so two processes racing for a second's last grant get one between them; the minute is a read
// before it, and two processes racing on it can overshoot by one grant each, well inside the 10%
// of the tier kept back. docs/decisions/0016.
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import { env } from "~/core/env.server";

/** Grants per second and per (sliding) minute the spend sync may take. */
export type ReportBudget = { qps: number; qpm: number };

/**
 * 90% of the tier's QPS and QPM: the rest stays for OAuth, advertiser and pixel calls, which are
 * paced only by each process's in-process limiter, and for races on the minute. 90% of 600 QPM
 * is 777,600 a day, inside the Basic tier's 864,000 QPD, so no day window is needed.
 */
export function reportBudget(rate: { qps: number; qpm: number } = { qps: env().TIKTOK_RATE_QPS, qpm: env().TIKTOK_RATE_QPM }): ReportBudget {
  return { qps: Math.max(1, Math.floor(rate.qps * 0.9)), qpm: Math.max(1, Math.floor(rate.qpm * 0.9)) };
}

/** Runs a merchant is waiting for (Sync Now, a new connection's backfill) may use the whole budget. */
type Urgency = "urgent" | "background";
/** Background runs (hourly and daily refreshes) stop at this share, so urgent runs always find room. */
const BACKGROUND_SHARE = 0.75;

async function takeSecond(second: bigint, limit: number): Promise<boolean> {
  const { count } = await prisma.reportQuotaSecond.updateMany({ where: { second, used: { lt: limit } }, data: { used: { increment: 1 } } });
  if (count === 1) return true;
  try {
    await prisma.reportQuotaSecond.create({ data: { second, used: 1 } });
    return true;
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    // The second exists: full, or opened by another process a moment ago.
    const again = await prisma.reportQuotaSecond.updateMany({ where: { second, used: { lt: limit } }, data: { used: { increment: 1 } } });
    return again.count === 1;
  }
}

/** One grant for a report request at `at`, or when the next one can be had. */
export async function takeReportGrant(at: Date, urgency: Urgency, budget: ReportBudget = reportBudget()): Promise<{ granted: true } | { granted: false; retryAt: Date }> {
  const share = urgency === "urgent" ? 1 : BACKGROUND_SHARE;
  const qpm = Math.max(1, Math.floor(budget.qpm * share));
  const qps = Math.max(1, Math.floor(budget.qps * share));
  const now = Math.floor(at.getTime() / 1_000);
  const window = await prisma.reportQuotaSecond.findMany({
    where: { second: { gt: BigInt(now - 60), lte: BigInt(now) } },
    orderBy: { second: "asc" },
    select: { second: true, used: true },
  });
  let inMinute = window.reduce((n, w) => n + w.used, 0);
  if (inMinute >= qpm) {
    // Room comes back as the oldest seconds leave the trailing minute.
    for (const w of window) {
      inMinute -= w.used;
      if (inMinute < qpm) return { granted: false, retryAt: new Date((Number(w.second) + 60) * 1_000) };
    }
  }
  if (!(await takeSecond(BigInt(now), qps))) return { granted: false, retryAt: new Date((now + 1) * 1_000) };
  return { granted: true };
}

/** A second is useful only while it is in the trailing minute. */
export async function pruneQuotaWindows(now: Date) {
  await prisma.reportQuotaSecond.deleteMany({ where: { second: { lt: BigInt(Math.floor(now.getTime() / 1_000) - 3_600) } } });
}
