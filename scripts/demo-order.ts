// `npm run demo:order`: a TikTok ad visit and an order for the running demo (npm run demo).
import { DEV_ONLY_VALUES } from "../app/core/env.server";
import { simulateVisitAndOrder } from "../app/features/demo/simulate.server";

const appUrl = process.env.APP_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const shop = process.env.DEMO_SHOP ?? "demo-store.myshopify.com";
const secret = process.env.SHOPIFY_API_SECRET ?? DEV_ONLY_VALUES.SHOPIFY_API_SECRET;

simulateVisitAndOrder({ appUrl, shop, secret })
  .then((o) => console.log(`order ${o.orderId} sent for visitor ${o.visitorId} with ttclid ${o.ttclid}`))
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
