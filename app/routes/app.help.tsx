import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Layout, Page } from "@shopify/polaris";
import { authenticate } from "~/core/shopify.server";
import { env } from "~/core/env.server";
import { getConnection, publicConnection } from "~/core/connection/session.server";
import { customPixelRecipe } from "~/features/events/pixel-recipe";
import { DataSentCard } from "~/components/help/DataSentCard";
import { DeduplicationCard } from "~/components/help/DeduplicationCard";
import { SupportCard } from "~/components/help/SupportCard";
import { titled } from "~/components/page-title";

export const meta = titled("Help");

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const connection = publicConnection(await getConnection(session.shop));
  // Before a connection exists the recipe shows what a new connection sends.
  const eventName = connection.status === "not_connected" ? "Purchase" : connection.eventName;
  return {
    eventName,
    pixelCode: connection.pixelCode,
    recipe: customPixelRecipe(eventName, connection.contentIdType),
    supportEmail: env().SUPPORT_EMAIL ?? null,
    docsUrl: env().DOCS_URL ?? null,
  };
};

export default function Help() {
  const { eventName, pixelCode, recipe, supportEmail, docsUrl } = useLoaderData<typeof loader>();
  return (
    <Page title="Help" backAction={{ content: "Home", url: "/app" }}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {/* The setup guide's browser pixel step links here. */}
            <div id="deduplication">
              <DeduplicationCard eventName={eventName} recipe={recipe} pixelCode={pixelCode} />
            </div>
            <DataSentCard eventName={eventName} />
            <SupportCard supportEmail={supportEmail} docsUrl={docsUrl} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
