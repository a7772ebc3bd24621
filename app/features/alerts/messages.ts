// What an alert says, for each kind of incident: the headline Home shows, and the email sent when it
// starts and when it ends. Each names the store, what happened, what it costs and the one thing to
// do, with a link to the admin page where it is done. Plain text and HTML; everything that comes
// from data is escaped. No token, no buyer's email, phone or name is ever part of `detail`.

export const INCIDENT_KINDS = [
  "reconnect",
  "tiktok_outage",
  "delivery_problem",
  "delivery_stalled",
  "events_lost",
  "spend_sync",
  "embed",
  "pixel_mismatch",
  "click_cap",
  "coverage_drop",
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Facts an incident carries (all optional; each kind uses its own). */
export type IncidentDetail = {
  held?: number;
  oldestAt?: string;
  expiresAt?: string;
  failed?: number;
  expired?: number;
  lastError?: string;
  embed?: "off" | "not_seen";
  lastSeenAt?: string | null;
  storefrontPixels?: string[];
  selectedPixel?: string;
  day?: string;
  cap?: number;
  key?: string;
  share?: number;
  baseline?: number;
};

/** Admin paths inside the app (the email links through the Shopify admin), or an absolute URL. */
type Links = { app: (path: string) => string; themeEditor: string };

type Copy = { headline: string; cost: string; action: string; actionLabel: string; href: string; ended: string };

const when = (iso: string | undefined) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "unknown");
const pct = (n: number | undefined) => `${Math.round((n ?? 0) * 100)}%`;
const orders = (n: number | undefined) => `${n ?? 0} purchase event${n === 1 ? "" : "s"}`;

export function incidentCopy(kind: IncidentKind, d: IncidentDetail, links: Links): Copy {
  switch (kind) {
    case "reconnect":
      return {
        headline: "TikTok needs to be reconnected: the app's access was revoked or expired.",
        cost: `${orders(d.held)} are waiting and none is sent until you reconnect${d.expiresAt ? `; the oldest can no longer be sent after ${when(d.expiresAt)}` : ""}. Spend sync has stopped too.`,
        action: "Reconnect TikTok.",
        actionLabel: "Reconnect TikTok",
        href: links.app("/app/connect"),
        ended: "TikTok is connected again and purchase events reach it.",
      };
    case "tiktok_outage":
      return {
        headline: "TikTok is not accepting purchase events: its Events API answers with errors or not at all.",
        cost: `${orders(d.held)} are queued. The app retries them by itself${d.expiresAt ? `; the oldest can no longer be sent after ${when(d.expiresAt)}` : ""}.`,
        action: "Nothing to do now: the app retries. Open Events to follow the queue.",
        actionLabel: "Open Events",
        href: links.app("/app/events?status=queued"),
        ended: "TikTok accepts purchase events again; the queue is being sent.",
      };
    case "delivery_problem":
      return {
        headline: "Purchase events are held by a problem in this app and are not sent.",
        cost: `${orders(d.held)} are held and retried every few minutes${d.expiresAt ? `; the oldest can no longer be sent after ${when(d.expiresAt)}` : ""}.`,
        action: "Open Events and follow the message there (reconnecting TikTok fixes an unreadable access token).",
        actionLabel: "Open Events",
        href: links.app("/app/events?status=queued"),
        ended: "Purchase events are being sent again.",
      };
    case "delivery_stalled":
      return {
        headline: `Purchase events have been waiting to be sent for more than ${STALLED_MINUTES} minutes.`,
        cost: `${orders(d.held)} are queued, the oldest since ${when(d.oldestAt)}${d.expiresAt ? `; it can no longer be sent after ${when(d.expiresAt)}` : ""}.`,
        action: "Open Events to see why they wait; if nothing explains it, contact the app's support.",
        actionLabel: "Open Events",
        href: links.app("/app/events?status=queued"),
        ended: "No purchase event has been waiting long any more.",
      };
    case "events_lost":
      return {
        headline: "Some purchase events could not be sent.",
        cost: `In the last 24 hours ${d.failed ?? 0} failed and ${d.expired ?? 0} expired: TikTok does not count those purchases.`,
        action: "Open Events, filter by Failed and read TikTok's message: each event says whether Resend can still send it once the cause is fixed.",
        actionLabel: "Open failed events",
        href: links.app("/app/events?status=failed"),
        ended: "No purchase event has failed or expired in the last 24 hours.",
      };
    case "spend_sync":
      return {
        headline: "Ad spend from TikTok is not updating: the last sync failed.",
        cost: "Spend, ROAS and cost per order on the dashboard stop at the last successful sync.",
        action: "Open the dashboard and use Sync now; if it fails again, reconnect TikTok.",
        actionLabel: "Open the dashboard",
        href: links.app("/app/dashboard"),
        ended: "Ad spend syncs again.",
      };
    case "embed":
      return {
        headline:
          d.embed === "off"
            ? "The app embed is off in your published theme: TikTok clicks are not captured."
            : `The app embed has not been seen on your storefront for ${EMBED_DAYS} days${d.lastSeenAt ? ` (last ${when(d.lastSeenAt)})` : ""}.`,
        cost: "Without it, orders from TikTok ads cannot be linked to their click and are sent with less to match on, or not at all.",
        action: "Switch the app embed on in the theme editor and save.",
        actionLabel: "Open the theme editor",
        href: links.themeEditor,
        ended: "The app embed is on and seen on your storefront again.",
      };
    case "pixel_mismatch":
      return {
        headline: `Your storefront loads another TikTok pixel (${(d.storefrontPixels ?? []).join(", ")}) than the one purchase events go to (${d.selectedPixel ?? "?"}).`,
        cost: "TikTok cannot join the browser's and the app's report of a purchase: they count under different pixels.",
        action: "Choose the pixel your storefront loads.",
        actionLabel: "Choose the pixel",
        href: links.app("/app/connect/pixel"),
        ended: "Your storefront and the app use the same TikTok pixel again.",
      };
    case "click_cap":
      return {
        headline: `Storefront click capture reached its daily limit of ${(d.cap ?? 0).toLocaleString("en-US")} on ${d.day ?? "?"} (UTC).`,
        cost: "TikTok clicks after that are not recorded today: orders from them cannot be linked to their ad.",
        action: "Nothing to do if the traffic is real and today is unusual; capture restarts at midnight UTC. Open Home to see today's figures.",
        actionLabel: "Open Home",
        href: links.app("/app"),
        ended: "Click capture is recording again (a new UTC day started).",
      };
    case "coverage_drop":
      return {
        headline: `Fewer purchase events sent to TikTok carry the buyer's ${d.key ?? "match keys"}: ${pct(d.share)} in the last 24 hours against ${pct(d.baseline)} over the 7 days before.`,
        cost: "TikTok matches fewer purchases to the people who saw your ads, so it attributes and optimises less well.",
        action: `Check that your checkout still asks for the buyer's ${d.key ?? "contact details"}.`,
        actionLabel: "Open Home",
        href: links.app("/app"),
        ended: `Purchase events carry the buyer's ${d.key ?? "match keys"} as often as before again.`,
      };
  }
}

