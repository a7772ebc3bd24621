// Writes report rows into SpendRow, keyed by (shop, level, entityId, date). A row whose numbers
// did not change is not written at all, so a second sync of the same days changes nothing
// (not even updatedAt), and a restated day updates exactly the rows TikTok restated.
import { Prisma } from "@prisma/client";
import prisma from "~/core/db.server";
import type { ReportRow } from "~/core/tiktok/client.server";
import { reportDay } from "./dates";

export type SpendLevel = "campaign" | "adgroup";

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
  currency: string;
};

const ID_DIMENSION: Record<SpendLevel, string> = { campaign: "campaign_id", adgroup: "adgroup_id" };
const NAME_METRIC: Record<SpendLevel, string> = { campaign: "campaign_name", adgroup: "adgroup_name" };

// TikTok sends metric values as strings and "-" (or "") where a metric does not apply.
const missing = (v: string | undefined) => v === undefined || v === "" || v === "-";
const toInt = (v: string | undefined) => (missing(v) ? null : Math.round(Number(v)));
const toDecimal = (v: string | undefined) => (missing(v) || Number.isNaN(Number(v)) ? null : new Prisma.Decimal(v!));

/** One report row as the values we store. `currency` is the account currency the row is in. */
export function spendValues(level: SpendLevel, row: ReportRow, accountCurrency: string): SpendValues {
  const entityId = row.dimensions[ID_DIMENSION[level]];
  if (!entityId) throw new Error(`report row without ${ID_DIMENSION[level]}`);
  const m = row.metrics;
  return {
    entityId,
    campaignId: level === "campaign" ? entityId : missing(m.campaign_id) ? null : m.campaign_id,
    name: missing(m[NAME_METRIC[level]]) ? null : m[NAME_METRIC[level]],
    date: reportDay(row.dimensions.stat_time_day ?? ""),
    spend: toDecimal(m.spend) ?? new Prisma.Decimal(0),
    impressions: toInt(m.impressions) ?? 0,
    clicks: toInt(m.clicks) ?? 0,
    conversions: toInt(m.conversion),
    // TikTok's conversion *value* metric is not requested (its name and semantics are unconfirmed
    // and the sandbox does not model one): null means "unknown", never 0. See decision 0008.
    conversionValue: null,
    // The report's own currency attribute wins: it is what the spend figure is in.
    currency: missing(m.currency) ? accountCurrency : m.currency,
  };
}

const sameDecimal = (a: Prisma.Decimal | null, b: Prisma.Decimal | null) => (a === null || b === null ? a === b : a.equals(b));

type Existing = Prisma.SpendRowGetPayload<{
  select: { id: true; entityId: true; date: true; campaignId: true; name: true; spend: true; impressions: true; clicks: true; conversions: true; conversionValue: true; currency: true; timezone: true; advertiserId: true };
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
    sameDecimal(e.conversionValue, v.conversionValue)
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
    select: { id: true, entityId: true, date: true, campaignId: true, name: true, spend: true, impressions: true, clicks: true, conversions: true, conversionValue: true, currency: true, timezone: true, advertiserId: true },
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
