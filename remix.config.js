// Which app gets built. `npm run build` (APP_BUILD unset) is what a store runs: only app/routes.
// APP_BUILD=demo adds the local demo's pages and the layout that stands in for the Shopify admin
// (npm run demo, the e2e suite); APP_BUILD=bench adds the benchmark's baseline route (npm run
// bench). Those builds go to their own folder under .builds/, so build/ never holds them.
export const BUILD_FLAVOURS = ["production", "demo", "bench"];

/** APP_BUILD, checked: a typo must not quietly produce a production build. */
export function buildFlavour(value = process.env.APP_BUILD) {
  const flavour = value || "production";
  if (!BUILD_FLAVOURS.includes(flavour)) throw new Error(`APP_BUILD must be one of ${BUILD_FLAVOURS.join(", ")} (got "${value}")`);
  return flavour;
}

/** Where a build's server bundle and browser assets go; remix-serve finds the assets through the bundle. */
export function buildOutput(flavour) {
  return flavour === "production"
    ? { serverBuildPath: "build/index.js", assetsBuildDirectory: "public/build" }
    : { serverBuildPath: `.builds/${flavour}/index.js`, assetsBuildDirectory: `.builds/${flavour}/public/build` };
}

/**
 * The routes a flavour adds to app/routes. Read at call time (not import time) so a test can ask
 * for each flavour's manifest in one process.
 */
export function extraRoutes(defineRoutes, flavour = buildFlavour()) {
  return defineRoutes((route) => {
    if (flavour === "demo") {
      // A pathless layout around the embedded app: outside the admin iframe it does what App Bridge
      // does there. It re-declares routes/app (same id and file) to sit above it; the pages under
      // /app keep routes/app as their parent.
      route(undefined, "demo-routes/outside-admin.tsx", () => {
        route("app", "routes/app.tsx", () => {
          route("demo", "demo-routes/app.demo.tsx");
        });
      });
    }
    if (flavour === "bench") route("bench/webhook-baseline", "bench-routes/webhook-baseline.tsx");
  });
}

const flavour = buildFlavour();

/** @type {import('@remix-run/dev').AppConfig} */
export default {
  ignoredRouteFiles: ["**/.*", "**/*.test.{ts,tsx}"],
  appDirectory: "app",
  ...buildOutput(flavour),
  publicPath: "/build/",
  routes: (defineRoutes) => extraRoutes(defineRoutes),
  serverModuleFormat: "esm",
  serverPlatform: "node",
  // The ESM server build drops JSON import attributes; bundle what imports JSON.
  serverDependenciesToBundle: [/^@shopify\/polaris\/locales\//],
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_lazyRouteDiscovery: true,
    v3_singleFetch: true,
  },
};
