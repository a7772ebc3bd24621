// Help links the README's sections (issue 26 item 2) at the address the app was deployed with
// (DOCS_URL), and says so when there is none, as the Help page renders them.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";

const README = "https://docs.example.com/tiktok-ads/README.md";

/** The Help page's loader and support card with DOCS_URL as given, read fresh (the environment is read once per process). */
async function helpPage(docsUrl: string | undefined) {
  vi.resetModules();
  if (docsUrl === undefined) delete process.env.DOCS_URL;
  else process.env.DOCS_URL = docsUrl;
  const { loader } = await import("~/routes/app.help");
  const { SupportCard } = await import("~/components/help/SupportCard");
  await seedOfflineSession(TEST_SHOP);
  const data = (await (await call(loader, adminRequest("/app/help", { shop: TEST_SHOP }))).json()) as { supportEmail: string | null; docsUrl: string | null };
  const html = renderToStaticMarkup(createElement(AppProvider, { i18n: en }, createElement(SupportCard, { supportEmail: data.supportEmail, docsUrl: data.docsUrl })));
  return { data, html };
}

afterEach(() => {
  delete process.env.DOCS_URL;
  vi.resetModules();
});

it("links the README's sections at DOCS_URL", async () => {
  const { data, html } = await helpPage(README);
  expect(data.docsUrl).toBe(README);
  const links = [...html.matchAll(/<a [^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[2], m[1]]).filter(([, href]) => href.startsWith("https://"));
  expect(links).toEqual([
    ["What the app does", README],
    ["Privacy and retention", `${README}#privacy-and-retention`],
    ["What is tested, and how", `${README}#claims-and-the-commands-behind-them`],
    ["Screens", `${README}#screens`],
  ]);
  expect(html).not.toContain("No documentation link is configured");
});

it("says no documentation link is configured when DOCS_URL is unset", async () => {
  const { data, html } = await helpPage(undefined);
  expect(data.docsUrl).toBeNull();
  expect(html).toContain("No documentation link is configured for this installation of the app.");
  expect(html).not.toMatch(/href="https:/);
});

it("each anchor is a section of this README", async () => {
  const { readFile } = await import("node:fs/promises");
  const headings = (await readFile("README.md", "utf8")).split("\n").filter((l) => l.startsWith("## ")).map((l) => `#${l.slice(3).trim().toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-")}`);
  const { html } = await helpPage(README);
  const anchors = [...html.matchAll(/href="https:\/\/docs\.example\.com\/tiktok-ads\/README\.md(#[^"]+)"/g)].map((m) => m[1]);
  expect(anchors).toHaveLength(3);
  for (const anchor of anchors) expect(headings).toContain(anchor);
});
