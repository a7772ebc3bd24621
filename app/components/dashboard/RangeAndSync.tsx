import { useEffect, useState } from "react";
import { Form, useNavigation, useSubmit } from "@remix-run/react";
import { BlockStack, Button, Card, InlineError, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import type { DashboardData } from "~/features/spend/dashboard.server";
import { SpendSyncStatus } from "./SpendSyncStatus";

const PRESETS = [
  { label: "Today", value: "today" },
  { label: "Yesterday", value: "yesterday" },
  { label: "Last 7 days", value: "last7" },
  { label: "Last 30 days", value: "last30" },
  { label: "Last 90 days", value: "last90" },
  { label: "Custom", value: "custom" },
];

/** The date range picker (presets as in Shopify admin, or custom dates), the Sync now button and the sync's status. */
export function RangeAndSync({ data }: { data: DashboardData }) {
  const navigation = useNavigation();
  const submit = useSubmit();
  const [preset, setPreset] = useState<string>(data.preset);
  useEffect(() => setPreset(data.preset), [data.preset]);
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
          <InlineStack gap="200" blockAlign="end">
            <Select
              label="Date range"
              options={PRESETS}
              value={preset}
              onChange={(value) => {
                setPreset(value);
                if (value !== "custom") submit({ preset: value }, { method: "get" });
              }}
            />
            <Form method="get">
              <InlineStack gap="200" blockAlign="end">
                <TextField id="range-start" label="From" type="date" name="start" value={start} onChange={(v) => { setStart(v); setPreset("custom"); }} autoComplete="off" error={Boolean(data.rangeError)} />
                <TextField label="To" type="date" name="end" value={end} onChange={(v) => { setEnd(v); setPreset("custom"); }} autoComplete="off" />
                <Button submit>Apply</Button>
              </InlineStack>
            </Form>
          </InlineStack>
          <Form method="post">
            <input type="hidden" name="intent" value="sync" />
            <Button submit variant="primary" loading={syncing}>
              Sync now
            </Button>
          </Form>
        </InlineStack>
        {data.rangeError ? <InlineError fieldID="range-start" message={data.rangeError} /> : null}
        <Text as="p" variant="bodySm" tone="subdued">
          Days are the store&apos;s ({data.revenueTimezone}); each day&apos;s spend is what TikTok reports for that date in the ad account&apos;s zone ({data.accountTimezone}). The cards compare each figure with the same number of days just before.
        </Text>
        <SpendSyncStatus data={data} />
      </BlockStack>
    </Card>
  );
}
