import { useEffect, useState } from "react";
import { Form, useNavigation } from "@remix-run/react";
import { BlockStack, Button, Card, InlineError, InlineStack, TextField } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { SpendSyncStatus } from "./SpendSyncStatus";

/** The date range picker, the Sync now button and the sync's status. */
export function RangeAndSync({ data }: { data: DashboardData }) {
  const navigation = useNavigation();
  const [start, setStart] = useState(data.range.start);
  const [end, setEnd] = useState(data.range.end);
  // The inputs show the range the figures are for: after a rejected range, the one used instead.
  useEffect(() => {
    setStart(data.range.start);
    setEnd(data.range.end);
  }, [data.range.start, data.range.end, data.rangeError]);
  const syncing = navigation.state === "submitting" && navigation.formData?.get("intent") === "sync";
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="end" gap="400">
          <Form method="get">
            <InlineStack gap="200" blockAlign="end">
              <TextField id="range-start" label="From" type="date" name="start" value={start} onChange={setStart} autoComplete="off" error={Boolean(data.rangeError)} />
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
        {data.rangeError ? <InlineError fieldID="range-start" message={data.rangeError} /> : null}
        <SpendSyncStatus data={data} />
      </BlockStack>
    </Card>
  );
}
