// The alert email outbox (AlertEmail): one row per incident start and end, queued in the same
// transaction as the incident change, sent by the alert-mail job. A failed send is retried with
// backoff (ALERT_RETRY) and never blocks anything else: the incident is in the app either way.
// Rows are claimed with a lease, so two workers never send the same email; a worker killed
// mid-send may send it again when the lease runs out (at least once, never lost).
import prisma from "~/core/db.server";
import { env } from "~/core/env.server";
import { describeMailError, mailConfigured, sendMail } from "~/core/lib/mail.server";
import { heldBy, leaseFree, leaseUntil, RELEASED } from "~/core/lib/lease.server";
import { ALERT_RETRY, backoffMs } from "~/core/retry-policy";
import { EMBED_BLOCK_HANDLE } from "~/features/storefront/embed-status.server";
import { sendDeadline, storefrontPixelsOf } from "~/features/events/send-horizon.server";
import { renderAlert, type IncidentDetail, type IncidentKind } from "./messages";
import { alertRecipient } from "./recipients.server";
import { NOT_SENT_DISCONNECTED, watched } from "./watched.server";

const LEASE_MS = 60_000;

/** The insert for one alert email, to run in the incident's transaction; null when email is off. */
export function queueAlertEmail(shop: string, incidentId: string, phase: "start" | "end") {
  if (!mailConfigured()) return null;
  return prisma.alertEmail.create({ data: { shop, incidentId, phase } });
}

