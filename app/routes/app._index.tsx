import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page, Text } from "@shopify/polaris";
import { loadDashboard } from "~/features/spend/dashboard.server";
import { LastSevenDays } from "~/components/home/LastSevenDays";
import { authenticate } from "~/core/shopify.server";
import { env } from "~/core/env.server";
import { getConnection, publicConnection } from "~/core/connection/session.server";
import { EMBED_BLOCK_HANDLE, embedStatus, storefrontSignals } from "~/features/storefront/embed-status.server";
import { deliverySummary, shopTimeZone } from "~/features/events/stats.server";
import { addDays, dayIn, isKnownTimeZone, startOfDayIn } from "~/features/spend/dates";
import { touchpointCapNotice } from "~/core/attribution/touchpoints.server";
import { EventsSentCard } from "~/components/home/EventsSentCard";
import { PixelMismatchBanner } from "~/components/home/PixelMismatchBanner";
import { StorefrontEmbedCard } from "~/components/home/StorefrontEmbedCard";
import { TikTokConnectionCard } from "~/components/home/TikTokConnectionCard";
import { DeliveryProblemBanner } from "~/components/home/DeliveryProblemBanner";
import { WebPixelCard } from "~/components/home/WebPixelCard";
import { webPixelState } from "~/core/models/web-pixel.server";
import { titled } from "~/components/page-title";
import { SetupGuide } from "~/components/home/SetupGuide";
import { dismissGuide, setupGuide } from "~/features/connect/setup-guide.server";

const activateEmbedUrl = (shop: string) => `https://${shop}/admin/themes/current/editor?context=apps&template=index&activateAppId=${env().SHOPIFY_API_KEY}/${EMBED_BLOCK_HANDLE}`;
import { StatusLine } from "~/components/home/StatusLine";
import { homeStatus } from "~/features/alerts/status.server";
import { SignalHealthCard } from "~/components/home/SignalHealthCard";
import { signalHealth } from "~/features/alerts/signal-score.server";

export const meta = titled();

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const now = new Date();
  // One clock (issue 26): Home's "last 7 days" are the dashboard's 7 days, the store's dates: orders and
  // events count on them in the store's zone, spend is TikTok's for the same dates in the ad account's.
  const [connectionRow, timeZone] = await Promise.all([getConnection(session.shop), shopTimeZone(session.shop)]);
  const accountZone = connectionRow?.advertiserTimezone && isKnownTimeZone(connectionRow.advertiserTimezone) ? connectionRow.advertiserTimezone : "UTC";
  const storeZone = timeZone && isKnownTimeZone(timeZone) ? timeZone : accountZone;
  const lastDay = dayIn(storeZone, now);
  const days = { from: startOfDayIn(storeZone, addDays(lastDay, -6)), until: startOfDayIn(storeZone, addDays(lastDay, 1)) };
  const [connection, summary, embedCheck, signals, clickCap, webPixel, figures] = await Promise.all([
    connectionRow,
    deliverySummary(session.shop, now, days),
    embedStatus(session.shop, admin, { now }),
    storefrontSignals(session.shop, now),
    touchpointCapNotice(session.shop),
    webPixelState(session.shop),
    loadDashboard(session.shop, new URLSearchParams(), now, { defaultDays: 7 }),
  ]);
  const shown = publicConnection(connection);
  const pixelMismatch =
    connection?.pixelCode && signals.pixelCodes.length && !signals.pixelCodes.includes(connection.pixelCode)
      ? { storefront: signals.pixelCodes, selected: connection.pixelCode }
      : null;
  return {
    shop: session.shop,
    // Home's first line (issue 25): from the open incidents.
    status: await homeStatus(session.shop, shown, { embed: embedCheck.status, pixelMismatch, clickCap, notCounted: { failed: summary.failed7d, expired: summary.expired } }),
    signalHealth: await signalHealth(session.shop, now),
    // The setup guide, until the merchant dismisses it (only possible once its steps are done).
    guide: await setupGuide(session.shop, { embedStatus: embedCheck.status, activateEmbedUrl: activateEmbedUrl(session.shop), now }),
    connection: shown,
    summary,
    /** The store's time zone: every time on Home is shown in it. */
    timeZone: storeZone,
    // The dashboard's figures for its last 7 days, once an ad account is chosen.
    figures: connection?.advertiserId ? figures : null,
    clickCap,
    webPixel: webPixel
      ? { activatedAt: webPixel.activatedAt?.toISOString() ?? null, lastError: webPixel.lastError, lastBeaconAt: webPixel.lastBeaconAt?.toISOString() ?? null }
      : null,
    embed: {
      activateUrl: activateEmbedUrl(session.shop),
      status: embedCheck.status,
      checkedAt: embedCheck.checkedAt.toISOString(),
      checkError: embedCheck.error,
      seenHoursAgo: signals.lastSeenAt ? Math.floor((now.getTime() - signals.lastSeenAt.getTime()) / 3_600_000) : null,
      seenStale: signals.stale,
    },
    // The TikTok pixel codes the storefront loads, when none of them is the one events go to.
    pixelMismatch,
  };
};

