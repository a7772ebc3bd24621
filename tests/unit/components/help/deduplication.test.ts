// Help's "Counting each purchase once" as the server renders it: when the app knows of a browser
// pixel is said as the heartbeat works (only while the app embed is on; what it saw counts as long
// as the sentence says, which is checked against the reader the send horizon uses).
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { DeduplicationCard } from "~/components/help/DeduplicationCard";
import { readStorefrontPixels } from "~/core/attribution/touchpoints.server";

// The reader is pure; its module's database client is never used here.
vi.mock("~/core/db.server", () => ({ default: {}, isPostgres: () => false }));

const DAY = 24 * 60 * 60 * 1000;
const PIXEL = "CD9079RC77U0N3GBV16Y";

const text = () =>
  renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(DeduplicationCard, { eventName: "Purchase", recipe: "// recipe", pixelCode: "CPIXEL0000000000000" })))
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/\s+/g, " ");

it("says the app sees a browser pixel only while its embed is on, or when Settings says so", () => {
  expect(text()).toMatch(
    /The app knows of a browser pixel when your theme loads it while this app's embed is on in the theme \(the embed reports the TikTok pixels a page loaded, and what it saw counts for \d+ days\), or when you say so in Settings \(Browser pixel\)\./,
  );
});

it("a pixel the embed saw counts for exactly the days the sentence says, and not a millisecond more", () => {
  const days = Number(/what it saw counts for (\d+) days/.exec(text())![1]);
  const now = new Date("2030-03-12T10:00:00Z");
  const seen = (ageMs: number) => JSON.stringify({ [PIXEL]: new Date(now.getTime() - ageMs).toISOString() });
  expect(readStorefrontPixels(seen(days * DAY), now).map((p) => p.code)).toEqual([PIXEL]);
  expect(readStorefrontPixels(seen(days * DAY + 1), now)).toEqual([]);
});
