// Whether our app embed is switched on in the store's published theme, read the way Shopify documents
// for apps: the main theme's config/settings_data.json lists app embed blocks under `current.blocks`,
// each with `type: "shopify://apps/<app handle>/blocks/<block handle>/<uuid>"` and `disabled`.
// https://shopify.dev/docs/apps/build/online-store/theme-app-extensions/configuration#detecting-app-blocks-and-app-embed-blocks
// Query: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/themes (needs read_themes).
// Cached on the Shop row with the time it was read; Home re-reads it when older than CHECK_TTL_MS.
import { z } from "zod";
import prisma from "~/core/db.server";
import { readStorefrontPixels } from "~/core/attribution/touchpoints.server";

/** `handle` in shopify.app.toml (a unit test holds them equal) and the embed's block file name. */
export const APP_HANDLE = "tiktok-ads-bridge";
export const EMBED_BLOCK_HANDLE = "capture";
export const CHECK_TTL_MS = 10 * 60 * 1000;

type EmbedStatus = "on" | "off" | "unknown";
type GraphqlClient = { graphql: (query: string) => Promise<Response> };

const EMBED_TYPE = new RegExp(`^shopify://apps/${APP_HANDLE}/blocks/${EMBED_BLOCK_HANDLE}/[^/]+$`);

/** settings_data.json may start with a /* … *\/ comment that Shopify writes; JSON.parse does not take it. */
function stripLeadingComment(text: string) {
  return text.replace(/^\uFEFF?\s*\/\*[\s\S]*?\*\/\s*/, "");
}

/**
 * "on" when `current` (or the preset it names) has our embed block and it is not disabled. A block
 * is only listed after the merchant switched it on once, so a missing block means off.
 */
export function embedEnabledInSettings(settingsData: string): boolean {
  const data = JSON.parse(stripLeadingComment(settingsData)) as { current?: unknown; presets?: Record<string, unknown> };
  const current = typeof data.current === "string" ? data.presets?.[data.current] : data.current;
  const blocks = (current as { blocks?: Record<string, { type?: unknown; disabled?: unknown }> } | undefined)?.blocks ?? {};
  return Object.values(blocks).some((b) => typeof b?.type === "string" && EMBED_TYPE.test(b.type) && b.disabled !== true);
}

const EMBED_STATUS_QUERY = `#graphql
  query EmbedStatus {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        files(filenames: ["config/settings_data.json"], first: 1) {
          nodes {
            body {
              ... on OnlineStoreThemeFileBodyText { content }
              ... on OnlineStoreThemeFileBodyBase64 { contentBase64 }
            }
          }
        }
      }
    }
  }`;

const responseSchema = z.object({
  data: z.object({
    themes: z.object({
      nodes: z.array(
        z.object({
          files: z
            .object({ nodes: z.array(z.object({ body: z.object({ content: z.string().optional(), contentBase64: z.string().optional() }) })) })
            .nullable(),
        }),
      ),
    }),
  }),
});

/** Reads the published theme's settings through the Admin API: on / off, or unknown with the reason. */
async function readEmbedStatus(admin: GraphqlClient): Promise<{ status: EmbedStatus; error: string | null }> {
  try {
    const res = await admin.graphql(EMBED_STATUS_QUERY);
    const body = (await res.json()) as { errors?: { message?: string }[] };
    if (body.errors?.length) return { status: "unknown", error: `Shopify answered: ${body.errors[0]?.message ?? "error"}` };
    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) return { status: "unknown", error: "Shopify's answer had an unexpected shape" };
    const theme = parsed.data.data.themes.nodes[0];
    if (!theme) return { status: "unknown", error: "The store has no published theme" };
    const file = theme.files?.nodes[0]?.body;
    const text = file?.content ?? (file?.contentBase64 ? Buffer.from(file.contentBase64, "base64").toString("utf8") : null);
    if (text === null) return { status: "unknown", error: "The published theme has no config/settings_data.json" };
    try {
      return { status: embedEnabledInSettings(text) ? "on" : "off", error: null };
    } catch {
      return { status: "unknown", error: "The theme's config/settings_data.json could not be read" };
    }
  } catch (error) {
    // The library throws for HTTP errors, including a missing read_themes scope.
    const message = error instanceof Error ? error.message : String(error);
    return { status: "unknown", error: message.includes("read_themes") ? "The app lacks the read_themes permission" : "Could not read the theme" };
  }
}

/** The cached status, re-read from Shopify when it is older than CHECK_TTL_MS (or `force`). */
export async function embedStatus(shop: string, admin: GraphqlClient, opts: { now?: Date; force?: boolean } = {}) {
  const now = opts.now ?? new Date();
  const row = await prisma.shop.findUnique({ where: { shop }, select: { embedStatus: true, embedCheckedAt: true, embedCheckError: true } });
  const fresh = row?.embedCheckedAt && now.getTime() - row.embedCheckedAt.getTime() < CHECK_TTL_MS;
  if (row && fresh && !opts.force) {
    return { status: (row.embedStatus ?? "unknown") as EmbedStatus, checkedAt: row.embedCheckedAt!, error: row.embedCheckError };
  }
  const read = await readEmbedStatus(admin);
  const data = { embedStatus: read.status, embedCheckedAt: now, embedCheckError: read.error };
  await prisma.shop.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  return { status: read.status, checkedAt: now, error: read.error };
}

/** After this long without a heartbeat or touchpoint, "seen on the storefront" no longer counts. */
const SEEN_STALE_MS = 3 * 24 * 60 * 60 * 1000;

/**
 * What the embed itself reported: when it last ran on the storefront (its daily heartbeat or a
 * touchpoint), whether that is stale, and the TikTok pixel codes storefront pages loaded.
 */
export async function storefrontSignals(shop: string, now = new Date()) {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { lastStorefrontSignalAt: true, storefrontPixels: true } });
  const lastSeenAt = row?.lastStorefrontSignalAt ?? null;
  return {
    lastSeenAt,
    stale: !lastSeenAt || now.getTime() - lastSeenAt.getTime() > SEEN_STALE_MS,
    pixelCodes: readStorefrontPixels(row?.storefrontPixels, now).map((p) => p.code),
  };
}
