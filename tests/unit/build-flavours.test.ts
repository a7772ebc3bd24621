// What each build serves, from the same route manifest the Remix compiler builds from: the
// production build (`npm run build`) has no demo, bench or admin stand-in code.
import path from "node:path";
import { readConfig } from "@remix-run/dev/dist/config.js";
import { ServerMode } from "@remix-run/dev/dist/config/serverModes.js";
import { buildFlavour, buildOutput } from "../../remix.config.js";

type Route = { id: string; parentId?: string; path?: string; file: string };

async function manifest(flavour: string | undefined): Promise<Route[]> {
  const saved = process.env.APP_BUILD;
  if (flavour === undefined) delete process.env.APP_BUILD;
  else process.env.APP_BUILD = flavour;
  try {
    const config = await readConfig(path.resolve(__dirname, "../.."), ServerMode.Production);
    return Object.values(config.routes as Record<string, Route>);
  } finally {
    if (saved === undefined) delete process.env.APP_BUILD;
    else process.env.APP_BUILD = saved;
  }
}

const outsideAppRoutes = (routes: Route[]) => routes.filter((r) => !r.file.startsWith("routes/") && r.file !== "root.tsx");
const paths = (routes: Route[]) => routes.map((r) => r.path).filter(Boolean);

describe("build flavours", () => {
  it("the production build has only app/routes: no demo panel, bench route or admin stand-in layout", async () => {
    const routes = await manifest(undefined);
    expect(outsideAppRoutes(routes)).toEqual([]);
    expect(paths(routes)).not.toContain("demo");
    expect(paths(routes)).not.toContain("bench/webhook-baseline");
    expect(routes.find((r) => r.id === "routes/app")?.parentId).toBe("root");
    expect(routes.some((r) => r.path === "webhooks/orders/create")).toBe(true);
  });

  it("the demo build adds the demo panel under /app and the admin stand-in layout above it", async () => {
    const routes = await manifest("demo");
    expect(outsideAppRoutes(routes).map((r) => r.file).sort()).toEqual(["demo-routes/app.demo.tsx", "demo-routes/outside-admin.tsx"]);
    const byId = Object.fromEntries(routes.map((r) => [r.id, r]));
    expect(byId["demo-routes/app.demo"]).toMatchObject({ path: "demo", parentId: "routes/app" });
    expect(byId["routes/app"]).toMatchObject({ path: "app", file: "routes/app.tsx", parentId: "demo-routes/outside-admin" });
    expect(byId["demo-routes/outside-admin"]).toMatchObject({ parentId: "root", path: undefined });
    // Every production page is still there, under the same parent.
    const production = await manifest(undefined);
    for (const route of production) expect(byId[route.id]?.file, route.id).toBe(route.file);
    expect(byId["routes/app.events"].parentId).toBe("routes/app");
  });

  it("the bench build adds only the HMAC baseline route", async () => {
    const routes = await manifest("bench");
    expect(outsideAppRoutes(routes)).toEqual([expect.objectContaining({ path: "bench/webhook-baseline", parentId: "root" })]);
  });

  it("non-production builds go to their own folder, and a misspelt APP_BUILD is refused", () => {
    expect(buildOutput(buildFlavour(undefined))).toEqual({ serverBuildPath: "build/index.js", assetsBuildDirectory: "public/build" });
    expect(buildOutput("demo").serverBuildPath).not.toMatch(/^build\//);
    expect(buildOutput("demo").assetsBuildDirectory).not.toMatch(/^public\//);
    expect(() => buildFlavour("demoo")).toThrow(/APP_BUILD must be one of/);
  });
});
