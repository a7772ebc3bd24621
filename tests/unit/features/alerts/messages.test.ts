import { INCIDENT_KINDS, renderAlert } from "~/features/alerts/messages";

const links = { app: (p: string) => `https://admin.shopify.com/store/s/apps/k${p}`, themeEditor: "https://s.myshopify.com/admin/themes/current/editor?context=apps&x=1" };
const hostile = '<script>alert("x")</script>&';

describe("alert messages", () => {
  it.each(INCIDENT_KINDS)("%s: start and end name the store, and the start says what it costs, what to do and where", (kind) => {
    const start = renderAlert({ shop: "s.myshopify.com", kind, phase: "start", detail: { held: 2, lastError: hostile }, startedAt: new Date("2026-12-07T10:00:00Z"), endedAt: null, links });
    expect(start.subject).toMatch(/^\[s\.myshopify\.com\] /);
    expect(start.text).toContain("Store: s.myshopify.com");
    expect(start.text).toMatch(/What it costs: \S/);
    expect(start.text).toMatch(/What to do: \S/);
    expect(start.text).toMatch(/: https:\/\/(admin\.shopify\.com\/store\/s\/apps\/k\/app|s\.myshopify\.com\/admin\/themes)/);
    const end = renderAlert({ shop: "s.myshopify.com", kind, phase: "end", detail: {}, startedAt: new Date("2026-12-07T10:00:00Z"), endedAt: new Date("2026-12-07T11:00:00Z"), links });
    expect(end.subject).toMatch(/^\[s\.myshopify\.com\] Resolved: /);
    expect(end.text).toContain("From 2026-12-07 10:00 UTC to 2026-12-07 11:00 UTC.");
  });

  it("escapes what comes from data in the HTML part, and links with an escaped href", () => {
    const m = renderAlert({
      shop: "s.myshopify.com",
      kind: "pixel_mismatch",
      phase: "start",
      detail: { storefrontPixels: [hostile], selectedPixel: "C1" },
      startedAt: new Date(),
      endedAt: null,
      links,
    });
    expect(m.html).not.toContain("<script>");
    expect(m.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;");
    expect(m.html).toContain('href="https://admin.shopify.com/store/s/apps/k/app/connect/pixel"');
    const embed = renderAlert({ shop: "s.myshopify.com", kind: "embed", phase: "start", detail: { embed: "off" }, startedAt: new Date(), endedAt: null, links });
    expect(embed.html).toContain('href="https://s.myshopify.com/admin/themes/current/editor?context=apps&amp;x=1"');
    // The plain text part is text: nothing to escape, and nothing added.
    expect(m.text).toContain(hostile);
  });
});
