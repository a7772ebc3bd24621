// Issue 27 M1, M3 (and M2 below): the storefront limits count the real visitor on each path.
// The web pixel calls the app's own URL (visitor → our load balancer → app); the theme embed comes
// through Shopify's app proxy (visitor → Shopify → our load balancer → app), one hop more. The peer
// address is what scripts/serve.mjs hands the routes as load context. The limits live as long as the
// route module, so each test uses addresses of its own.
import { TEST_SHOP } from "../support/constants";
import { APP_URL, appProxyRequest, seedOfflineSession } from "../support/requests";

const CAP = 300;
const { default: prisma } = await import("~/core/db.server");
const { env } = await import("~/core/env.server");
const { action } = await import("~/routes/proxy.touchpoints");
const { adminApiClient } = await import("~/core/shopify.server");
const { activateWebPixel } = await import("~/core/models/web-pixel.server");
const { startAdminDouble } = await import("~/features/demo/admin-double.server");

const shopify = await startAdminDouble({ port: 0, appUrl: APP_URL, apiKey: "k", apiSecret: process.env.SHOPIFY_API_SECRET!, shop: TEST_SHOP });
afterAll(() => shopify.close());

let seq = 0;
const touchpoint = () => {
  seq++;
  return JSON.stringify({ v: 1, visitor_id: `tta1.${String(seq).padStart(22, "0")}`, ttclid: `E.C.P.limits-${seq}`, captured_at: Date.now(), landing_path: "/" });
};
const token = () => (JSON.parse(shopify.pixels.get(TEST_SHOP)!.settings) as { token: string }).token;

/** A web pixel touchpoint as it reaches the app: X-Forwarded-For as sent and appended, the TCP peer. */
function pixelTouchpoint(forwardedFor: string | null, peerAddress: string) {
  const headers: Record<string, string> = { "Content-Type": "text/plain" };
  if (forwardedFor) headers["X-Forwarded-For"] = forwardedFor;
  const request = new Request(`${APP_URL}/proxy/touchpoints?shop=${TEST_SHOP}&t=${token()}`, { method: "POST", headers, body: touchpoint() });
  return send(request, peerAddress);
}

async function send(request: Request, peerAddress: string) {
  try {
    return (await action({ request, params: {}, context: { peerAddress } })) as Response;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function statuses(n: number, one: (i: number) => Promise<Response>) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await one(i)).status);
  return { accepted: out.filter((s) => s === 202).length, limited: out.filter((s) => s === 429).length };
}

const hops = (n: number) => {
  env().TRUSTED_PROXY_HOPS = n;
};

