import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "~/core/shopify.server";
import { env } from "~/core/env.server";
import { topSpendingAds } from "~/features/demo/campaign.server";
import { simulateVisitAndOrder } from "~/features/demo/simulate.server";
import { simulateBuyItNowViaPixel } from "~/features/demo/simulate-pixel.server";
import { titled } from "~/components/page-title";
import { ConnectionBanner } from "~/components/ConnectionBanner";

export const meta = titled("Demo panel");

// Only in the demo build (APP_BUILD=demo, see remix.config.js) and only with DEMO_MODE=1, which
// production refuses: it plays the shopper and Shopify so a newcomer can watch orders become
// TikTok events.
function requireDemo() {
  if (!env().DEMO_MODE) throw new Response("Not found", { status: 404 });
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  requireDemo();
  return null;
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  requireDemo();
  const form = await request.formData();
  const withClick = form.get("intent") !== "order-without-click";
  try {
    if (form.get("intent") === "buy-it-now-pixel") {
      const order = await simulateBuyItNowViaPixel({ appUrl: env().SHOPIFY_APP_URL, shop: session.shop, secret: env().SHOPIFY_API_SECRET });
      return { ok: true as const, message: `Buy it now order ${order.orderId} placed with no cart attributes; the web pixel saw TikTok ad click ${order.ttclid}.` };
    }
    const order = await simulateVisitAndOrder({
      appUrl: env().SHOPIFY_APP_URL,
      shop: session.shop,
      secret: env().SHOPIFY_API_SECRET,
      ...(await topSpendingAds(session.shop)),
      withClick,
    });
    return { ok: true as const, message: withClick ? `Order ${order.orderId} placed by a visitor who clicked TikTok ad click ${order.ttclid}.` : `Order ${order.orderId} placed without a TikTok click.` };
  } catch (error) {
    return { ok: false as const, message: error instanceof Error ? error.message : String(error) };
  }
};

export default function Demo() {
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  return (
    <Page title="Demo panel" subtitle="Only in the local demo: simulates the storefront and Shopify.">
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <ConnectionBanner />
            <Banner tone="info" title="This panel exists only in the demo">
              <p>It sends signed requests exactly as the storefront embed and Shopify would. The TikTok side is the local TikTok sandbox, not TikTok.</p>
            </Banner>
            {result ? <Banner tone={result.ok ? "success" : "critical"}><p>{result.message}</p></Banner> : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">Simulate a storefront visit and an order</Text>
                <Text as="p">A shopper lands from a TikTok ad (ttclid captured, touchpoint stored), then buys: Shopify sends orders/create. Watch it on the Events page; it is sent within seconds when TikTok is connected.</Text>
                <InlineStack gap="200">
                  <Form method="post">
                    <input type="hidden" name="intent" value="visit-and-order" />
                    <Button submit variant="primary" loading={navigation.state !== "idle"}>Simulate storefront visit and order</Button>
                  </Form>
                  <Form method="post">
                    <input type="hidden" name="intent" value="order-without-click" />
                    <Button submit>Order without a TikTok click</Button>
                  </Form>
                </InlineStack>
                <Text as="p">
                  Buy it now through the web pixel: the shopper lands from a TikTok ad and buys with Buy it now, so the order has no cart attributes; the
                  app's web pixel (its real code, in a stand-in for Shopify's pixel runtime) reports the click and the checkout.
                </Text>
                <InlineStack>
                  <Form method="post">
                    <input type="hidden" name="intent" value="buy-it-now-pixel" />
                    <Button submit>Buy it now (web pixel only)</Button>
                  </Form>
                </InlineStack>
                <InlineStack gap="300">
                  <Link to="/app/events">Events</Link>
                  <Link to="/app/dashboard">Dashboard</Link>
                </InlineStack>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
