// Touchpoints: TikTok clicks the storefront embed reports through the app proxy.
import { createHash } from "node:crypto";
import { z } from "zod";
import { env } from "~/core/env.server";
import prisma from "~/core/db.server";
import { hasLoneSurrogate } from "~/core/lib/text";
import { createDailyShare } from "~/core/lib/rate-limit.server";
import {
  AD_ID_RE,
  PATH_MAX,
  PIXEL_CODE_RE,
  PIXEL_CODES_MAX,
  TOUCHPOINT_VERSION,
  TTCLID_RE,
  UTM_MAX,
  VID_RE,
} from "../../../extensions/tiktok-capture/src/capture";
import { DEFAULT_WINDOW_DAYS } from "./attribute.server";
import { purgeOldOrderLinks } from "./order-links.server";

export const MAX_TOUCHPOINT_BYTES = 4_096;
const DAY_MS = 24 * 60 * 60 * 1000;
const FUTURE_SKEW_MS = 10 * 60 * 1000;

// What the embed sends is already clean (cleanUtm, cleanPath): anything else did not come from it.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const plainText = (v: string) => !CONTROL.test(v) && !hasLoneSurrogate(v);

const utm = z
  .string()
  .max(UTM_MAX)
  .refine((v) => !v.includes("@"), "must not contain an email address")
  .refine(plainText, "must not contain control characters")
  .optional();
const adId = z.string().regex(AD_ID_RE, "must be a TikTok numeric id").optional();

const touchpointSchema = z
  .object({
    v: z.literal(TOUCHPOINT_VERSION),
    visitor_id: z.string().regex(VID_RE, "is not a visitor id issued by this app's storefront embed"),
    ttclid: z.string().regex(TTCLID_RE, "is not a TikTok click id (1-512 letters, digits, dot, dash, underscore)"),
    captured_at: z.number().int().positive(),
    landing_path: z
      .string()
      .max(PATH_MAX)
      .startsWith("/", "must be a path starting with /")
      // The embed masks path segments with an email in them; a path that still has one is refused.
      .refine((v) => !/@|%40/i.test(v), "must not contain an email address")
      .refine(plainText, "must not contain control characters")
      .optional(),
    utm_source: utm,
    utm_medium: utm,
    utm_campaign: utm,
    utm_content: utm,
    utm_term: utm,
    campaign_id: adId,
    adgroup_id: adId,
    ad_id: adId,
  })
  .strict();

// The embed's daily heartbeat: it ran on the storefront, and which TikTok pixel codes the page loaded.
const heartbeatSchema = z
  .object({
    v: z.literal(TOUCHPOINT_VERSION),
    pixels: z.array(z.string().regex(PIXEL_CODE_RE, "is not a TikTok pixel code")).max(PIXEL_CODES_MAX),
  })
  .strict();

type TouchpointInput = z.infer<typeof touchpointSchema>;

type ParseResult =
  | { ok: true; kind: "touchpoint"; touchpoint: TouchpointInput }
  | { ok: true; kind: "heartbeat"; pixels: string[] }
  | { ok: false; status: number; error: string };

