/** Why the range has no ROAS although it may have spend: before the connection, or no attributed order sent yet. */
export const ROAS_NOTE: Record<"before_connection" | "first_order", string> = {
  before_connection: "These days are before the app was connected to this ad account, so none of their orders count toward its ROAS: there is no ROAS for them.",
  first_order: "ROAS appears with the first attributed order the app sends to TikTok.",
};

/** Spend on days before the connection, which ROAS and cost per order leave out; null when there is none. */
export function spendBeforeConnectionNote(t: { spendBeforeConnection: string | null; connectedOn: string | null }, money: (amount: string) => string): string | null {
  if (!t.spendBeforeConnection || !t.connectedOn) return null;
  return `${money(t.spendBeforeConnection)} of it was spent before the app was connected on ${t.connectedOn} (its first connection to this ad account); ROAS, cost per order and TikTok's purchases count only the days from then.`;
}

/**
 * Why a campaign or ad group row shows no ROAS: spend and revenue in different currencies, no
 * attributed revenue (no order carried the row's id, `noId` says which macro is needed), or
 * revenue without spend in the range.
 */
export function roasUnknownReason(
  data: { currencyDiffers: boolean; spendCurrency: string | null; storeCurrency: string | null },
  revenue: string | null,
  noId: string,
  roasNote: "before_connection" | "first_order" | null = null,
): string {
  if (roasNote) return ROAS_NOTE[roasNote];
  if (data.currencyDiffers) return `Spend is in ${data.spendCurrency} and revenue in ${data.storeCurrency}; the app does not convert currencies.`;
  if (revenue === null) return noId;
  return "No spend in this range, so there is no ROAS.";
}

/**
 * What Home's ROAS card says it is: attributed revenue over spend, over the spend since the connection when
 * the days start before it (the rest is shown as spend only), with the refund-adjusted ROAS when there is one.
 */
export function roasHelp(t: { spendBeforeConnection: string | null; connectedOn: string | null; netRoas: string | null }, formatRoas: (r: string) => string): string {
  const since = t.spendBeforeConnection && t.connectedOn ? ` since ${t.connectedOn}, when the app was connected` : "";
  return `Attributed revenue ÷ spend${since}${t.netRoas !== null ? ` · refund-adjusted ${formatRoas(t.netRoas)}` : ""}`;
}
