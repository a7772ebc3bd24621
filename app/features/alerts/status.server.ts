// Home's first line: whether everything works, or the one thing that is wrong (the most serious
// open incident, in INCIDENT_KINDS order), with where to fix it; every other open incident is
// listed under it, since not every kind has a card of its own on Home.
import type { publicConnection } from "~/core/connection/session.server";
import { adminLinks } from "./alert-mail.server";
import { openIncidents } from "./incidents.server";
import { INCIDENT_KINDS, incidentCopy, type IncidentDetail, type IncidentKind } from "./messages";

type Connection = ReturnType<typeof publicConnection>;
type Action = { label: string; url: string };
export type HomeStatus = { tone: "success" | "warning" | "critical" | "info"; headline: string; action: Action | null; also: { headline: string; action: Action }[] };

const CRITICAL = new Set(["reconnect", "tiktok_outage", "delivery_problem", "delivery_stalled"]);

/**
 * What Home read itself just now: shown at once, before the sweep (every 30 s) records it as an
 * incident. `embed`: the theme check Home just ran (or its cached answer); "unknown" when the
 * theme could not be read, so the embed is not among the checks that found nothing wrong.
 */
type LiveFacts = {
  embed: "on" | "off" | "unknown";
  pixelMismatch: { storefront: string[]; selected: string } | null;
  clickCap: { day: string; cap: number } | null;
  /** Home's own Events card: failed on its 7 days, expired in all. No incident is open for them once a day has passed. */
  notCounted?: { failed: number; expired: number };
};

export async function homeStatus(shop: string, connection: Connection, live: LiveFacts): Promise<HomeStatus> {
  if (connection.status !== "connected" && connection.status !== "needs_reconnect") {
    return {
      tone: "info",
      headline: connection.status === "pending" ? "TikTok setup is not finished: nothing is sent to TikTok yet." : "TikTok is not connected: nothing is sent to TikTok.",
      action: { label: connection.status === "pending" ? "Continue setup" : "Connect TikTok", url: "/app/connect" },
      also: [],
    };
  }
  const open: { kind: IncidentKind; detail: IncidentDetail }[] = await openIncidents(shop);
  const seen = (kind: IncidentKind, detail: IncidentDetail) => {
    if (!open.some((i) => i.kind === kind)) open.push({ kind, detail });
  };
  if (live.embed === "off") seen("embed", { embed: "off" });
  if (live.pixelMismatch) seen("pixel_mismatch", { storefrontPixels: live.pixelMismatch.storefront, selectedPixel: live.pixelMismatch.selected });
  if (live.clickCap && live.clickCap.day === new Date().toISOString().slice(0, 10)) seen("click_cap", live.clickCap);
  open.sort((a, b) => INCIDENT_KINDS.indexOf(a.kind) - INCIDENT_KINDS.indexOf(b.kind));
  const first = open[0];
  if (!first) {
    if (connection.status === "needs_reconnect") return { tone: "critical", headline: "TikTok needs to be reconnected: purchase events wait until you do.", action: { label: "Reconnect TikTok", url: "/app/connect" }, also: [] };
    // Nothing is wrong now, but the Events card below lists purchases TikTok never counted: the line
    // must not say "everything works" above it.
    const { failed = 0, expired = 0 } = live.notCounted ?? {};
    if (failed > 0 || expired > 0) {
      const lost = [failed > 0 ? `${failed} failed in the last 7 days` : null, expired > 0 ? `${expired} expired` : null].filter(Boolean).join(" and ");
      return {
        tone: "warning",
        headline: `TikTok is connected and the app's checks find nothing wrong now, but some purchase events were never counted by TikTok: ${lost}.`,
        action: failed > 0 ? { label: "Open failed events", url: "/app/events?status=failed" } : { label: "Open expired events", url: "/app/events?status=expired" },
        also: [],
      };
    }
    return {
      tone: "success",
      headline:
        live.embed === "unknown"
          ? "No problem found: TikTok is connected, and the app's checks (delivery, spend sync, storefront pixel, click capture, match keys) find nothing wrong. Whether the app embed is on could not be checked just now (see Storefront embed below)."
          : "Everything works: TikTok is connected, and the app's checks (delivery, spend sync, storefront embed and pixel, click capture, match keys) find nothing wrong.",
      action: null,
      also: [],
    };
  }
  // Links inside the embedded app stay relative; the theme editor is the store's own admin.
  const links = { app: (path: string) => path, themeEditor: adminLinks(shop).themeEditor };
  const [lead, ...rest] = open.map((i) => incidentCopy(i.kind, i.detail, links)).map((c) => ({ headline: c.headline, action: { label: c.actionLabel, url: c.href } }));
  return { tone: CRITICAL.has(first.kind) ? "critical" : "warning", ...lead, also: rest };
}
