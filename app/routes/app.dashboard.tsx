import { Fragment, useEffect, useState, type ReactNode } from "react";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  EmptyState,
  IndexTable,
  InlineGrid,
  InlineStack,
  Layout,
  List,
  Page,
  ProgressBar,
  Text,
  TextField,
  Tooltip,
} from "@shopify/polaris";
import { LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { loadDashboard, syncNow, type DashboardData } from "~/features/spend/dashboard.server";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

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

// ---------------------------------------------------------------------------------------------

function formatMoney(amount: string | number | null, currency: string | null) {
  if (amount === null) return "—";
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!currency) return value.toFixed(2);
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

const formatInt = (n: number | null) => (n === null ? "—" : new Intl.NumberFormat("en-US").format(n));

/** Same text on the server and in the browser (no locale or zone of the viewer involved). */
const formatInstant = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

function Unknown({ why }: { why: string }) {
  return (
    <Tooltip content={why}>
      <Text as="span" tone="subdued">
        —
      </Text>
    </Tooltip>
  );
}

/** Spend, impressions, clicks and TikTok conversions: the same four cells for a campaign and an ad group. */
function DeliveryCells({ row, currency }: { row: { spend: string | number; impressions: number | null; clicks: number | null; conversions: number | null }; currency: string | null }) {
  return (
    <>
      {[formatMoney(row.spend, currency), formatInt(row.impressions), formatInt(row.clicks), formatInt(row.conversions)].map((value, i) => (
        <IndexTable.Cell key={i}>
          <Text as="span" alignment="end" numeric>
            {value}
          </Text>
        </IndexTable.Cell>
      ))}
    </>
  );
}

function Metric({ label, value, help }: { label: string; value: ReactNode; help?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {help ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {help}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

/** polaris-viz reads `navigator` while rendering, which Node 20 lacks: render charts in the browser only. */
function ClientOnly({ children, fallback }: { children: () => ReactNode; fallback: ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return <>{mounted ? children() : fallback}</>;
}

function Chart({ data }: { data: DashboardData }) {
  const spendName = `Spend (${data.spendCurrency ?? "ad account currency"})`;
  const revenueName = `Attributed revenue (${data.storeCurrency ?? "store currency"})`;
  const spend = { name: spendName, data: data.daily.map((d) => ({ key: d.date, value: d.spend })) };
  const revenue = { name: revenueName, data: data.daily.map((d) => ({ key: d.date, value: d.revenue })) };
  const fallback = <Box minHeight="300px" />;
  return (
    <ClientOnly fallback={fallback}>
      {() => (
        <PolarisVizProvider>
          {data.currencyDiffers ? (
            // Two currencies never share an axis: one chart each.
            <BlockStack gap="400">
              <div style={{ height: 260 }}>
                <LineChart data={[spend]} theme="Light" />
              </div>
              <div style={{ height: 260 }}>
                <LineChart data={[revenue]} theme="Light" />
              </div>
            </BlockStack>
          ) : (
            <div style={{ height: 300 }}>
              <LineChart data={[spend, revenue]} theme="Light" />
            </div>
          )}
        </PolarisVizProvider>
      )}
    </ClientOnly>
  );
}

function CampaignTable({ data }: { data: DashboardData }) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const noMacro = "No attributed order carried this campaign's id. Orders carry it when the ad's URL includes TikTok's __CAMPAIGN_ID__ macro.";
  const adgroupUnknown = "Orders carry the campaign id only, so revenue cannot be split by ad group.";
  const noValue = "TikTok's own conversion value is not pulled by this app; compare revenue with our attributed revenue instead.";
  const noRoas = data.currencyDiffers
    ? `Spend is in ${data.spendCurrency} and revenue in ${data.storeCurrency}; the app does not convert currencies.`
    : noMacro;
  return (
    <IndexTable
      resourceName={{ singular: "campaign", plural: "campaigns" }}
      itemCount={data.campaigns.length}
      selectable={false}
      headings={[
        { title: "Campaign" },
        { title: "Spend", alignment: "end" },
        { title: "Impressions", alignment: "end" },
        { title: "Clicks", alignment: "end" },
        { title: "TikTok conversions", alignment: "end" },
        { title: "TikTok conv. value", alignment: "end" },
        { title: "Attributed revenue", alignment: "end" },
        { title: "ROAS", alignment: "end" },
      ]}
    >
      {data.campaigns.map((c, index) => (
        <Fragment key={c.campaignId}>
          <IndexTable.Row id={c.campaignId} position={index}>
            <IndexTable.Cell>
              <InlineStack gap="200" blockAlign="center" wrap={false}>
                {c.adgroups.length > 0 ? (
                  <Button
                    variant="plain"
                    disclosure={open[c.campaignId] ? "up" : "down"}
                    accessibilityLabel={`${open[c.campaignId] ? "Hide" : "Show"} ad groups of ${c.name}`}
                    onClick={() => setOpen((o) => ({ ...o, [c.campaignId]: !o[c.campaignId] }))}
                  />
                ) : null}
                <Text as="span" fontWeight="semibold">
                  {c.name}
                </Text>
              </InlineStack>
            </IndexTable.Cell>
            <DeliveryCells row={c} currency={data.spendCurrency} />
            <IndexTable.Cell>
              <Text as="span" alignment="end">
                {c.conversionValue ?? <Unknown why={noValue} />}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {c.revenue !== null ? formatMoney(c.revenue, data.storeCurrency) : <Unknown why={noMacro} />}
              </Text>
            </IndexTable.Cell>
            <IndexTable.Cell>
              <Text as="span" alignment="end" numeric>
                {c.roas ?? <Unknown why={noRoas} />}
              </Text>
            </IndexTable.Cell>
          </IndexTable.Row>
          {open[c.campaignId]
            ? c.adgroups.map((g, j) => (
                <IndexTable.Row key={g.adgroupId} id={g.adgroupId} position={index + (j + 1) / 1000} rowType="child">
                  <IndexTable.Cell>
                    <Box paddingInlineStart="800">
                      <Text as="span">{g.name}</Text>
                    </Box>
                  </IndexTable.Cell>
                  <DeliveryCells row={g} currency={data.spendCurrency} />
                  <IndexTable.Cell>
                    <Text as="span" alignment="end">
                      <Unknown why={noValue} />
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end">
                      <Unknown why={adgroupUnknown} />
                    </Text>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Text as="span" alignment="end">
                      <Unknown why={adgroupUnknown} />
                    </Text>
                  </IndexTable.Cell>
                </IndexTable.Row>
              ))
            : null}
        </Fragment>
      ))}
    </IndexTable>
  );
}

function SyncStatus({ data }: { data: DashboardData }) {
  const { active, lastSyncedAt, lastError } = data.sync;
  const revalidator = useRevalidator();
  // While a run is queued or running, refresh every few seconds so progress moves.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, 3_000);
    return () => clearInterval(timer);
  }, [active, revalidator]);

  return (
    <BlockStack gap="200">
      {active ? (
        <Banner tone={active.waitingFor === "reconnect" ? "warning" : "info"} title={active.kind === "backfill" ? "Importing the last 30 days of spend" : "Syncing spend"}>
          <BlockStack gap="200">
            <ProgressBar progress={active.windowsTotal ? Math.round((100 * active.windowsDone) / active.windowsTotal) : 0} size="small" />
            <Text as="p">
              {active.windowsTotal
                ? `${active.windowsDone} of ${active.windowsTotal} report windows done (${active.requestsMade} request${active.requestsMade === 1 ? "" : "s"} to TikTok)`
                : "Queued; starts within a minute."}
              {active.range ? ` · ${active.range.start} to ${active.range.end}` : ""}
            </Text>
            {active.waitingFor === "reconnect" ? <Text as="p">Paused until TikTok is reconnected; it continues where it stopped.</Text> : null}
            {active.waitingFor === "rate_limit" ? <Text as="p">TikTok asked us to slow down; the sync continues by itself shortly.</Text> : null}
          </BlockStack>
        </Banner>
      ) : null}
      {lastError && !active?.waitingFor ? (
        <Banner tone="critical" title="The last sync did not finish">
          <Text as="p">{lastError}</Text>
        </Banner>
      ) : null}
      <Text as="p" tone="subdued">
        {lastSyncedAt ? `Last synced ${formatInstant(lastSyncedAt)}` : "Not synced yet"} · syncs every hour, re-pulling the last 3 days
      </Text>
    </BlockStack>
  );
}

function WhyDifferent({ data }: { data: DashboardData }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Why these numbers differ from TikTok Ads Manager
        </Text>
        <List>
          <List.Item>
            Currency: spend is shown in the ad account currency ({data.spendCurrency ?? "unknown"}) exactly as TikTok reports it; revenue is in the store
            currency ({data.storeCurrency ?? "unknown"}). Nothing is converted.
          </List.Item>
          <List.Item>
            Refunds: revenue is what the order was worth when we sent the event. Refunds made later update the refund-adjusted figure from Shopify&apos;s order
            data; the event already sent to TikTok is never changed or re-sent, so TikTok keeps the original value.
          </List.Item>
          <List.Item>Discounts: we send the order total after discounts, which may differ from what the ad click suggested.</List.Item>
          <List.Item>
            Attribution windows: TikTok credits conversions by its own click and view windows; we count orders that carried a TikTok click id (ttclid)
            within this store&apos;s attribution window.
          </List.Item>
          <List.Item>
            Time zones: spend days are the ad account&apos;s days ({data.accountTimezone}); revenue days are the store&apos;s ({data.revenueTimezone}).
          </List.Item>
          <List.Item>Processing delay: TikTok restates recent days for up to a few days; we re-pull the last 3 days every hour.</List.Item>
        </List>
      </BlockStack>
    </Card>
  );
}

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [start, setStart] = useState(data.range.start);
  const [end, setEnd] = useState(data.range.end);
  const syncing = navigation.state === "submitting" && navigation.formData?.get("intent") === "sync";

  if (!data.connection?.advertiserId) {
    return (
      <Page title="Spend & ROAS">
        <Card>
          <EmptyState heading="Connect TikTok to see spend and ROAS" image="" action={{ content: "Connect TikTok", url: "/app/connect" }}>
            <p>Once an ad account is connected, the last 30 days of spend are imported and then refreshed every hour.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  }

  const t = data.totals;
  const noRoas = data.currencyDiffers
    ? `Spend is in ${data.spendCurrency}, revenue in ${data.storeCurrency}; the app never converts one into the other.`
    : "No spend in this range.";

  return (
    <Page
      title="Spend & ROAS"
      subtitle={`${data.connection.advertiserName ?? data.connection.advertiserId} · ${data.spendCurrency ?? ""} · ${data.accountTimezone}`}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {data.connection.status === "needs_reconnect" ? (
              <Banner tone="warning" title="TikTok needs to be reconnected" action={{ content: "Reconnect", url: "/app/connect" }}>
                <Text as="p">{data.connection.lastAuthError ?? "TikTok no longer accepts this app's access."} Spend sync is paused until then.</Text>
              </Banner>
            ) : null}
            {actionData ? <Banner tone={actionData.ok ? "success" : "warning"}>{actionData.message}</Banner> : null}
            <Card>
              <BlockStack gap="300">
                <InlineStack align="space-between" blockAlign="end" gap="400">
                  <Form method="get">
                    <InlineStack gap="200" blockAlign="end">
                      <TextField label="From" type="date" name="start" value={start} onChange={setStart} autoComplete="off" />
                      <TextField label="To" type="date" name="end" value={end} onChange={setEnd} autoComplete="off" />
                      <Button submit>Apply</Button>
                    </InlineStack>
                  </Form>
                  <Form method="post">
                    <input type="hidden" name="intent" value="sync" />
                    <Button submit variant="primary" loading={syncing}>
                      Sync now
                    </Button>
                  </Form>
                </InlineStack>
                {data.rangeError ? <Banner tone="warning">{data.rangeError}</Banner> : null}
                <SyncStatus data={data} />
              </BlockStack>
            </Card>

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
                      TikTok reports no spend for {data.connection.advertiserName ?? "this account"} in the synced days. Spend appears here after the next
                      hourly sync once ads deliver.
                    </p>
                  </EmptyState>
                )}
              </Card>
            ) : (
              <>
                <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
                  <Metric label="Spend" value={formatMoney(t.spend, data.spendCurrency)} help={`${formatInt(t.impressions)} impressions · ${formatInt(t.clicks)} clicks`} />
                  <Metric
                    label="Attributed revenue"
                    value={formatMoney(t.grossRevenue, data.storeCurrency)}
                    help={`Refund-adjusted: ${formatMoney(t.netRevenue, data.storeCurrency)} (refunds ${formatMoney(t.refunded, data.storeCurrency)})`}
                  />
                  <Metric
                    label="ROAS"
                    value={t.roas ?? <Unknown why={noRoas} />}
                    help={t.netRoas !== null ? `Refund-adjusted: ${t.netRoas}` : undefined}
                  />
                  <Metric label="Attributed orders" value={formatInt(t.attributedOrders)} help="Orders that arrived with a TikTok click id" />
                  <Metric
                    label="Cost per attributed order"
                    value={t.costPerOrder !== null ? formatMoney(t.costPerOrder, data.spendCurrency) : <Unknown why="No attributed orders in this range." />}
                  />
                  <Metric label="TikTok-reported conversions" value={formatInt(t.tiktokConversions)} help="TikTok's own count, by its attribution rules" />
                </InlineGrid>
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">
                      Gross and refund-adjusted attributed revenue
                    </Text>
                    <InlineGrid columns={2} gap="400">
                      <BlockStack gap="100">
                        <Text as="p" tone="subdued">
                          Gross (as sent to TikTok)
                        </Text>
                        <Text as="p" variant="headingMd">
                          {formatMoney(t.grossRevenue, data.storeCurrency)}
                        </Text>
                      </BlockStack>
                      <BlockStack gap="100">
                        <Text as="p" tone="subdued">
                          Refund-adjusted
                        </Text>
                        <Text as="p" variant="headingMd">
                          {formatMoney(t.netRevenue, data.storeCurrency)}
                        </Text>
                      </BlockStack>
                    </InlineGrid>
                    <Text as="p" variant="bodySm" tone="subdued">
                      Refunds update from Shopify&apos;s order data. Events already sent to TikTok keep their original value.
                      {t.otherCurrencyOrders > 0 ? ` ${t.otherCurrencyOrders} attributed order(s) in another currency are not included.` : ""}
                    </Text>
                  </BlockStack>
                </Card>
                <Card>
                  <BlockStack gap="200">
                    <Text as="h2" variant="headingMd">
                      Daily spend and attributed revenue
                    </Text>
                    <Chart data={data} />
                  </BlockStack>
                </Card>
                <Card padding="0">
                  {data.campaigns.length > 0 ? (
                    <CampaignTable data={data} />
                  ) : (
                    <Box padding="400">
                      <Text as="p" tone="subdued">
                        No campaign spent anything between {data.range.start} and {data.range.end}.
                      </Text>
                    </Box>
                  )}
                </Card>
              </>
            )}
            <WhyDifferent data={data} />
            <Text as="p" variant="bodySm" tone="subdued">
              <Link to="/app/events">See the events sent to TikTok</Link>
            </Text>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
