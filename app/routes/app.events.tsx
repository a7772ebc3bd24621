import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, Page, Pagination, Select, Text, TextField } from "@shopify/polaris";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { recentOrders, resendFromForm, shopTimeZone } from "~/features/events/stats.server";
import { readOrderFilter } from "~/features/events/order-filter.server";
import { EVENT_STATUSES } from "~/features/events/statuses";
import { OrderEventItem, STATUS_LABEL, type ResendAnswer } from "~/components/OrderEventItem";
import { getConnection } from "~/core/connection/session.server";
import { ConnectionBanner } from "~/components/ConnectionBanner";
import { titled } from "~/components/page-title";

export const meta = titled("Events");

const PAGE_SIZE = 25;
const pageSchema = z.coerce.number().int().min(1).max(100_000).catch(1);

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const { filter, error } = readOrderFilter(url.searchParams);
  const page = pageSchema.parse(url.searchParams.get("page") ?? 1);
  const timeZone = await shopTimeZone(session.shop);
  const connection = await getConnection(session.shop);
  const result = await recentOrders(session.shop, { filter, timeZone, page, pageSize: PAGE_SIZE, connectionStatus: connection?.status ?? null });
  return { ...result, filter, filterError: error, status: filter.status, page, pageSize: PAGE_SIZE, timeZone, deliveryProblem: connection?.deliveryProblem ?? null };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return resendFromForm(session.shop, await request.formData());
};

export default function Events() {
  const { rows, total, page, status, filter, filterError, timeZone, deliveryProblem } = useLoaderData<typeof loader>();
  const answer = useActionData<ResendAnswer>();
  const [params, setParams] = useSearchParams();
  const lastPage = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const [q, setQ] = useState(filter.q ?? "");
  const [from, setFrom] = useState(filter.from ?? "");
  const [to, setTo] = useState(filter.to ?? "");
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const filtered = !!(filter.q || filter.status || filter.from || filter.to);

  const go = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    setParams(p);
  };

  // A resource route: fetched so App Bridge adds the session token, then saved as a file.
  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const query = new URLSearchParams(params);
      query.delete("page");
      const res = await fetch(`/app/events/export?${query}`);
      if (!res.ok) return setExportError((await res.text()) || "The export failed. Reload the page and try again.");
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = "tiktok-events.csv";
      a.click();
      URL.revokeObjectURL(url);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Page
      title="Events"
      subtitle="What happened to each order: sent to TikTok, waiting, or why not."
      backAction={{ content: "Home", url: "/app" }}
    >
      <Layout>
        {deliveryProblem ? (
          <Layout.Section>
            <Banner tone="critical" title="Events are not being sent to TikTok">
              <p>{deliveryProblem} Reconnect from Home.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
          <ConnectionBanner />
          {/* A Resend's answer shows on its row; a row the filter no longer lists (Failed, now queued) answers here. */}
          {answer && !rows.some((r) => r.event?.id === answer.eventId) ? (
            <Banner tone={answer.ok ? "success" : "critical"}>
              <p>{answer.message}</p>
            </Banner>
          ) : null}
          {filterError ? <Banner tone="warning"><p>{filterError} Showing every order instead.</p></Banner> : null}
          {exportError ? <Banner tone="critical" onDismiss={() => setExportError(null)}><p>{exportError}</p></Banner> : null}
          <Card>
            <BlockStack gap="400">
              <Form method="get">
                <BlockStack gap="300">
                  <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="300">
                    <TextField label="Order" name="q" value={q} onChange={setQ} autoComplete="off" placeholder="#1001 or 1001" helpText="Order name or number" />
                    <Select
                      label="Status"
                      name="status"
                      options={[{ label: "All", value: "" }, ...EVENT_STATUSES.map((s) => ({ label: STATUS_LABEL[s].label, value: s }))]}
                      value={status ?? ""}
                      onChange={(v) => go({ status: v || null, page: null })}
                    />
                    <TextField label="From" name="from" type="date" value={from} onChange={setFrom} autoComplete="off" />
                    <TextField label="To" name="to" type="date" value={to} onChange={setTo} autoComplete="off" />
                  </InlineGrid>
                  <InlineStack gap="200" align="end">
                    {filtered ? <Button url="/app/events">Clear</Button> : null}
                    <Button onClick={exportCsv} loading={exporting}>Export CSV</Button>
                    <Button submit variant="primary">Apply</Button>
                  </InlineStack>
                </BlockStack>
              </Form>
              <Text as="p" tone="subdued">{total} order(s) · days and times in {timeZone ?? "UTC"}</Text>
              <Box as="ul" aria-label="Orders">
                {rows.map((r) => (
                  <OrderEventItem key={r.orderId} r={r} timeZone={timeZone} />
                ))}
              </Box>
              {rows.length === 0 ? <Text as="p" tone="subdued">{filtered ? "No order matches these filters." : "No orders yet."}</Text> : null}
              <InlineStack align="center">
                <Pagination
                  hasPrevious={page > 1}
                  onPrevious={() => go({ page: String(page - 1) })}
                  hasNext={page < lastPage}
                  onNext={() => go({ page: String(page + 1) })}
                  label={`Page ${page} of ${lastPage}`}
                />
              </InlineStack>
            </BlockStack>
          </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
