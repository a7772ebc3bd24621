// Number and time text for pages. Runs on the server and in the browser and gives the same text
// on both: a fixed locale, and times in UTC, never the viewer's locale or zone.

/** An amount in its currency ("$1,234.50"); "—" when unknown; the bare number when the currency is unknown. */
export function formatMoney(amount: string | number | null, currency: string | null) {
  if (amount === null) return "—";
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!currency) return value.toFixed(2);
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(value);
  } catch {
    // Not an ISO 4217 code Intl knows: still show the amount and what the code was.
    return `${value.toFixed(2)} ${currency}`;
  }
}

/** A count with thousands separators ("12,345"); "—" when unknown. */
export const formatCount = (n: number | null) => (n === null ? "—" : new Intl.NumberFormat("en-US").format(n));

/** An ISO instant as "2030-03-10 23:30:00 UTC". */
export const formatInstant = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
