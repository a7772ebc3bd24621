// Leases and backoff for the app's two durable queues: the event outbox (OutboxEvent) and the
// spend runs (SyncRun). A worker claims a row by writing its id into leaseOwner and a deadline into
// leaseUntil with an update conditional on the row being free; a crashed worker's rows come back
// by themselves once the deadline passes, and every later write is conditional on still holding
// the lease, so a worker that lost it cannot overwrite what another worker did.
import { randomUUID } from "node:crypto";

/** Who holds a lease: unique per process and start, readable in the database. */
export const workerId = (prefix?: string) => `${prefix ? `${prefix}-` : ""}${process.pid}-${randomUUID().slice(0, 8)}`;

/** Prisma `where` fragment: nobody holds the row, or the holder's lease ran out. */
export const leaseFree = (now: Date) => [{ leaseUntil: null }, { leaseUntil: { lt: now } }];

/** Prisma `where` fragment: `owner` still holds the row. */
export const heldBy = (owner: string) => ({ leaseOwner: owner });

export const leaseUntil = (now: Date, leaseMs: number) => new Date(now.getTime() + leaseMs);

/** The columns that take a row's lease away from its holder. */
export const RELEASED = { leaseOwner: null, leaseUntil: null } as const;

export type BackoffPolicy = {
  /** Delay before the first retry (before jitter). Doubles with every further attempt. */
  baseMs: number;
  capMs: number;
  /**
   * Share of the delay left to chance: 0 waits exactly the delay; 0.5 waits between half and all
   * of it, so retries after a shared outage spread out instead of stampeding TikTok together.
   */
  jitter: number;
  /** Never sooner than this. */
  minMs?: number;
};

/** Exponential backoff with jitter, capped. `attempts` counts failures so far (1 after the first). */
export function backoffMs(attempts: number, policy: BackoffPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(0, attempts - 1), 30));
  const spread = ceiling * policy.jitter;
  return Math.max(policy.minMs ?? 0, Math.floor(ceiling - spread + random() * spread));
}