type Listener = () => void;
const listeners = new Set<Listener>();
/** In-process nudge: an alert email was queued (the job's tick sends it anyway). */
export function alertQueued() {
  for (const l of listeners) l();
}
export function onAlertQueued(listener: Listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The embedded app's pages through the Shopify admin, and the theme editor with our embed. */
export function adminLinks(shop: string) {
  const store = shop.replace(/\.myshopify\.com$/, "");
  return {
    app: (path: string) => `${env().SHOPIFY_ADMIN_URL}/store/${store}/apps/${env().SHOPIFY_API_KEY}${path}`,
    themeEditor: `https://${shop}/admin/themes/current/editor?context=apps&template=index&activateAppId=${env().SHOPIFY_API_KEY}/${EMBED_BLOCK_HANDLE}`,
  };
}

const HOLDING: IncidentKind[] = ["reconnect", "tiktok_outage", "delivery_problem", "delivery_stalled"];

/** What an incident that holds events costs when its email goes: how many wait, and when the oldest expires. */
async function heldCost(shop: string): Promise<IncidentDetail> {
  const where = { shop, status: { in: ["queued", "waiting_reconnect"] } };
  const [held, oldest, pixels] = await Promise.all([
    prisma.outboxEvent.count({ where }),
    prisma.outboxEvent.findFirst({ where, orderBy: { eventTime: "asc" }, select: { eventTime: true, pixelCode: true } }),
    storefrontPixelsOf([shop]),
  ]);
  return { held, expiresAt: oldest ? sendDeadline(oldest, pixels.get(shop)).toISOString() : undefined };
}

/**
 * Whether a disconnect or an uninstall came first: the shop is not watched now, or the incident
 * ended with no recovery email (closed silently by a disconnect, TikTok connected again since).
 */
async function endedByDisconnect(shop: string, incident: { id: string; endedAt: Date | null }) {
  if (!(await watched(shop))) return true;
  if (!incident.endedAt) return false;
  return !(await prisma.alertEmail.findUnique({ where: { incidentId_phase: { incidentId: incident.id, phase: "end" } }, select: { id: true } }));
}

/** One pass: sends every due alert email, oldest first. Returns counts (for logs and tests). */
export async function sendDueAlerts(opts: { owner: string; now?: Date }) {
  const out = { sent: 0, retried: 0, failed: 0 };
  if (!mailConfigured()) return out;
  const now = opts.now ?? new Date();
  const due = await prisma.alertEmail.findMany({
    where: { status: "queued", nextAttemptAt: { lte: now }, OR: leaseFree(now) },
    orderBy: { createdAt: "asc" },
    take: 50,
  });
  for (const row of due) {
    const claimed = await prisma.alertEmail.updateMany({
      where: { id: row.id, status: "queued", OR: leaseFree(new Date()) },
      data: { leaseOwner: opts.owner, leaseUntil: leaseUntil(new Date(), LEASE_MS) },
    });
    if (claimed.count === 0) continue;
    const mine = { id: row.id, ...heldBy(opts.owner) };
    const incident = await prisma.incident.findUnique({ where: { id: row.incidentId } });
    if (incident && row.phase === "start" && (await endedByDisconnect(row.shop, incident))) {
      // The alert promised an email when it is over; nothing is watched after a disconnect to send it.
      await prisma.alertEmail.updateMany({ where: mine, data: { status: "failed", lastError: NOT_SENT_DISCONNECTED, ...RELEASED } });
      out.failed++;
      continue;
    }
    const to = incident ? await alertRecipient(row.shop) : null;
    if (!incident || !to) {
      // No one to tell (no owner email from Shopify and none chosen in Settings): the incident is in the app.
      await prisma.alertEmail.updateMany({ where: mine, data: { status: "failed", lastError: incident ? "No recipient: Shopify gave no store owner email and none is set in Settings." : "Incident removed", ...RELEASED } });
      out.failed++;
      continue;
    }
    const message = renderAlert({
      shop: row.shop,
      kind: incident.kind as IncidentKind,
      phase: row.phase as "start" | "end",
      detail: {
        ...(JSON.parse(incident.detail) as IncidentDetail),
        ...(row.phase === "start" && HOLDING.includes(incident.kind as IncidentKind) ? await heldCost(row.shop) : {}),
      },
      startedAt: incident.startedAt,
      endedAt: incident.endedAt,
      links: adminLinks(row.shop),
    });
    try {
      const answer = await sendMail({ to, ...message });
      await prisma.alertEmail.updateMany({ where: mine, data: { status: "sent", sentAt: new Date(), recipient: to, smtpResponse: answer.response.slice(0, 300), lastError: null, ...RELEASED } });
      out.sent++;
    } catch (error) {
      const attempts = row.attempts + 1;
      const giveUp = Date.now() - row.createdAt.getTime() > ALERT_RETRY.giveUpAfterMs;
      await prisma.alertEmail.updateMany({
        where: mine,
        data: {
          attempts,
          status: giveUp ? "failed" : "queued",
          nextAttemptAt: new Date(Date.now() + backoffMs(attempts, ALERT_RETRY.backoff)),
          recipient: to,
          lastError: describeMailError(error),
          ...RELEASED,
        },
      });
      if (giveUp) out.failed++;
      else out.retried++;
    }
  }
  return out;
}

/** Settings' "Send test email": sent at once (not queued), with the transport's answer or error. */
export async function sendTestAlert(shop: string): Promise<{ ok: true; to: string; response: string } | { ok: false; error: string }> {
  if (!mailConfigured()) return { ok: false, error: "Email alerts are off: SMTP_URL is not set on the app's server." };
  const to = await alertRecipient(shop);
  if (!to) return { ok: false, error: "There is no address to send to: enter one above." };
  const link = adminLinks(shop).app("/app/settings");
  try {
    const answer = await sendMail({
      to,
      subject: `[${shop}] Test email from TikTok Ads`,
      text: `Store: ${shop}\n\nThis is a test. Alerts for this store come to this address when something stops working, and again when it is over (unless TikTok is disconnected first).\n\nSettings: ${link}`,
      html: `<p><strong>Store:</strong> ${shop.replace(/[&<>"']/g, "")}</p><p>This is a test. Alerts for this store come to this address when something stops working, and again when it is over (unless TikTok is disconnected first).</p><p><a href="${link.replace(/"/g, "&quot;")}">Settings</a></p>`,
    });
    return { ok: true, to, response: answer.response };
  } catch (error) {
    return { ok: false, error: describeMailError(error) };
  }
}