/**
 * How long TikTok must keep failing (5xx, no answer within the timeout), with no batch accepted
 * since the first failure, before it is an outage (tiktok_outage): a blip retried within seconds
 * is no incident. With the sweep every 30 s and the send tick every 10 s, the email goes within
 * about 100 s of the first failure.
 */
export const OUTAGE_SECONDS = 60;
/** Whether TikTok's failures, the first at `since`, have lasted long enough to be an outage. */
export const outageLasted = (since: Date, now = new Date()) => now.getTime() - since.getTime() >= OUTAGE_SECONDS * 1000;
/** How long a queued event may wait before it is an incident (delivery_stalled). */
export const STALLED_MINUTES = 30;
/** How long without the embed's heartbeat before it is an incident. */
export const EMBED_DAYS = 3;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function renderAlert(opts: {
  shop: string;
  kind: IncidentKind;
  phase: "start" | "end";
  detail: IncidentDetail;
  startedAt: Date;
  endedAt: Date | null;
  links: Links;
}): { subject: string; text: string; html: string } {
  const c = incidentCopy(opts.kind, opts.detail, opts.links);
  const store = opts.shop;
  if (opts.phase === "start") {
    const subject = `[${store}] ${c.headline}`.slice(0, 200);
    const lines = [`Store: ${store}`, `Since: ${when(opts.startedAt.toISOString())}`, "", c.headline, "", `What it costs: ${c.cost}`, "", `What to do: ${c.action}`, `${c.actionLabel}: ${c.href}`, "", "You will get one more email when this is over, unless TikTok is disconnected or the app uninstalled first: alerts for this store stop then."];
    const html = `<p><strong>Store:</strong> ${escapeHtml(store)}<br><strong>Since:</strong> ${escapeHtml(when(opts.startedAt.toISOString()))}</p>
<p>${escapeHtml(c.headline)}</p>
<p><strong>What it costs:</strong> ${escapeHtml(c.cost)}</p>
<p><strong>What to do:</strong> ${escapeHtml(c.action)}</p>
<p><a href="${escapeHtml(c.href)}">${escapeHtml(c.actionLabel)}</a></p>
<p>You will get one more email when this is over, unless TikTok is disconnected or the app uninstalled first: alerts for this store stop then.</p>`;
    return { subject, text: lines.join("\n"), html };
  }
  const subject = `[${store}] Resolved: ${c.ended}`.slice(0, 200);
  const span = `From ${when(opts.startedAt.toISOString())} to ${when(opts.endedAt?.toISOString())}.`;
  const lines = [`Store: ${store}`, "", c.ended, span, "", `It was: ${c.headline}`, "", `Open the app: ${opts.links.app("/app")}`];
  const html = `<p><strong>Store:</strong> ${escapeHtml(store)}</p>
<p>${escapeHtml(c.ended)} ${escapeHtml(span)}</p>
<p><strong>It was:</strong> ${escapeHtml(c.headline)}</p>
<p><a href="${escapeHtml(opts.links.app("/app"))}">Open the app</a></p>`;
  return { subject, text: lines.join("\n"), html };
}
