// Copy current for the state it is shown in (issue 26 item 7): the connection page says the last
// 30 days "are being imported now" only while the connection's backfill is queued or running.
import prisma from "~/core/db.server";
import * as sync from "~/features/spend/sync.server";
import { loader as doneLoader } from "~/routes/app.connect.done";
import { refreshCadenceText } from "~/components/dashboard/SpendSyncStatus";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());

it("says the backfill is running while it is, and not a month later", async () => {
  await seedOfflineSession(TEST_SHOP);
  await prisma.syncRun.deleteMany({ where: { shop: TEST_SHOP } });
  await connectShop(TEST_SHOP, control);
  const page = async () => (await (await call(doneLoader, adminRequest("/app/connect/done", { shop: TEST_SHOP }))).json()) as { backfilling: boolean };
  expect((await page()).backfilling).toBe(false);
  // Connecting queues the backfill (what the wizard's Save does).
  await sync.requestSpendSync(TEST_SHOP, "backfill");
  expect((await page()).backfilling).toBe(true);
  const { runs } = await sync.runDueSyncs({ now: new Date() });
  expect(runs.map((r) => r.status)).toEqual(["done"]);
  expect((await page()).backfilling).toBe(false);
});

it("says how often spend is refreshed by the account's real cadence, not 'every hour' for an account without spend", async () => {
  await seedOfflineSession(TEST_SHOP);
  await prisma.syncRun.deleteMany({ where: { shop: TEST_SHOP } });
  await prisma.spendRow.deleteMany({ where: { shop: TEST_SHOP } });
  await connectShop(TEST_SHOP, control);
  await sync.requestSpendSync(TEST_SHOP, "backfill");
  await sync.runDueSyncs({ now: new Date() });
  const cadence = async () => ((await (await call(doneLoader, adminRequest("/app/connect/done", { shop: TEST_SHOP }))).json()) as { cadence: string | null }).cadence;
  // The sandbox's account spent: refreshed every hour, as the scheduler does.
  expect(await cadence()).toBe("hourly");
  // An account with no spend in the last 7 days is refreshed once a day, and the page says so.
  await prisma.spendRow.deleteMany({ where: { shop: TEST_SHOP } });
  expect(await cadence()).toBe("daily");
  expect((await sync.refreshSchedule(TEST_SHOP, new Date()))!.cadence).toBe("daily");
  expect(refreshCadenceText("daily")).toBe("refreshed once a day while the account has no spend in the last 7 days, and every hour once it has");
  expect(refreshCadenceText("hourly")).toBe("refreshed every hour while the account has spend in the last 7 days");
});
