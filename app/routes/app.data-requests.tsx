import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Layout, Page, Text } from "@shopify/polaris";
import { PlainTable } from "~/components/PlainTable";
import { useState } from "react";
import { authenticate } from "~/core/shopify.server";
import { listPrivacyRequests } from "~/features/privacy/compliance.server";
import { formatInZone } from "~/components/format";
import { shopTimeZone } from "~/features/events/stats.server";
import { titled } from "~/components/page-title";

export const meta = titled("Data requests");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [lists, timeZone] = await Promise.all([listPrivacyRequests(session.shop), shopTimeZone(session.shop)]);
  return { ...lists, timeZone };
};

/** Fetches the request's JSON (App Bridge adds the session token to same-origin fetches) and saves it. */
function DownloadButton({ id }: { id: string }) {
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    setError(null);
    const res = await fetch(`/app/data-requests/download?request=${encodeURIComponent(id)}`);
    if (!res.ok) return setError("The download failed. Reload the page and try again.");
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = `data-request-${id}.json`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <BlockStack gap="100">
      <Button onClick={download}>Download JSON</Button>
      {error ? <Text as="span" tone="critical">{error}</Text> : null}
    </BlockStack>
  );
}

const COUNT_LABEL: Record<string, string> = { orders: "orders", events: "events", refunds: "refunds", touchpoints: "storefront clicks", dataRequests: "data requests" };

export default function DataRequests() {
  const { requests, redactions, timeZone } = useLoaderData<typeof loader>();
  return (
    <Page title="Data requests" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Customer data requests</Text>
                <Text as="p">
                  When a customer asks your store for their data, Shopify tells this app and the request is listed here. Download what the app holds
                  for that customer and include it in your answer. The app stores no names, email addresses or phone numbers: only hashes of them.
                </Text>
                {requests.length === 0 ? (
                  <Text as="p" tone="subdued">No data requests yet.</Text>
                ) : (
                  <PlainTable
                    label="Customer data requests"
                    headings={["Received", "Shopify customer ID", "Orders named", "Status", ""]}
                    rows={requests.map((r) => [
                      formatInZone(r.receivedAt, timeZone),
                      r.customerId ?? "—",
                      String(r.ordersRequested),
                      r.redacted ? "Customer's data since deleted" : "Open",
                      <DownloadButton key={r.id} id={r.id} />,
                    ])}
                  />
                )}
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Deletions</Text>
                <Text as="p">Deletions Shopify asked for (a customer&apos;s data, or the whole store&apos;s after uninstalling), with what was removed.</Text>
                {redactions.length === 0 ? (
                  <Text as="p" tone="subdued">No deletions yet.</Text>
                ) : (
                  <PlainTable
                    label="Deletions"
                    headings={["Done", "Request", "Removed"]}
                    rows={redactions.map((r) => [
                      formatInZone(r.doneAt, timeZone),
                      r.topic === "shop/redact" ? "All store data" : `Customer ${r.customerId ?? "(no id)"}`,
                      Object.entries(r.counts)
                        .filter(([k, n]) => COUNT_LABEL[k] && n > 0)
                        .map(([k, n]) => `${n} ${COUNT_LABEL[k]}`)
                        .join(", ") || "Nothing was held",
                    ])}
                  />
                )}
              </BlockStack>
            </Card>
            <Banner tone="info">Shopify expects a data request to be answered, and a deletion done, within 30 days.</Banner>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
