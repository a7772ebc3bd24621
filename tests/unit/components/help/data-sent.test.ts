// Help's "Data sent to TikTok" panel as the server renders it: each field that follows a TikTok
// source names it, and the sources are listed with the file and commit they rest on.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { DataSentCard } from "~/components/help/DataSentCard";

const html = renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(DataSentCard, { eventName: "Purchase" })));
const plain = (h: string) => h.replace(/<[^>]+>/g, " ").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
const text = plain(html);
/** The table row of one field, as text. */
const row = (path: string) => html.split("</tr>").map(plain).find((r) => r.startsWith(`${path} `));

describe("Data sent to TikTok", () => {
  it.each(["user.zip_code", "user.state", "user.country", "user.locale", "properties.num_items", "limited_data_use", "user.first_name", "user.city"])("%s names TikTok's Segment destination as its source", (path) => {
    // Source 1 is TikTok's Events API destination for Segment.
    expect(row(path)).toMatch(/\(source 1\) /);
  });

  it("content_ids names TikTok's parameters page and the Segment destination", () => {
    expect(row("properties.content_ids[]")).toMatch(/The same ids as the lines' content_id.*\(source 1, 2\) /);
  });

  it("lists the sources with the file and commit", () => {
    expect(text).toContain("Sources");
    expect(text).toMatch(/segmentio\/action-destinations, packages\/destination-actions\/src\/destinations\/tiktok-conversions\/reportWebEvent\/, utils\.ts .* and formatter\.ts .* at commit 970a17ee/);
    expect(text).toContain("business-api.tiktok.com/portal/docs?id=1771101151059969");
    expect(text).toContain("ads.tiktok.com/help/article/event-deduplication");
  });
});
