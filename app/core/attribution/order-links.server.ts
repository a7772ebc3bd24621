// Order links: what the web pixel saw at checkout_completed (issue 13, docs/decisions/0019), keyed by
// (shop, order id). Ingest joins them to the order; one that arrives after the order re-decides it.
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { env } from "~/core/env.server";
import prisma from "~/core/db.server";
import { attributeOrder, type Db } from "./attribute.server";
import { TTCLID_RE, TTP_RE, VID_RE } from "../../../extensions/tiktok-capture/src/capture";

export const MAX_CHECKOUT_BYTES = 2_048;
const DAY_MS = 24 * 60 * 60 * 1000;
const FUTURE_SKEW_MS = 10 * 60 * 1000;

const checkoutSchema = z
  .object({
    order_id: z.string().regex(/^[1-9]\d{0,19}$/, "must be a Shopify order id (digits)"),
    visitor_id: z.string().regex(VID_RE, "is not a visitor id issued by this app's storefront code"),
    ttclid: z.string().regex(TTCLID_RE, "is not a TikTok click id (1-512 letters, digits, dot, dash, underscore)").optional(),
    ttclid_at: z.number().int().positive().optional(),
    ttp: z.string().regex(TTP_RE, "is not a TikTok _ttp cookie value").optional(),
  })
  .strict()
  .refine((b) => b.ttclid_at === undefined || b.ttclid !== undefined, { message: "ttclid_at needs a ttclid", path: ["ttclid_at"] });

type CheckoutBeacon = z.infer<typeof checkoutSchema>;
type ParseResult = { ok: true; beacon: CheckoutBeacon } | { ok: false; status: number; error: string };

