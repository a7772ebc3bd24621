import { BlockStack, Card, Text } from "@shopify/polaris";
import { StatusHeading } from "~/components/StatusHeading";
import { formatInZone } from "~/components/format";

type PixelState = { activatedAt: string | null; lastError: string | null; lastBeaconAt: string | null } | null;

/** The app's web pixel beside the embed: whether Shopify has it on, and which of the two a merchant needs. */
export function WebPixelCard({ pixel, timeZone }: { pixel: PixelState; timeZone: string }) {
  const on = !!pixel?.activatedAt && !pixel.lastError;
  return (
    <Card>
      <BlockStack gap="200">
        <StatusHeading title="Web pixel" tone={on ? "success" : "attention"} status={on ? "On" : pixel?.lastError ? "Not switched on" : "Not set up yet"} />
        <Text as="p">
          The app switches its web pixel on by itself when you install and when you connect TikTok. Shopify runs it only for visitors who allowed
          tracking where your store asks for consent; for them it sees the TikTok click and the order id at checkout, including Buy it now and express
          buttons, so their orders are attributed even without the storefront embed.
        </Text>
        <Text as="p">
          Which do you need? The web pixel alone attributes orders. Switch on the storefront embed as well if you can: it also writes the click on the cart,
          which still works when the order's thank-you page fails to load, where the pixel's checkout step does not run.
        </Text>
        {pixel?.lastError ? <Text as="p" tone="critical">Shopify refused it: {pixel.lastError}. It is tried again each time you connect TikTok.</Text> : null}
        {pixel?.lastBeaconAt ? <Text as="p" tone="subdued">Last heard from the pixel {formatInZone(pixel.lastBeaconAt, timeZone)}.</Text> : null}
      </BlockStack>
    </Card>
  );
}
