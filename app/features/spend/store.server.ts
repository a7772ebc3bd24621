// Writes report rows into SpendRow, keyed by (shop, level, entityId, date). A row whose numbers
// did not change is not written at all, so a second sync of the same days changes nothing
// (not even updatedAt), and a restated day updates exactly the rows TikTok restated.
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import type { SpendLevel, SpendReportRow } from "~/core/tiktok/spend-report";

export type { SpendLevel };

type SpendValues = {
  entityId: string;
  campaignId: string | null;
  name: string | null;
  date: string;
  spend: Prisma.Decimal;
  impressions: number;
  clicks: number;
  conversions: number | null;
  conversionValue: Prisma.Decimal | null;
  purchases: number | null;
  purchaseValue: Prisma.Decimal | null;
  viewPurchases: number | null;
  viewPurchaseValue: Prisma.Decimal | null;
  currency: string;
};

const decimalOrNull = (v: string | null) => (v === null ? null : new Prisma.Decimal(v));

/** One report row as the values we store. `accountCurrency` applies when the row names none. */
export function spendValues(level: SpendLevel, row: SpendReportRow, accountCurrency: string): SpendValues {
  return {
    // spendReport guarantees the id of the row's own level.
    entityId: (level === "campaign" ? row.campaignId : row.adgroupId)!,
    campaignId: row.campaignId,
    name: level === "campaign" ? row.campaignName : row.adgroupName,
    date: row.day,
    spend: new Prisma.Decimal(row.spend ?? 0),
    impressions: row.impressions ?? 0,
    clicks: row.clicks ?? 0,
    conversions: row.conversions,
    // The generic "conversion" has no value metric; TikTok's purchase value is purchaseValue.
    conversionValue: null,
    purchases: row.purchases,
    purchaseValue: decimalOrNull(row.purchaseValue),
    viewPurchases: row.viewPurchases,
    viewPurchaseValue: decimalOrNull(row.viewPurchaseValue),
    // The report's own currency attribute wins: it is what the spend figure is in.
    currency: row.currency ?? accountCurrency,
  };
}

const sameDecimal = (a: Prisma.Decimal | null, b: Prisma.Decimal | null) => (a === null || b === null ? a === b : a.equals(b));

type Existing = Prisma.SpendRowGetPayload<{
  select: { id: true; entityId: true; date: true; campaignId: true; name: true; spend: true; impressions: true; clicks: true; conversions: true; conversionValue: true; purchases: true; purchaseValue: true; viewPurchases: true; viewPurchaseValue: true; currency: true; timezone: true; advertiserId: true };
}>;

function unchanged(e: Existing, v: SpendValues, advertiserId: string, timezone: string) {
  return (
    e.advertiserId === advertiserId &&
    e.timezone === timezone &&
    e.currency === v.currency &&
    e.campaignId === v.campaignId &&
    e.name === v.name &&
    e.impressions === v.impressions &&
    e.clicks === v.clicks &&
    e.conversions === v.conversions &&
    sameDecimal(e.spend, v.spend) &&
    sameDecimal(e.conversionValue, v.conversionValue) &&
    e.purchases === v.purchases &&
    e.viewPurchases === v.viewPurchases &&
    sameDecimal(e.purchaseValue, v.purchaseValue) &&
    sameDecimal(e.viewPurchaseValue, v.viewPurchaseValue)
  );
}

/** Upserts one page of rows. Returns how many rows were created and updated. */
export async function storeSpendRows(input: {
  shop: string;
  advertiserId: string;
  timezone: string;
  level: SpendLevel;
  rows: SpendValues[];
}): Promise<{ created: number; updated: number }> {
  const { shop, advertiserId, timezone, level, rows } = input;
  if (rows.length === 0) return { created: 0, updated: 0 };
  const existing = await prisma.spendRow.findMany({
    where: { shop, level, entityId: { in: [...new Set(rows.map((r) => r.entityId))] }, date: { in: [...new Set(rows.map((r) => r.date))] } },
    select: { id: true, entityId: true, date: true, campaignId: true, name: true, spend: true, impressions: true, clicks: true, conversions: true, conversionValue: true, purchases: true, purchaseValue: true, viewPurchases: true, viewPurchaseValue: true, currency: true, timezone: true, advertiserId: true },
  });
  const byKey = new Map(existing.map((e) => [`${e.entityId}|${e.date}`, e]));
  const toCreate: Prisma.SpendRowCreateManyInput[] = [];
  const toUpdate: { id: string; v: SpendValues }[] = [];
  for (const v of rows) {
    const e = byKey.get(`${v.entityId}|${v.date}`);
    if (!e) toCreate.push({ shop, advertiserId, level, timezone, ...v });
    else if (!unchanged(e, v, advertiserId, timezone)) toUpdate.push({ id: e.id, v });
  }
  const data = (v: SpendValues) => ({ advertiserId, timezone, ...v });
  if (toCreate.length) {
    try {
      await prisma.spendRow.createMany({ data: toCreate });
    } catch (error) {
      // Another run inserted some of these rows between our read and our write: upsert one by one.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
      for (const row of toCreate) {
        const { shop: s, level: l, entityId, date } = row;
        await prisma.spendRow.upsert({
          where: { shop_level_entityId_date: { shop: s, level: l, entityId, date } },
          create: row,
          update: data(rows.find((r) => r.entityId === entityId && r.date === date)!),
        });
      }
    }
  }
  if (toUpdate.length) {
    await prisma.$transaction(toUpdate.map(({ id, v }) => prisma.spendRow.update({ where: { id }, data: data(v) })));
  }
  return { created: toCreate.length, updated: toUpdate.length };
}
