import { Banner, Text } from "@shopify/polaris";

/** The storefront's TikTok browser pixel is not the pixel this app sends purchases to (issue 13, item 6). */
export function PixelMismatchBanner({ storefront, selected }: { storefront: string[]; selected: string }) {
  const plural = storefront.length > 1;
  return (
    <Banner tone="warning" title="Confirm you selected the correct Pixel ID">
      <Text as="p">
        Your storefront loads the TikTok pixel{plural ? "s" : ""} {storefront.join(", ")}, but this app sends purchases to pixel {selected}. If{" "}
        {plural ? "one of those is" : "that is"} the pixel your ads optimise for, choose it in Settings.
      </Text>
    </Banner>
  );
}
