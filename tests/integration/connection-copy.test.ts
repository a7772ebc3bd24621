// Copy current for the state it is shown in (issue 26 item 7): the connection page says the last
// 30 days "are being imported now" only while the connection's backfill is queued or running.
import prisma from "~/core/db.server";
import * as sync from "~/features/spend/sync.server";
import { loader as doneLoader } from "~/routes/app.connect.done";
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
