// Order sources (issue 13, item 8): POS and draft orders and subscription renewals are left out by
// default, each with its reason on the Events page; the Settings form switches them on.
import prisma from "~/core/db.server";
import { action as settingsAction } from "~/routes/app.settings";
import { TEST_SHOP } from "../support/constants";
import { adminRequest, call, seedOfflineSession } from "../support/requests";
import { connectShop, deliverOrder, demoOrder, resetOrderPipeline, startOrdersSandbox } from "../support/orders";

const { sandbox, control } = await startOrdersSandbox();
afterAll(() => sandbox.close());
beforeAll(() => seedOfflineSession(TEST_SHOP));
beforeEach(async () => {
  await resetOrderPipeline(control);
  await connectShop(TEST_SHOP, control, { sendMode: "all" });
});

let seq = 8_100_000;
async function order(over: Record<string, unknown>) {
  const orderId = String(++seq);
  const raw = JSON.parse(await demoOrder({ orderId: Number(orderId) }));
  await deliverOrder(TEST_SHOP, JSON.stringify({ ...raw, ...over }));
  return prisma.orderRecord.findUnique({ where: { shop_orderId: { shop: TEST_SHOP, orderId } }, include: { event: true } });
}
const save = (form: Record<string, string>) =>
  call(settingsAction, adminRequest("/app/settings", { shop: TEST_SHOP, form: { intent: "save", attributionWindowDays: "30", sendMode: "all", eventName: "CompletePayment", ...form } }));

describe("order sources", () => {
  it.each([
    ["a POS order", { source_name: "pos" }, /Point of sale order/],
    ["a draft order", { source_name: "shopify_draft_order" }, /Draft order created in the admin/],
    ["a subscription renewal", { tags: "vip, Subscription Recurring Order" }, /Subscription renewal \(tagged “Subscription Recurring Order”\)/],
  ])("leaves out %s by default, with the reason, and queues nothing", async (_name, over, reason) => {
    const record = await order(over);
    expect(record).toMatchObject({ sendDecision: "left_out", event: null });
    expect(record!.reason).toMatch(reason);
  });

  it("sends them once the merchant switches them on in Settings, and web orders always", async () => {
    expect((await save({ includePosAndDraft: "true", sendSubscriptionRenewals: "true" })).status).toBe(200);
    for (const over of [{ source_name: "pos" }, { source_name: "shopify_draft_order" }, { tags: "Subscription Recurring Order" }, { source_name: "web" }]) {
      expect(await order(over)).toMatchObject({ sendDecision: "queued", event: expect.objectContaining({ status: "queued" }) });
    }
  });

  it("keeps the order source settings when a form leaves them out, and refuses a value that is not true or false", async () => {
    await save({ includePosAndDraft: "true", sendSubscriptionRenewals: "false" });
    await save({});
    expect(await prisma.tikTokConnection.findUnique({ where: { shop: TEST_SHOP } })).toMatchObject({ includePosAndDraft: true, sendSubscriptionRenewals: false });
    const refused = await (await save({ includePosAndDraft: "yes" })).json();
    expect(refused.errors.includePosAndDraft).toEqual(expect.any(String));
    expect(await prisma.tikTokConnection.findUnique({ where: { shop: TEST_SHOP } })).toMatchObject({ includePosAndDraft: true });
  });
});
