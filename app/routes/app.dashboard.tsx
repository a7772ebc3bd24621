import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Card, EmptyState, Layout, Page, Text } from "@shopify/polaris";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css";
import campaignStyles from "~/components/dashboard/campaigns.css";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { loadDashboard, syncNow } from "~/features/spend/dashboard.server";
import { CampaignSpendTable } from "~/components/dashboard/CampaignSpendTable";
import { RangeAndSync } from "~/components/dashboard/RangeAndSync";
import { SpendRevenueChart } from "~/components/dashboard/SpendRevenueChart";
import { SpendTotals } from "~/components/dashboard/SpendTotals";
import { WhyNumbersDiffer } from "~/components/dashboard/WhyNumbersDiffer";
import { TikTokByDay } from "~/components/dashboard/TikTokByDay";
import { titled } from "~/components/page-title";
import { formatDateRange, formatInZone } from "~/components/format";
import { refreshCadenceText } from "~/components/dashboard/SpendSyncStatus";
import { ConnectionBanner } from "~/components/ConnectionBanner";

export const meta = titled("Spend & ROAS");

export const links = () => [
  { rel: "stylesheet", href: vizStyles },
  { rel: "stylesheet", href: campaignStyles },
];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return loadDashboard(session.shop, new URL(request.url).searchParams);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = z.object({ intent: z.literal("sync") }).safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) return { ok: false, message: "Unknown action." };
  return syncNow(session.shop);
};

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();

  if (!data.connection?.advertiserId) {
    return (
      <Page title="Spend & ROAS">
        <Card>
          <EmptyState heading="Connect TikTok to see spend and ROAS" image="" action={{ content: "Connect TikTok", url: "/app/connect" }}>
            <p>Once an ad account is connected, the last 30 days of spend are imported, then refreshed every hour while the account has spend in the last 7 days and once a day otherwise.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }

  return (
    <Page
      title="Spend & ROAS"
      subtitle={`${data.connection.advertiserName ?? data.connection.advertiserId} · ${data.spendCurrency ?? ""} · ${data.accountTimezone}`}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConnectionBanner />
            {actionData ? (
              <Banner
                tone={actionData.ok ? "success" : "warning"}
                action={!actionData.ok && data.connection.status !== "connected" ? { content: data.connection.status === "needs_reconnect" ? "Reconnect TikTok" : "Connect TikTok", url: "/app/connect" } : undefined}
              >
                {actionData.message}
              </Banner>
            ) : null}
            <RangeAndSync data={data} />

            {data.currencyDiffers ? (
              <Banner tone="info" title="Two currencies">
                <Text as="p">
                  Your TikTok ad account reports spend in {data.spendCurrency}; your store sells in {data.storeCurrency}. Both sums are shown as they are;
                  they are never added, and ROAS is not computed across currencies.
                </Text>
              </Banner>
            ) : null}
            {data.revenueTimezoneIsFallback ? (
              <Banner tone="info">
                Shopify has not told us this store&apos;s time zone yet, so revenue is grouped by the ad account&apos;s days ({data.accountTimezone}).
              </Banner>
            ) : null}

            {!data.hasAnySpend ? (
              <Card>
                {data.sync.active ? (
                  <EmptyState heading="Importing spend from TikTok" image="">
                    <p>The chart and the campaign table appear as soon as TikTok&apos;s numbers are in.</p>
                  </EmptyState>
                ) : (
                  <EmptyState heading="No spend in this ad account yet" image="">
                    <p>
                      TikTok reports no spend for {data.connection.advertiserName ?? "this account"} in the synced days. Spend appears here after a
                      refresh once ads deliver
                      {data.sync.cadence ? `: the account is ${refreshCadenceText(data.sync.cadence)}` : ""}
                      {data.sync.nextRefreshAt ? ` (next refresh due ${formatInZone(data.sync.nextRefreshAt, data.revenueTimezone)})` : ""}.
                    </p>
                  </EmptyState>
                )}
              </Card>
            ) : (
              <>
                <SpendTotals data={data} />
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">
                      Daily spend and attributed revenue
                    </Text>
                    <SpendRevenueChart data={data} />
                  </BlockStack>
                </Card>
                <TikTokByDay data={data} />
                <Card padding="0">
                  {data.campaigns.length > 0 ? (
                    <CampaignSpendTable data={data} />
                  ) : (
                    <Box padding="400">
                      <Text as="p" tone="subdued">
                        No campaign spent anything from {formatDateRange(data.range.start, data.range.end)}.
                      </Text>
                    </Box>
                  )}
                </Card>
              </>
            )}
            <WhyNumbersDiffer data={data} />
            <Text as="p" variant="bodySm" tone="subdued">
              <Link to="/app/events">See the events sent to TikTok</Link>
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
