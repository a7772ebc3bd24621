import prisma from "~/core/db.server";

/**
 * The shop's highest-spending synced campaign and its highest-spending ad group: the demo's
 * visitor "clicked" one of their ads, through a URL with the campaign and ad group macros.
 */
export async function topSpendingAds(shop: string): Promise<{ campaignId: string | null; adgroupId: string | null }> {
  const campaign = await prisma.spendRow.findFirst({ where: { shop, level: "campaign" }, orderBy: { spend: "desc" }, select: { entityId: true } });
  if (!campaign) return { campaignId: null, adgroupId: null };
  const adgroup = await prisma.spendRow.findFirst({
    where: { shop, level: "adgroup", campaignId: campaign.entityId },
    orderBy: { spend: "desc" },
    select: { entityId: true },
  });
  return { campaignId: campaign.entityId, adgroupId: adgroup?.entityId ?? null };
}
