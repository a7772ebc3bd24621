import { Banner, Text } from "@shopify/polaris";
import type { HomeStatus } from "~/features/alerts/status.server";

/** Home's first line: everything works, or the one thing that is wrong and where to fix it. */
export function StatusLine({ status }: { status: HomeStatus }) {
  const external = status.action?.url.startsWith("http");
  return (
    <Banner
      tone={status.tone}
      title={status.headline}
      action={status.action ? { content: status.action.label, url: status.action.url, ...(external ? { target: "_blank" as const } : {}) } : undefined}
    >
      {status.more > 0 ? <Text as="p">{status.more === 1 ? "One more problem is shown below." : `${status.more} more problems are shown below.`}</Text> : null}
    </Banner>
  );
}
