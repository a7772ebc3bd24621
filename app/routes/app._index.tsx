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
import { titled } from "~/components/page-title";

export const meta = titled();

const EMBED_HANDLE = "capture";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [connection, summary, lastSignalAt, clickCap] = await Promise.all([
    getConnection(session.shop),
    deliverySummary(session.shop),
    lastStorefrontSignalAt(session.shop),
    touchpointCapNotice(session.shop),
  ]);
  return {
    shop: session.shop,
    connection: publicConnection(connection),
    summary,
    clickCap,
    embed: {
      activateUrl: `https://${session.shop}/admin/themes/current/editor?context=apps&template=index&activateAppId=${env().SHOPIFY_API_KEY}/${EMBED_HANDLE}`,
      lastSignalAt: lastSignalAt?.toISOString() ?? null,
    },
  };
};

export default function Home() {
  const { connection, summary, embed, clickCap } = useLoaderData<typeof loader>();
  return (
    <Page title="TikTok Ads">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <TikTokConnectionCard connection={connection} />
            <StorefrontEmbedCard embed={embed} />
            {clickCap ? (
              <Banner tone="warning">
                <p>
                  Storefront click capture reached its daily limit of {clickCap.cap.toLocaleString("en-US")} on {clickCap.day}; clicks after that were not recorded.
                </p>
              </Banner>
            ) : null}
            <EventsSentCard summary={summary} />
            <DataSentCard eventName={connection.status === "not_connected" ? "CompletePayment" : connection.eventName} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
