// Touchpoints: TikTok clicks the storefront embed reports through the app proxy.
import { z } from "zod";
import prisma from "~/core/db.server";
import { hasLoneSurrogate } from "~/core/lib/text";
import { AD_ID_RE, PATH_MAX, TOUCHPOINT_VERSION, TTCLID_RE, UTM_MAX, VID_RE } from "../../../extensions/tiktok-capture/src/capture";
import { DEFAULT_WINDOW_DAYS } from "./attribute.server";

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

type TouchpointInput = z.infer<typeof touchpointSchema>;

type ParseResult = { ok: true; touchpoint: TouchpointInput } | { ok: false; status: number; error: string };

export function parseTouchpointBody(raw: string, now = Date.now()): ParseResult {
  if (Buffer.byteLength(raw, "utf8") > MAX_TOUCHPOINT_BYTES)
    return { ok: false, status: 413, error: `Body larger than ${MAX_TOUCHPOINT_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, status: 400, error: "Body is not valid JSON" };
  }
  const parsed = touchpointSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, status: 422, error: `${issue.path.join(".") || "body"} ${issue.message}` };
  }
  const t = parsed.data;
  if (t.captured_at > now + FUTURE_SKEW_MS) return { ok: false, status: 422, error: "captured_at is in the future" };
  if (t.captured_at < now - 90 * DAY_MS) return { ok: false, status: 422, error: "captured_at is older than the longest attribution window (90 days)" };
  return { ok: true, touchpoint: t };
}

/** Stores the click (idempotent per shop, visitor and ttclid: the first capture time wins). */
export async function storeTouchpoint(shop: string, t: TouchpointInput) {
  const capturedAt = new Date(t.captured_at);
  await prisma.$transaction([
    prisma.touchpoint.upsert({
      where: { shop_visitorId_ttclid: { shop, visitorId: t.visitor_id, ttclid: t.ttclid } },
      create: {
        shop,
        visitorId: t.visitor_id,
        ttclid: t.ttclid,
        capturedAt,
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
      update: {},
    }),
    prisma.shop.update({ where: { shop }, data: { lastStorefrontSignalAt: new Date() } }),
  ]);
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
  return removed + count;
}