beforeAll(async () => {
  await seedOfflineSession(TEST_SHOP);
  expect(await activateWebPixel(TEST_SHOP, adminApiClient(shopify.url, TEST_SHOP, "shpat_test"))).toBe(true);
});
beforeEach(async () => {
  await prisma.touchpoint.deleteMany();
  await prisma.touchpointDay.deleteMany();
  await prisma.proxySignature.deleteMany();
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => {
  hops(0);
  vi.restoreAllMocks();
});

describe("M1: the web pixel path counts one hop fewer than the app proxy", () => {
  it("reached directly, a pixel client rotating X-Forwarded-For is one visitor (30 a minute), keyed on the TCP peer", async () => {
    const r = await statuses(60, (i) => pixelTouchpoint(`192.0.2.${i}`, "203.0.113.9"));
    expect(r).toEqual({ accepted: 30, limited: 30 });
  });

  it("behind one load balancer (TRUSTED_PROXY_HOPS=1), the entry the balancer appended is the visitor, not the client's own", async () => {
    hops(1);
    const r = await statuses(60, (i) => pixelTouchpoint(`192.0.2.${i}, 203.0.113.10`, "10.0.0.2"));
    expect(r).toEqual({ accepted: 30, limited: 30 });
    // and distinct visitors behind that balancer are distinct
    const many = await statuses(40, (i) => pixelTouchpoint(`198.51.100.${i + 1}`, "10.0.0.2"));
    expect(many).toEqual({ accepted: 40, limited: 0 });
  });

  it("behind one load balancer, app-proxy visitors are told apart by the entry Shopify appended (40 of 40)", async () => {
    hops(1);
    const r = await statuses(40, (i) =>
      send(appProxyRequest({ shop: TEST_SHOP, body: touchpoint(), forwardedFor: `198.51.100.${i + 1}, 192.0.2.250` }), "10.0.0.2"),
    );
    expect(r).toEqual({ accepted: 40, limited: 0 });
    // and one of them rotating its own prefix is still one visitor
    const rotating = await statuses(40, (i) =>
      send(appProxyRequest({ shop: TEST_SHOP, body: touchpoint(), forwardedFor: `192.0.2.${i}, 203.0.113.77, 192.0.2.250` }), "10.0.0.2"),
    );
    expect(rotating).toEqual({ accepted: 30, limited: 10 });
  });
});

describe("M3: IPv6 senders are keyed by their /64", () => {
  it("60 addresses inside one /64 share one limit (30 a minute); another /64 has its own", async () => {
    const r = await statuses(60, (i) => send(appProxyRequest({ shop: TEST_SHOP, body: touchpoint(), forwardedFor: `2001:db8:1:2::${(i + 1).toString(16)}` }), "192.0.2.250"));
    expect(r).toEqual({ accepted: 30, limited: 30 });
    const other = await send(appProxyRequest({ shop: TEST_SHOP, body: touchpoint(), forwardedFor: "2001:db8:1:3::1" }), "192.0.2.250");
    expect(other.status).toBe(202);
  });

  it("an IPv4 visitor seen as IPv4-mapped IPv6 on a dual-stack socket is the same visitor", async () => {
    const r = await statuses(40, (i) => pixelTouchpoint(null, i % 2 ? "203.0.113.12" : "::ffff:203.0.113.12"));
    expect(r).toEqual({ accepted: 30, limited: 10 });
  });
});

describe("M2: one sender cannot use up the shop's daily click cap", () => {
  beforeEach(() => {
    env().TOUCHPOINT_DAILY_CAP = CAP;
  });
  afterEach(() => {
    env().TOUCHPOINT_DAILY_CAP = 50_000;
  });

  it(`one machine's 350 pixel touchpoints store its 1% share (${CAP / 100}); the shop's next genuine signed click is stored and Home shows no cap`, async () => {
    const { touchpointCapNotice } = await import("~/core/attribution/touchpoints.server");
    // Minutes apart as far as the per-minute limit is concerned: only the daily share is under test.
    let at = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => (at += 3_000));
    const flood = await statuses(350, (i) => pixelTouchpoint(`192.0.2.${i % 250}`, "203.0.113.40"));
    expect(flood).toEqual({ accepted: CAP / 100, limited: 350 - CAP / 100 });
    const genuine = await send(appProxyRequest({ shop: TEST_SHOP, body: touchpoint(), forwardedFor: "198.51.100.200" }), "192.0.2.250");
    expect(genuine.status).toBe(202);
    expect(await prisma.touchpoint.count()).toBe(CAP / 100 + 1);
    expect(await touchpointCapNotice(TEST_SHOP)).toBeNull();
  });

  it("senders within their share still fill the cap together, and then the cap refuses (429) and is reported", async () => {
    const { touchpointCapNotice } = await import("~/core/attribution/touchpoints.server");
    const r = await statuses(CAP + 3, (i) => send(appProxyRequest({ shop: TEST_SHOP, body: touchpoint(), forwardedFor: `2001:db8:77:${i.toString(16)}::1` }), "192.0.2.250"));
    expect(r).toEqual({ accepted: CAP, limited: 3 });
    expect(await touchpointCapNotice(TEST_SHOP)).not.toBeNull();
  });
});
