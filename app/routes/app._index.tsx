import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page } from "@shopify/polaris";
import { authenticate } from "~/core/shopify.server";
import { env } from "~/core/env.server";
import { getConnection, publicConnection } from "~/core/connection/session.server";
import { lastStorefrontSignalAt } from "~/core/models/shop.server";
import { deliverySummary } from "~/features/events/stats.server";
import { touchpointCapNotice } from "~/core/attribution/touchpoints.server";
import { DataSentCard } from "~/components/home/DataSentCard";
import { EventsSentCard } from "~/components/home/EventsSentCard";
import { StorefrontEmbedCard } from "~/components/home/StorefrontEmbedCard";
import { TikTokConnectionCard } from "~/components/home/TikTokConnectionCard";
import { DeliveryProblemBanner } from "~/components/home/DeliveryProblemBanner";
import { WebPixelCard } from "~/components/home/WebPixelCard";
import { DeduplicationCard } from "~/components/home/DeduplicationCard";
import { webPixelState } from "~/core/models/web-pixel.server";

const EMBED_HANDLE = "capture";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [connection, summary, lastSignalAt, clickCap, webPixel] = await Promise.all([
    getConnection(session.shop),
    deliverySummary(session.shop),
    lastStorefrontSignalAt(session.shop),
    touchpointCapNotice(session.shop),
    webPixelState(session.shop),
  ]);
  return {
    shop: session.shop,
    connection: publicConnection(connection),
    summary,
    clickCap,
    webPixel: webPixel
      ? { activatedAt: webPixel.activatedAt?.toISOString() ?? null, lastError: webPixel.lastError, lastBeaconAt: webPixel.lastBeaconAt?.toISOString() ?? null }
      : null,
    embed: {
      activateUrl: `https://${session.shop}/admin/themes/current/editor?context=apps&template=index&activateAppId=${env().SHOPIFY_API_KEY}/${EMBED_HANDLE}`,
      lastSignalAt: lastSignalAt?.toISOString() ?? null,
    },
  };
};

export default function Home() {
  const { connection, summary, embed, clickCap, webPixel } = useLoaderData<typeof loader>();
  const eventName = connection.status === "not_connected" ? "CompletePayment" : connection.eventName;
  return (
    <Page title="TikTok Ads">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <TikTokConnectionCard connection={connection} />
            {connection.deliveryProblem ? <DeliveryProblemBanner problem={connection.deliveryProblem} /> : null}
            <StorefrontEmbedCard embed={embed} />
            <WebPixelCard pixel={webPixel} />
            {clickCap ? (
              <Banner tone="warning">
                <p>
                  Storefront click capture reached its daily limit of {clickCap.cap.toLocaleString("en-US")} on {clickCap.day}; clicks after that were not recorded.
                </p>
              </Banner>
            ) : null}
            <EventsSentCard summary={summary} />
            <DeduplicationCard eventName={eventName} />
            <DataSentCard eventName={eventName} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
