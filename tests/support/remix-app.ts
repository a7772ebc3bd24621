// The production route manifest served in process by Remix's own request handler, as the built
// server serves it: the route for a URL and method, resource routes against document routes, the
// 404 page, and app/entry.server.tsx's document headers all come from Remix and the app's modules,
// not from calling a loader by hand. Only the browser assets are stand-ins (nothing loads them).
import path from "node:path";
import { readConfig } from "@remix-run/dev/dist/config.js";
import { ServerMode } from "@remix-run/dev/dist/config/serverModes.js";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";

type ConfigRoute = { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean; file: string };

const root = path.resolve(__dirname, "../..");

export async function productionApp(): Promise<(request: Request) => Promise<Response>> {
  const saved = process.env.APP_BUILD;
  delete process.env.APP_BUILD;
  const config = await readConfig(root, ServerMode.Production).finally(() => {
    if (saved !== undefined) process.env.APP_BUILD = saved;
  });
  const routes: ServerBuild["routes"] = {};
  const assetRoutes: ServerBuild["assets"]["routes"] = {};
  for (const r of Object.values(config.routes as Record<string, ConfigRoute>)) {
    const module = await import(path.join(root, "app", r.file));
    routes[r.id] = { id: r.id, parentId: r.parentId, path: r.path, index: r.index, caseSensitive: r.caseSensitive, module };
    assetRoutes[r.id] = {
      id: r.id,
      parentId: r.parentId,
      path: r.path,
      index: r.index,
      caseSensitive: r.caseSensitive,
      module: `/build/${r.id}.js`,
      hasAction: "action" in module,
      hasLoader: "loader" in module,
      hasClientAction: false,
      hasClientLoader: false,
      hasErrorBoundary: "ErrorBoundary" in module,
    };
  }
  const build: ServerBuild = {
    mode: "production",
    entry: { module: await import(path.join(root, "app/entry.server.tsx")) },
    routes,
    assets: { entry: { module: "/build/entry.client.js", imports: [] }, routes: assetRoutes, url: "/build/manifest.js", version: "test" },
    publicPath: "/build/",
    assetsBuildDirectory: path.join(root, "public/build"),
    future: config.future,
    isSpaMode: false,
  };
  return createRequestHandler(build, "production");
}