export function parseTouchpointBody(raw: string, now = Date.now()): ParseResult {
  if (Buffer.byteLength(raw, "utf8") > MAX_TOUCHPOINT_BYTES)
    return { ok: false, status: 413, error: `Body larger than ${MAX_TOUCHPOINT_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, status: 400, error: "Body is not valid JSON" };
  }
  // A body without a click is a heartbeat; one with any touchpoint key is held to the touchpoint schema.
  const isHeartbeat = typeof json === "object" && json !== null && "pixels" in json;
  if (isHeartbeat) {
    const beat = heartbeatSchema.safeParse(json);
    if (!beat.success) {
      const issue = beat.error.issues[0];
      return { ok: false, status: 422, error: `${issue.path.join(".") || "body"} ${issue.message}` };
    }
    return { ok: true, kind: "heartbeat", pixels: [...new Set(beat.data.pixels)] };
  }
  const parsed = touchpointSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, status: 422, error: `${issue.path.join(".") || "body"} ${issue.message}` };
  }
  const t = parsed.data;
  if (t.captured_at > now + FUTURE_SKEW_MS) return { ok: false, status: 422, error: "captured_at is in the future" };
  if (t.captured_at < now - 90 * DAY_MS) return { ok: false, status: 422, error: "captured_at is older than the longest attribution window (90 days)" };
  return { ok: true, kind: "touchpoint", touchpoint: t };
}

/** Pixel codes are kept this long after the last heartbeat that reported them. */
const PIXEL_MEMORY_MS = 7 * DAY_MS;
const PIXELS_KEPT = 20;

/** The TikTok pixel codes storefront pages loaded recently, newest first: {code: last seen}. */
export function readStorefrontPixels(json: string | null | undefined, now = new Date()): { code: string; seenAt: Date }[] {
  let map: Record<string, unknown> = {};
  try {
    map = json ? JSON.parse(json) : {};
  } catch {
    /* a broken value counts as none */
  }
  return Object.entries(map ?? {})
    .map(([code, at]) => ({ code, seenAt: new Date(typeof at === "string" ? at : NaN) }))
    .filter((p) => PIXEL_CODE_RE.test(p.code) && now.getTime() - p.seenAt.getTime() <= PIXEL_MEMORY_MS)
    .sort((a, b) => b.seenAt.getTime() - a.seenAt.getTime());
}

/**
 * The embed ran on the storefront: Home's "seen on the storefront", plus the pixel codes it saw,
 * merged with those seen within PIXEL_MEMORY_MS (pages of one store may load different pixels).
 */
export async function recordHeartbeat(shop: string, pixels: string[], now = new Date()) {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { storefrontPixels: true } });
  const merged = new Map(readStorefrontPixels(row?.storefrontPixels, now).map((p) => [p.code, p.seenAt.toISOString()]));
  for (const code of pixels) merged.set(code, now.toISOString());
  const kept = [...merged.entries()].sort((a, b) => b[1].localeCompare(a[1])).slice(0, PIXELS_KEPT);
  await prisma.shop.update({
    where: { shop },
    data: { lastStorefrontSignalAt: now, storefrontPixels: JSON.stringify(Object.fromEntries(kept)) },
  });
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The part of a shop's daily cap one sender (a visitor address, IPv6 by /64) may fill: 1%, 500 new
 * clicks a day at the default cap. A person clicks a handful of ads a day; 500 leaves room for a
 * carrier's shared address. One sender therefore cannot end a store's click capture for the day
 * (issue 27 M2): it takes a hundred addresses. Counted per process (docs/decisions/0014, "Growth").
 */
const SENDER_DAILY_SHARE = 0.01;
const senderShares = createDailyShare();

/** How many of today's new clicks one sender may add to a shop with this cap. */
const senderDailyLimit = (cap: number) => Math.max(1, Math.ceil(cap * SENDER_DAILY_SHARE));

/**
 * Stores the click: one row per shop, visitor and ttclid (the first capture time wins), at most
 * TOUCHPOINT_DAILY_CAP new rows per shop and UTC day, and at most senderDailyLimit of them from
 * one sender. The first refusal of a day by the shop's cap is recorded on TouchpointDay for Home;
 * a sender past its share is refused without touching the shop's day.
 */
export async function storeTouchpoint(
  shop: string,
  t: TouchpointInput,
  now = new Date(),
  opts: { fromEmbed: boolean; sender?: string } = { fromEmbed: true },
): Promise<"stored" | "duplicate" | "capped" | "sender_capped"> {
  // Home reads lastStorefrontSignalAt as "the theme embed runs": the web pixel reports its own.
  const signal = opts.fromEmbed ? [{ lastStorefrontSignalAt: now }] : [];
  const cap = env().TOUCHPOINT_DAILY_CAP;
  const key = { shop_visitorId_ttclid: { shop, visitorId: t.visitor_id, ttclid: t.ttclid } };
  const senderKey = opts.sender === undefined ? null : `${shop}|${opts.sender}`;
  const senderFits = senderKey === null || senderShares.fits(senderKey, senderDailyLimit(cap), now);
  try {
    const stored = await storeOnce(shop, t, now, { key, signal, cap, senderFits });
    if (stored === "stored" && senderKey !== null) senderShares.use(senderKey, now);
    return stored;
  } catch (error) {
    // The same click stored by a concurrent request (two tabs, a retry) between our look and our
    // insert: it is there, which is all this request wanted.
    if ((error as { code?: string }).code === "P2002" && (error as { meta?: { modelName?: string } }).meta?.modelName === "Touchpoint") return "duplicate";
    throw error;
  }
}

async function storeOnce(
  shop: string,
  t: TouchpointInput,
  now: Date,
  {
    key,
    signal,
    cap,
    senderFits,
  }: { key: { shop_visitorId_ttclid: { shop: string; visitorId: string; ttclid: string } }; signal: { lastStorefrontSignalAt: Date }[]; cap: number; senderFits: boolean },
): Promise<"stored" | "duplicate" | "capped" | "sender_capped"> {
  return prisma.$transaction(async (tx) => {
    if (await tx.touchpoint.findUnique({ where: key, select: { id: true } })) {
      for (const data of signal) await tx.shop.update({ where: { shop }, data });
      return "duplicate" as const;
    }
    if (!senderFits) return "sender_capped" as const;
    const day = { shop_day: { shop, day: utcDay(now) } };
    // The day's row, created atomically: Prisma's upsert reads, then inserts, so two first clicks
    // of a day at once would both insert and one fail on PostgreSQL.
    await tx.$executeRaw`INSERT INTO "TouchpointDay" ("shop", "day", "count") VALUES (${shop}, ${utcDay(now)}, 0) ON CONFLICT ("shop", "day") DO NOTHING`;
    const counter = await tx.touchpointDay.findUniqueOrThrow({ where: day });
    if (counter.count >= cap) {
      if (!counter.capReachedAt) await tx.touchpointDay.update({ where: day, data: { capReachedAt: now } });
      return "capped" as const;
    }
    await tx.touchpoint.create({
      data: {
        shop,
        visitorId: t.visitor_id,
        ttclid: t.ttclid,
        capturedAt: new Date(t.captured_at),
        // Our clock, not the database engine's: the time a checkout report's proof is checked against.
        receivedAt: now,
        landingPath: t.landing_path ?? null,
        utmSource: t.utm_source ?? null,
        utmMedium: t.utm_medium ?? null,
        utmCampaign: t.utm_campaign ?? null,
        utmContent: t.utm_content ?? null,
        utmTerm: t.utm_term ?? null,
        campaignId: t.campaign_id ?? null,
        adgroupId: t.adgroup_id ?? null,
        adId: t.ad_id ?? null,
      },
    });
    await tx.touchpointDay.update({ where: day, data: { count: { increment: 1 } } });
    for (const data of signal) await tx.shop.update({ where: { shop }, data });
    return "stored" as const;
  });
}

/** The latest day (within a week) on which the daily cap stopped click capture, for Home. */
export async function touchpointCapNotice(shop: string, now = new Date()) {
  const row = await prisma.touchpointDay.findFirst({
    where: { shop, capReachedAt: { not: null }, day: { gte: utcDay(new Date(now.getTime() - 7 * DAY_MS)) } },
    orderBy: { day: "desc" },
    select: { day: true },
  });
  return row ? { day: row.day, cap: env().TOUCHPOINT_DAILY_CAP } : null;
}

// Shopify's library accepts a proxy signature for 90 s either side of its timestamp.
const SIGNATURE_WINDOW_MS = 2 * 90_000;

/**
 * The proxy signature covers the query only. Remembers which body a signature carried during its
 * validity window: the same body again is fine (a retry), another body is a replay.
 */
export async function claimProxySignature(shop: string, replayKey: string, body: string, now = new Date()): Promise<boolean> {
  const signature = createHash("sha256").update(replayKey).digest("base64url");
  const bodyHash = createHash("sha256").update(body).digest("base64url");
  const seen = await prisma.proxySignature.findUnique({ where: { signature } });
  if (seen) return seen.bodyHash === bodyHash;
  try {
    await prisma.proxySignature.create({ data: { signature, shop, bodyHash, expiresAt: new Date(now.getTime() + SIGNATURE_WINDOW_MS) } });
  } catch (error) {
    if ((error as { code?: string }).code !== "P2002") throw error;
    const raced = await prisma.proxySignature.findUnique({ where: { signature } });
    return raced?.bodyHash === bodyHash;
  }
  return true;
}

export async function purgeExpiredProxySignatures(now = new Date()) {
  return (await prisma.proxySignature.deleteMany({ where: { expiresAt: { lt: now } } })).count;
}

export async function isKnownShop(shop: string) {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } });
  return !!row && !row.uninstalledAt;
}

/** Deletes clicks older than each shop's attribution window. */
export async function purgeExpiredTouchpoints(now = new Date()) {
  const windows = await prisma.tikTokConnection.findMany({ select: { shop: true, attributionWindowDays: true } });
  let removed = 0;
  for (const w of windows) {
    const { count } = await prisma.touchpoint.deleteMany({
      where: { shop: w.shop, capturedAt: { lt: new Date(now.getTime() - w.attributionWindowDays * DAY_MS) } },
    });
    removed += count;
  }
  const { count } = await prisma.touchpoint.deleteMany({
    where: { shop: { notIn: windows.map((w) => w.shop) }, capturedAt: { lt: new Date(now.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS) } },
  });
  await purgeExpiredProxySignatures(now);
  return removed + count + (await purgeOldOrderLinks(now));
}
