// The production server's access log and build check (scripts/serve.mjs).
import http from "node:http";
import { createServer, loadContext, nonProductionRoutes, redactUrl, SECRET_PARAMS } from "../../scripts/serve.mjs";

describe("redactUrl", () => {
  it("replaces the value of every secret parameter, whatever its case, and keeps the rest", () => {
    const url = "/tiktok/callback?auth_code=ac-123&state=st-456&foo=bar&ID_TOKEN=eyJ.x.y&hmac=abc&signature=def&session=s1&code=c1&token=t1";
    const out = redactUrl(url);
    for (const secret of ["ac-123", "st-456", "eyJ.x.y", "abc", "def", "s1", "c1", "t1"]) expect(out).not.toContain(secret);
    expect(out).toContain("foo=bar");
    expect(out.startsWith("/tiktok/callback?")).toBe(true);
    expect(out.match(/\[redacted\]/g)).toHaveLength(8);
  });

  it("covers the parameters Shopify and TikTok put credentials in", () => {
    for (const key of ["auth_code", "state", "id_token", "hmac", "signature", "session"]) expect(SECRET_PARAMS).toContain(key);
  });

  it("redacts the TikTok start link's signature (issue 27 L4)", () => {
    const out = redactUrl("/tiktok/start?state=st-1&shop=a.myshopify.com&exp=1800000000&sig=c2lnLXZhbHVl");
    expect(out).not.toContain("c2lnLXZhbHVl");
    expect(out).toContain("sig=[redacted]");
    expect(out).toContain("exp=1800000000");
  });

  it("redacts the code of a TikTok grant awaiting confirmation (issue 27 M4)", () => {
    const out = redactUrl("/app/connect/confirm?grant=Z3JhbnQtY29kZQ&shop=a.myshopify.com");
    expect(out).not.toContain("Z3JhbnQtY29kZQ");
    expect(out).toContain("grant=[redacted]");
  });

  it("leaves a URL without a query alone", () => {
    expect(redactUrl("/app/events")).toBe("/app/events");
  });
});

describe("nonProductionRoutes", () => {
  it("names the demo and bench routes a build contains, and nothing in a production build", () => {
    const routes = (files: string[]) => ({ routes: Object.fromEntries(files.map((file, i) => [String(i), { id: String(i), file }])) });
    expect(nonProductionRoutes(routes(["root.tsx", "routes/app.tsx", "routes/app._index.tsx"]))).toEqual([]);
    expect(nonProductionRoutes(routes(["routes/app.tsx", "demo-routes/app.demo.tsx"]))).toEqual(["demo-routes/app.demo.tsx"]);
    expect(nonProductionRoutes(routes(["bench-routes/webhook-baseline.tsx"]))).toEqual(["bench-routes/webhook-baseline.tsx"]);
  });
});

describe("loadContext (issue 27 M1)", () => {
  it("hands the routes the connection's peer address, whatever X-Forwarded-For the client wrote", async () => {
    const server = createServer((req: http.IncomingMessage, res: http.ServerResponse) => res.end(JSON.stringify(loadContext(req))));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: "127.0.0.1", port, path: "/proxy/touchpoints", headers: { "X-Forwarded-For": "192.0.2.1" } }, (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () => resolve(text));
          })
          .on("error", reject);
      });
      expect(JSON.parse(body)).toEqual({ peerAddress: "127.0.0.1" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
