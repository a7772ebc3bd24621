// Help's "Counting each purchase once" as the server renders it: when the app knows of a browser
// pixel is said as the heartbeat works (only while the app embed is on; what it saw counts 7 days).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { DeduplicationCard } from "~/components/help/DeduplicationCard";

it("says the app sees a browser pixel only while its embed is on, or when Settings says so", () => {
  const html = renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(DeduplicationCard, { eventName: "Purchase", recipe: "// recipe", pixelCode: "CPIXEL0000000000000" })));
  const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;|&#39;/g, "'").replace(/\s+/g, " ");
  expect(text).toContain(
    "The app knows of a browser pixel when your theme loads it while this app's embed is on in the theme (the embed reports the TikTok pixels a page loaded, and what it saw counts for 7 days), or when you say so in Settings (Browser pixel).",
  );
});
