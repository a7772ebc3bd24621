import { Form, useNavigation, useRouteLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, InlineStack } from "@shopify/polaris";
import type { publicConnection } from "~/core/connection/session.server";
import { HELD_EVENTS_EXCEPT } from "~/features/events/horizon-text";

type Connection = ReturnType<typeof publicConnection>;
/** What the app layout (routes/app.tsx) loads for every page below it. */
export type AppLayoutData = { apiKey: string; connection: Connection };

/** What stops while TikTok is not connected, for each state; null when connected. */
function connectionNotice(c: Pick<Connection, "status" | "lastAuthError">) {
  switch (c.status) {
    case "connected":
      return null;
    case "needs_reconnect":
      return {
        title: "TikTok needs to be reconnected",
        body: `TikTok stopped accepting this app's access${c.lastAuthError ? ` (${c.lastAuthError.replace(/\.$/, "")})` : ""}. New orders' events are held and sent when you reconnect, ${HELD_EVENTS_EXCEPT}; spend sync is paused until you reconnect.`,
        action: "Reconnect",
      };
    case "pending":
      return { title: "TikTok setup is not finished", body: "Choose the ad account and pixel. Nothing is sent to TikTok until then.", action: "Continue setup" };
    case "disconnected":
      return {
        title: "TikTok is disconnected",
        body: "No orders are sent to TikTok and spend is not imported. What was sent and imported before stays here.",
        action: "Connect TikTok",
      };
    default:
      return { title: "TikTok is not connected", body: "Connect a TikTok ad account to send orders to TikTok and see spend.", action: "Connect TikTok" };
  }
}

/**
 * The connection's state at the top of a page, with the action that fixes it. Reconnect starts
 * TikTok's consent at once (the same form as the wizard's first step); the others open the wizard.
 */
export function ConnectionBanner() {
  const data = useRouteLoaderData("routes/app") as AppLayoutData | undefined;
  const navigation = useNavigation();
  if (!data) return null;
  const notice = connectionNotice(data.connection);
  if (!notice) return null;
  return (
    <Banner tone={data.connection.status === "needs_reconnect" ? "critical" : "warning"} title={notice.title}>
      <BlockStack gap="200">
        <p>{notice.body}</p>
        <InlineStack>
          {data.connection.status === "needs_reconnect" ? (
            <Form method="post" action="/app/connect">
              <Button submit loading={navigation.state === "submitting" && navigation.formAction === "/app/connect"}>{notice.action}</Button>
            </Form>
          ) : (
            <Button url="/app/connect">{notice.action}</Button>
          )}
        </InlineStack>
      </BlockStack>
    </Banner>
  );
}
