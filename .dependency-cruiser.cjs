// Layer rules for app/ (docs/decisions/0013-layers.md). Imports point down only:
//   app/routes, app/components  ->  app/features/*  ->  app/core/*
// Run by `npm run lint` as `depcruise app`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A circle makes every module in it load, test and change together; split out the shared part instead.",
      from: { path: "^app/" },
      to: { circular: true },
    },
    {
      name: "core-stays-down",
      severity: "error",
      comment: "app/core is the bottom layer (TikTok client, session, attribution, models, lib, db, env, shopify): it must not know about features or UI.",
      from: { path: "^app/core/" },
      to: { path: "^app/(features|routes|components)/" },
    },
    {
      name: "core-shopify-door-on-top",
      severity: "error",
      comment: "Inside core, shopify.server.ts and webhook.server.ts (the Shopify app and its webhook door) sit on top: core's domain folders and foundation must not reach up to them.",
      from: { path: "^app/core/", pathNot: "^app/core/(shopify|webhook)\\.server\\.ts$" },
      to: { path: "^app/core/(shopify|webhook)\\.server\\.ts$" },
    },
    {
      name: "core-foundation-stays-down",
      severity: "error",
      comment: "core's foundation (env, db, db-errors, retry-policy, lib/) is what every domain folder (tiktok, connection, attribution, models) builds on: it must not import them.",
      from: { path: "^app/core/(lib/|env\\.server\\.ts$|db\\.server\\.ts$|db-errors\\.ts$|retry-policy\\.ts$)" },
      to: { path: "^app/core/(attribution|connection|models|tiktok)/" },
    },
    {
      name: "core-lib-is-the-floor",
      severity: "error",
      comment: "core/lib holds small helpers with no knowledge of the app: only other lib modules and the environment.",
      from: { path: "^app/core/lib/" },
      to: { path: "^app/core/", pathNot: "^app/core/(lib/|env\\.server\\.ts$)" },
    },
    {
      name: "demo-stays-in-the-demo",
      severity: "error",
      comment: "features/demo is the demo's and tests' stand-in world (a fake Shopify, seeded shops, simulated visitors). A production route or feature importing it would ship the stand-in; only the demo routes may.",
      from: { path: "^app/", pathNot: "^app/(features/demo|demo-routes)/" },
      to: { path: "^app/features/demo/" },
    },
    {
      name: "features-below-ui",
      severity: "error",
      comment: "Features are plain server/domain modules; routes and components call them, never the other way round.",
      from: { path: "^app/features/" },
      to: { path: "^app/(routes|components)/" },
    },
    {
      name: "components-below-routes",
      severity: "error",
      comment: "Components are UI pieces that routes compose; a component importing a route would pull its loader and action in.",
      from: { path: "^app/components/" },
      to: { path: "^app/routes/" },
    },
    {
      name: "app-not-on-tooling",
      severity: "error",
      comment: "The app ships alone: tests, scripts, bench and the TikTok sandbox are tools around it.",
      from: { path: "^app/" },
      to: { path: "^(tests|scripts|bench|sandbox)/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import the resolver cannot find means the ~/ alias or an extension is misconfigured, and the rules above would silently miss it.",
      from: { path: "^app/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: a type pulled upward still couples the layers.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    exclude: { path: "(^|/)(node_modules|build|public/build|\\.cache)/" },
    progress: { type: "none" },
  },
};