export function parseCheckoutBody(raw: string, now = Date.now()): ParseResult {
  if (Buffer.byteLength(raw, "utf8") > MAX_CHECKOUT_BYTES) return { ok: false, status: 413, error: `Body larger than ${MAX_CHECKOUT_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, status: 400, error: "Body is not valid JSON" };
  }
  const parsed = checkoutSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, status: 422, error: `${issue.path.join(".") || "body"} ${issue.message}` };
  }
  const at = parsed.data.ttclid_at;
  if (at !== undefined && at > now + FUTURE_SKEW_MS) return { ok: false, status: 422, error: "ttclid_at is in the future" };
  if (at !== undefined && at < now - 90 * DAY_MS) return { ok: false, status: 422, error: "ttclid_at is older than the longest attribution window (90 days)" };
  return { ok: true, beacon: parsed.data };
}

/** Visitors whose checkout reports one order keeps; more are refused (409). */
const MAX_LINKS_PER_ORDER = 5;
/** Clock difference between Shopify's order time and ours that a genuine landing may fall in. */
const RECORDED_SKEW_MS = 60 * 1000;

/**
 * Stores the report once per (shop, order id, visitor): a repeat changes nothing, and a report
 * from another visitor sits beside it rather than displacing it (issue 27 L3). A report counts
 * as seen at a checkout only when the storefront recorded a click for its visitor (a touchpoint,
 * from the embed or the pixel's own landing report) within the longest window: one that names a
 * visitor we never saw is answered and dropped ("unproven"). At most MAX_LINKS_PER_ORDER visitors
 * per order and TOUCHPOINT_DAILY_CAP new links per shop in the trailing day.
 */
export async function storeOrderLink(shop: string, b: CheckoutBeacon, now = new Date()): Promise<"stored" | "duplicate" | "capped" | "unproven" | "order_full"> {
  const key = { shop_orderId_visitorId: { shop, orderId: b.order_id, visitorId: b.visitor_id } };
  if (await prisma.orderLink.findUnique({ where: key, select: { shop: true } })) return "duplicate";
  const seen = await prisma.touchpoint.findFirst({
    where: { shop, visitorId: b.visitor_id, receivedAt: { gte: new Date(now.getTime() - 90 * DAY_MS), lte: now } },
    select: { id: true },
  });
  if (!seen) return "unproven";
  if ((await prisma.orderLink.count({ where: { shop, orderId: b.order_id } })) >= MAX_LINKS_PER_ORDER) return "order_full";
  const today = await prisma.orderLink.count({ where: { shop, receivedAt: { gte: new Date(now.getTime() - DAY_MS) } } });
  if (today >= env().TOUCHPOINT_DAILY_CAP) return "capped";
  try {
    await prisma.orderLink.create({
      data: {
        shop,
        orderId: b.order_id,
        visitorId: b.visitor_id,
        ttclid: b.ttclid ?? null,
        ttclidAt: b.ttclid_at ? new Date(b.ttclid_at) : null,
        ttp: b.ttp ?? null,
        receivedAt: now,
      },
    });
  } catch (error) {
    // A concurrent copy of the same beacon won the insert.
    if ((error as { code?: string }).code === "P2002") return "duplicate";
    throw error;
  }
  return "stored";
}

type OrderLinkRow = { visitorId: string; ttp: string | null };

/** Whether any checkout report is stored for the order. Raw SQL: this runs inside the orders/create ack. */
export async function hasOrderLinks(shop: string, orderId: string): Promise<boolean> {
  const rows = await prisma.$queryRaw<unknown[]>`SELECT 1 FROM "OrderLink" WHERE "shop" = ${shop} AND "orderId" = ${orderId} LIMIT 1`;
  return rows.length > 0;
}

type LinkDecision =
  /** No report for this order. */
  | { kind: "none" }
  /** Reports, but none from a visitor with a click recorded before the order. */
  | { kind: "unproven" }
  /** Reports from visitors whose clicks before the order differ: none is used. */
  | { kind: "conflict"; visitors: number }
  | { kind: "attributed"; link: OrderLinkRow; attribution: Attribution & { ttclid: string } };

type Attribution = Awaited<ReturnType<typeof attributeOrder>>;

/**
 * What the web pixel's checkout reports say about an order (docs/decisions/0019, "Which report
 * counts"). A report proves nothing by itself (the pixel's token is public), so its own ttclid is
 * never used: a report attributes the order to its visitor's latest click the storefront recorded
 * before the order was placed (our receive time, within the window). Reports whose visitors lead
 * to different clicks cancel out; one visitor's report, or several that agree, attribute.
 */
export async function decideByOrderLinks(db: Db, input: { shop: string; orderId: string; orderCreatedAt: Date; windowDays: number }): Promise<LinkDecision> {
  const links = await db.$queryRaw<OrderLinkRow[]>`
    SELECT "visitorId", "ttp" FROM "OrderLink" WHERE "shop" = ${input.shop} AND "orderId" = ${input.orderId} ORDER BY "receivedAt" ASC LIMIT ${MAX_LINKS_PER_ORDER}`;
  if (links.length === 0) return { kind: "none" };
  const recordedBy = new Date(input.orderCreatedAt.getTime() + RECORDED_SKEW_MS);
  const proven: { link: OrderLinkRow; attribution: Attribution & { ttclid: string } }[] = [];
  for (const link of links) {
    const attribution = await attributeOrder(db, {
      shop: input.shop,
      orderCreatedAt: input.orderCreatedAt,
      windowDays: input.windowDays,
      visitorId: link.visitorId,
      noteTtclid: null,
      noteTtclidAt: null,
      landingTtclid: null,
      recordedBy,
    });
    if (attribution.ttclid) proven.push({ link, attribution: { ...attribution, ttclid: attribution.ttclid } });
  }
  if (proven.length === 0) return { kind: "unproven" };
  if (new Set(proven.map((p) => p.attribution.ttclid)).size > 1) return { kind: "conflict", visitors: proven.length };
  return { kind: "attributed", ...proven[0] };
}
/** Links older than a week: their order arrived long ago or never will. */
export async function purgeOldOrderLinks(now = new Date()) {
  return (await prisma.orderLink.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - 7 * DAY_MS) } } })).count;
}

/** The shop a pixel token belongs to (the token the app put in the pixel's settings), or null. */
export async function shopForPixelToken(token: string): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return null;
  const row = await prisma.webPixel.findUnique({ where: { token }, select: { shop: true, token: true } });
  // The lookup is by the unique index; the constant-time compare keeps timing from telling how much matched.
  return row && timingSafeEqual(Buffer.from(row.token), Buffer.from(token)) ? row.shop : null;
}

export async function recordPixelBeacon(shop: string, now = new Date()) {
  await prisma.webPixel.updateMany({ where: { shop }, data: { lastBeaconAt: now } });
}
