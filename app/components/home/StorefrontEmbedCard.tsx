import { Form, useNavigation } from "@remix-run/react";
import { BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import { StatusHeading } from "~/components/StatusHeading";
import { formatInZone } from "~/components/format";

type Embed = {
  activateUrl: string;
  status: "on" | "off" | "unknown";
  checkedAt: string;
  checkError: string | null;
  seenHoursAgo: number | null;
  seenStale: boolean;
};

const STATUS = { on: { label: "On", tone: "success" }, off: { label: "Off", tone: "attention" }, unknown: { label: "Unknown", tone: undefined } } as const;

function hoursAgo(hours: number) {
  if (hours < 1) return "less than an hour ago";
  if (hours < 48) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/**
 * Whether the theme app embed is switched on in the published theme (read from the theme through
 * Shopify's Admin API, with when), whether it has run on the storefront lately (its heartbeat),
 * and the link to switch it on.
 */
export function StorefrontEmbedCard({ embed, timeZone }: { embed: Embed; timeZone: string }) {
  const checking = useNavigation().formData?.get("intent") === "check-embed";
  const status = STATUS[embed.status];
  const checked = formatInZone(embed.checkedAt, timeZone);
  return (
    <Card>
      <BlockStack gap="200">
        <StatusHeading title="Storefront embed" tone={status.tone} status={status.label} />
        <Text as="p">
          The embed keeps TikTok's click id (ttclid) when a shopper lands from an ad and passes it to the order. It does nothing until you switch it on in your theme.
        </Text>
        <Text as="p" tone="subdued">
          {embed.status === "unknown"
            ? `Could not check your published theme (${embed.checkError ?? "no answer"}); checked ${checked}.`
            : `${embed.status === "on" ? "On" : "Off"} in your published theme, checked ${checked}.`}
        </Text>
        <Text as="p" tone="subdued">
          {embed.seenHoursAgo === null
            ? "Not seen running on the storefront yet."
            : embed.seenStale
              ? `Not seen running on the storefront in the last 3 days (last seen ${hoursAgo(embed.seenHoursAgo)}).`
              : `Seen running on the storefront ${hoursAgo(embed.seenHoursAgo)}.`}{" "}
          It reports at most once a day per browser, and only from shoppers who allow tracking.
        </Text>
        <InlineStack gap="200">
          {embed.status !== "on" ? (
            <Button url={embed.activateUrl} target="_top">Turn on the app embed</Button>
          ) : null}
          <Form method="post">
            <input type="hidden" name="intent" value="check-embed" />
            <Button submit loading={checking}>Check again</Button>
          </Form>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}
