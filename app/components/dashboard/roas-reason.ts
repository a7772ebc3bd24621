/**
 * Why a campaign or ad group row shows no ROAS: spend and revenue in different currencies, no
 * attributed revenue (no order carried the row's id, `noId` says which macro is needed), or
 * revenue without spend in the range.
 */
export function roasUnknownReason(
  data: { currencyDiffers: boolean; spendCurrency: string | null; storeCurrency: string | null },
  revenue: string | null,
  noId: string,
): string {
  if (data.currencyDiffers) return `Spend is in ${data.spendCurrency} and revenue in ${data.storeCurrency}; the app does not convert currencies.`;
  if (revenue === null) return noId;
  return "No spend in this range, so there is no ROAS.";
}
