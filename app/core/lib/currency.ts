// How many decimals an amount in a currency has, as Shopify writes them (docs/decisions/0024).
// Node's and the browser's Intl take their digits from CLDR, which gives COP, HUF, IDR, PKR and
// others 0 because their cash has no minor unit; Shopify's payloads and admin keep ISO 4217's
// minor units (2 for those). Shopify's own formatter (@shopify/react-i18n, Shopify/quilt
// packages/react-i18n/src/constants/currency-decimal-places.ts) sets both fraction-digit limits
// from an ISO 4217 table, 2 for any code it does not list. Only the codes that are not 2 are here.
const NOT_TWO: Readonly<Record<string, number>> = {
  BHD: 3,
  BIF: 0,
  CLF: 4,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  UYI: 0,
  UYW: 4,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

/** The decimals Shopify uses for `currency` (an ISO 4217 code, any case); 2 when unknown or absent. */
export function currencyDigits(currency: string | null | undefined): number {
  if (!currency) return 2;
  return NOT_TWO[currency.trim().toUpperCase()] ?? 2;
}
