import { BlockStack, Banner, Link, List, Text } from "@shopify/polaris";
import type { HomeStatus } from "~/features/alerts/status.server";

const external = (url: string) => url.startsWith("http");

/** Home's first line: everything works, or the one thing that is wrong and where to fix it; then the others. */
export function StatusLine({ status }: { status: HomeStatus }) {
  return (
    <Banner
      tone={status.tone}
      title={status.headline}
      action={status.action ? { content: status.action.label, url: status.action.url, ...(external(status.action.url) ? { target: "_blank" as const } : {}) } : undefined}
    >
      {status.also.length ? (
        <BlockStack gap="100">
          <Text as="p">{status.also.length === 1 ? "Also wrong:" : `Also wrong (${status.also.length}):`}</Text>
          <List>
            {status.also.map((a) => (
              <List.Item key={a.headline}>
                {a.headline}{" "}
                <Link url={a.action.url} target={external(a.action.url) ? "_blank" : undefined}>
                  {a.action.label}
                </Link>
              </List.Item>
            ))}
          </List>
        </BlockStack>
      ) : null}
    </Banner>
  );
}
