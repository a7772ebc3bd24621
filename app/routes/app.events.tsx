import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Box, Card, InlineStack, Layout, Page, Pagination, Select, Text } from "@shopify/polaris";
import { z } from "zod";
import { authenticate } from "~/core/shopify.server";
import { recentOrders, shopTimeZone } from "~/features/events/stats.server";
import { EVENT_STATUSES } from "~/features/events/statuses";
import { resendEvent } from "~/features/events/outbox.server";
import { OrderEventItem, STATUS_LABEL } from "~/components/OrderEventItem";
import { getConnection } from "~/core/connection/session.server";
import { ConnectionBanner } from "~/components/ConnectionBanner";
import { titled } from "~/components/page-title";

export const meta = titled("Events");

const PAGE_SIZE = 25;
const querySchema = z.object({
  status: z.enum(EVENT_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const query = querySchema.parse({ status: url.searchParams.get("status") || undefined, page: url.searchParams.get("page") ?? 1 });
  const [result, timeZone, connection] = await Promise.all([
    recentOrders(session.shop, { ...query, pageSize: PAGE_SIZE }),
    shopTimeZone(session.shop),
    getConnection(session.shop),
  ]);
  return { ...result, ...query, pageSize: PAGE_SIZE, timeZone, deliveryProblem: connection?.deliveryProblem ?? null };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = z.object({ intent: z.literal("resend"), eventId: z.string().min(1).max(64) }).safeParse(Object.fromEntries(await request.formData()));
  if (!form.success) return { ok: false, message: "Choose a failed event to resend." };
  const result = await resendEvent(session.shop, form.data.eventId);
  return result.ok ? { ok: true, message: "Queued again with the same event ID." } : result;
};

export default function Events() {
  const { rows, total, page, status, timeZone, deliveryProblem } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const lastPage = Math.max(1, Math.ceil(total / PAGE_SIZE));

  const go = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    setParams(p);
  };

  return (
    <Page title="Events" subtitle="What happened to each order: sent to TikTok, waiting, or why not." backAction={{ content: "Home", url: "/app" }}>
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
          <Card>
            <BlockStack gap="400">
              <InlineStack align="space-between" blockAlign="end">
                <Select
                  label="Status"
                  options={[{ label: "All", value: "" }, ...EVENT_STATUSES.map((s) => ({ label: STATUS_LABEL[s].label, value: s }))]}
                  value={status ?? ""}
                  onChange={(v) => go({ status: v || null, page: null })}
                />
                <Text as="p" tone="subdued">{total} order(s) · times in {timeZone ?? "UTC"}</Text>
              </InlineStack>
              <Box as="ul" aria-label="Orders">
                {rows.map((r) => (
                  <OrderEventItem key={r.orderId} r={r} timeZone={timeZone} />
                ))}
              </Box>
              {rows.length === 0 ? <Text as="p" tone="subdued">No orders{status ? " with this status" : ""} yet.</Text> : null}
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
