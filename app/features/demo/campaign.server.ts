import prisma from "~/core/db.server";

/** The shop's highest-spending synced campaign: the demo's visitor "clicked" one of its ads. */
export async function topSpendingCampaignId(shop: string): Promise<string | null> {
  const row = await prisma.spendRow.findFirst({ where: { shop, level: "campaign" }, orderBy: { spend: "desc" }, select: { entityId: true } });
  return row?.entityId ?? null;
}