const actionSchema = z.object({ intent: z.enum(["check-embed", "dismiss-setup-guide"]) });

/** "Check again": reads the published theme now instead of waiting for the cached answer to age. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const parsed = actionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return new Response(JSON.stringify({ error: "Unknown action" }), { status: 400, headers: { "Content-Type": "application/json" } });
  if (parsed.data.intent === "dismiss-setup-guide") {
    const embed = await embedStatus(session.shop, admin);
    return dismissGuide(session.shop, { embedStatus: embed.status, activateEmbedUrl: activateEmbedUrl(session.shop) });
  }
  const checked = await embedStatus(session.shop, admin, { force: true });
  return { embedStatus: checked.status };
};

export default function Home() {
  const { status, guide, signalHealth: health, connection, summary, figures, embed, clickCap, webPixel, pixelMismatch, timeZone } = useLoaderData<typeof loader>();
  return (
    <Page title="TikTok Ads" secondaryActions={[{ content: "Help", url: "/app/help" }]}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <StatusLine status={status} />
            {guide.dismissed ? null : <SetupGuide guide={guide} />}
            {figures && connection.status !== "not_connected" ? <LastSevenDays figures={figures} eventsSent={summary.sent7d} /> : null}
            {/* While the guide's first steps are open, they are this card's call to action: not a third Connect button. */}
            {!guide.dismissed && !guide.steps[1].done && connection.status !== "needs_reconnect" ? null : <TikTokConnectionCard connection={connection} timeZone={timeZone} />}
            {connection.deliveryProblem ? <DeliveryProblemBanner problem={connection.deliveryProblem} /> : null}
            <StorefrontEmbedCard embed={embed} timeZone={timeZone} />
            {pixelMismatch ? <PixelMismatchBanner {...pixelMismatch} /> : null}
            <WebPixelCard pixel={webPixel} timeZone={timeZone} />
            {clickCap ? (
              <Banner tone="warning">
                <p>
                  Storefront click capture reached its daily limit of {clickCap.cap.toLocaleString("en-US")} on {clickCap.day} (a UTC day); clicks after that were not recorded.
                </p>
              </Banner>
            ) : null}
            {/* Before TikTok is connected these would be zeros and dashes: the setup guide says what to do instead. */}
            {connection.status === "not_connected" || connection.status === "pending" ? null : (
              <>
                <EventsSentCard summary={summary} />
                <SignalHealthCard health={health} />
              </>
            )}
            <Text as="p" variant="bodySm" tone="subdued">
              Times and days on this page are in the store&apos;s time zone ({timeZone}), except those marked UTC (signal health, click capture); each day&apos;s spend is
              what TikTok reports for that date in the ad account&apos;s zone.
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
