// Incidents (the Incident table): something wrong for one shop, from when the app noticed it to
// when it was over. Opening one queues its alert email in the same transaction, ending it queues
// the recovery email; an incident already open is never opened again, so a problem that hits
// every order sends one email, not one per order. The jobs that see a problem call these.
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import { alertQueued, queueAlertEmail } from "./alert-mail.server";
import { NOT_SENT_DISCONNECTED, watched } from "./watched.server";
import type { IncidentDetail, IncidentKind } from "./messages";

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

/**
 * Opens the incident unless one of its kind is open for the shop, or the shop is no longer watched
 * (a job that read it as connected just before a disconnect). True when this call opened it.
 */
export async function startIncident(shop: string, kind: IncidentKind, detail: IncidentDetail = {}): Promise<boolean> {
  const open = await prisma.incident.findUnique({ where: { shop_openKind: { shop, openKind: kind } }, select: { id: true } });
  if (open || !(await watched(shop))) return false;
  const id = randomUUID();
  const email = queueAlertEmail(shop, id, "start");
  try {
    await prisma.$transaction([prisma.incident.create({ data: { id, shop, kind, openKind: kind, detail: JSON.stringify(detail) } }), ...(email ? [email] : [])]);
  } catch (error) {
    // Another process opened it between the read and the insert.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
  // A disconnect between the check above and the insert closed the shop's incidents before this
  // one existed: close it as the disconnect would have (disconnect writes its status first).
  if (!(await watched(shop))) {
    await closeIncidentsSilently(shop, NOT_SENT_DISCONNECTED);
    return false;
  }
  alertQueued();
  return true;
}

/**
 * Ends the shop's open incidents of these kinds and queues their recovery emails. `startedBefore`:
 * only one opened before then (a sweep that read the state earlier must not end an incident
 * opened since). Returns the kinds ended.
 */
export async function endIncidents(shop: string, kinds: IncidentKind[], opts: { startedBefore?: Date } = {}): Promise<IncidentKind[]> {
  const open = await prisma.incident.findMany({
    where: { shop, openKind: { in: kinds }, ...(opts.startedBefore ? { startedAt: { lt: opts.startedBefore } } : {}) },
    select: { id: true, kind: true },
  });
  const ended: IncidentKind[] = [];
  for (const incident of open) {
    const email = queueAlertEmail(shop, incident.id, "end");
    const [closed] = await prisma.$transaction([
      prisma.incident.updateMany({ where: { id: incident.id, openKind: { not: null } }, data: { openKind: null, endedAt: new Date() } }),
      ...(email ? [email] : []),
    ]).catch((error) => {
      // Another process ended it first (its recovery email exists already).
      if (isUniqueViolation(error)) return [{ count: 0 }];
      throw error;
    });
    if ((closed as { count: number }).count > 0) ended.push(incident.kind as IncidentKind);
  }
  if (ended.length) alertQueued();
  return ended;
}

/**
 * TikTok disconnected (Settings, or the app uninstalled): the shop's open incidents end without a
 * recovery email, and alert emails not sent yet are dropped. Nothing is checked for a shop that is
 * not connected, so nothing could tell it a problem is over; the alert email says so.
 */
export async function closeIncidentsSilently(shop: string, why: string) {
  await prisma.$transaction([
    prisma.incident.updateMany({ where: { shop, openKind: { not: null } }, data: { openKind: null, endedAt: new Date() } }),
    prisma.alertEmail.updateMany({ where: { shop, status: "queued" }, data: { status: "failed", lastError: why } }),
  ]);
}

/** Refreshes the facts an open incident's messages quote (counts grow while it lasts). */
export async function updateIncidentDetail(shop: string, kind: IncidentKind, detail: IncidentDetail) {
  await prisma.incident.updateMany({ where: { shop, openKind: kind }, data: { detail: JSON.stringify(detail) } });
}

/** The shop's open incidents, oldest first, for Home and Settings. */
export async function openIncidents(shop: string) {
  const rows = await prisma.incident.findMany({ where: { shop, openKind: { not: null } }, orderBy: { startedAt: "asc" } });
  return rows.map((r) => ({ kind: r.kind as IncidentKind, detail: JSON.parse(r.detail) as IncidentDetail, startedAt: r.startedAt }));
}
