// Which TikTok click, if any, an order is credited to. Sources in order of trust:
// 1. the visitor ID the storefront put on the cart → that visitor's latest touchpoint in the window
// 2. the ttclid the storefront put on the cart (with its capture time)
// 3. a ttclid in the order's landing_site
// Exception: a cart click captured after the latest touchpoint wins, because the embed sends a
// new click's touchpoint one page view later and the buyer may have checked out before that.
import { Prisma } from "@prisma/client";

export const DEFAULT_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

type Attribution = {
  ttclid: string | null;
  source: "touchpoint" | "note_attribute" | "landing_site" | "pixel" | null;
  campaignId: string | null;
  adgroupId: string | null;
  capturedAt: Date | null;
};

export type Db = Pick<Prisma.TransactionClient, "$queryRaw">;

/**
 * The latest ttclid this visitor brought within the window before the order. Served by the
 * (shop, visitorId, capturedAt) index. Raw SQL: this runs inside the orders/create ack, where the
 * ORM's per-query overhead was most of the cost (bench/webhooks.ts).
 */
export async function latestTouchpoint(db: Db, opts: { shop: string; visitorId: string; at: Date; windowDays: number; recordedBy?: Date }) {
  const from = new Date(opts.at.getTime() - opts.windowDays * DAY_MS);
  // capturedAt is the storefront's word; receivedAt is ours, the one a sender cannot backdate.
  const recorded = opts.recordedBy ? Prisma.sql`AND "receivedAt" <= ${opts.recordedBy}` : Prisma.empty;
  const rows = await db.$queryRaw<{ ttclid: string; capturedAt: Date; campaignId: string | null; adgroupId: string | null }[]>`
    SELECT "ttclid", "capturedAt", "campaignId", "adgroupId" FROM "Touchpoint"
    WHERE "shop" = ${opts.shop} AND "visitorId" = ${opts.visitorId} AND "capturedAt" <= ${opts.at} AND "capturedAt" >= ${from} ${recorded}
    ORDER BY "capturedAt" DESC LIMIT 1`;
  const row = rows[0];
  return row ? { ttclid: row.ttclid, capturedAt: new Date(row.capturedAt), campaignId: row.campaignId, adgroupId: row.adgroupId } : null;
}

export async function attributeOrder(
  db: Db,
  input: {
    shop: string;
    orderCreatedAt: Date;
    windowDays: number;
    visitorId: string | null;
    noteTtclid: string | null;
    noteTtclidAt: Date | null;
    /** The campaign id the embed put on the cart with its click (`_tt_campaign_id`). */
    noteCampaignId?: string | null;
    /** The ad group id the embed put on the cart with its click (`_tt_adgroup_id`). */
    noteAdgroupId?: string | null;
    landingTtclid: string | null;
    /** Only touchpoints we received by then count (a checkout report's proof, order-links.server.ts). */
    recordedBy?: Date;
  },
): Promise<Attribution> {
  const windowStart = input.orderCreatedAt.getTime() - input.windowDays * DAY_MS;
  const tp = input.visitorId
    ? await latestTouchpoint(db, { shop: input.shop, visitorId: input.visitorId, at: input.orderCreatedAt, windowDays: input.windowDays, recordedBy: input.recordedBy })
    : null;
  const at = input.noteTtclidAt;
  // A capture time that is missing cannot prove the click is too old; one outside the window can.
  const noteUsable =
    !!input.noteTtclid && (!at || (at.getTime() >= windowStart && at.getTime() <= input.orderCreatedAt.getTime() + 5 * 60 * 1000));
  const noteIsNewer = noteUsable && tp && at && at.getTime() > tp.capturedAt.getTime() && input.noteTtclid !== tp.ttclid;
  const noteAds = { campaignId: input.noteCampaignId ?? null, adgroupId: input.noteAdgroupId ?? null };
  if (tp && !noteIsNewer) {
    // The cart's ids describe the cart's click: they fill in only when it is the touchpoint's click.
    const sameClick = input.noteTtclid === tp.ttclid;
    const campaignId = tp.campaignId ?? (sameClick ? noteAds.campaignId : null);
    const adgroupId = tp.adgroupId ?? (sameClick ? noteAds.adgroupId : null);
    return { ttclid: tp.ttclid, source: "touchpoint", campaignId, adgroupId, capturedAt: tp.capturedAt };
  }
  if (noteUsable) return { ttclid: input.noteTtclid, source: "note_attribute", ...noteAds, capturedAt: at };
  if (input.landingTtclid) return { ttclid: input.landingTtclid, source: "landing_site", campaignId: null, adgroupId: null, capturedAt: null };
  return { ttclid: null, source: null, campaignId: null, adgroupId: null, capturedAt: null };
}
