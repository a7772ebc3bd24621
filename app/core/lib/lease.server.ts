// Leases for the app's two durable queues: the event outbox (OutboxEvent) and the
// spend runs (SyncRun). A worker claims a row by writing its id into leaseOwner and a deadline into
// leaseUntil with an update conditional on the row being free; a crashed worker's rows come back
// by themselves once the deadline passes, and every later write is conditional on still holding
// the lease, so a worker that lost it cannot overwrite what another worker did. How long a failed row
// waits before it is due again is the retry policy's (core/retry-policy.ts).
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
