import { useState } from "react";
import { Form, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, TextField } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { SpendSyncStatus } from "./SpendSyncStatus";

/** The date range picker, the Sync now button and the sync's status. */
export function RangeAndSync({ data }: { data: DashboardData }) {
  const navigation = useNavigation();
  const [start, setStart] = useState(data.range.start);
  const [end, setEnd] = useState(data.range.end);
  const syncing = navigation.state === "submitting" && navigation.formData?.get("intent") === "sync";
  return (
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
        <SpendSyncStatus data={data} />
      </BlockStack>
    </Card>
  );
}
