// Number and time text for pages. Runs on the server and in the browser and gives the same text
// on both: a fixed locale, and times in UTC, never the viewer's locale or zone. Amounts have the
// decimals Shopify uses for their currency (currencyDigits), not Intl's.
import { currencyDigits } from "~/core/lib/currency";

/** An amount in its currency ("$1,234.50", "COP 12,500.50"); "—" when unknown; the bare number when the currency is unknown. */
export function formatMoney(amount: string | number | null, currency: string | null) {
  if (amount === null) return "—";
  const value = typeof amount === "number" ? amount : Number(amount);
  const digits = currencyDigits(currency);
  if (!currency) return value.toFixed(digits);
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  } catch {
    // Not an ISO 4217 code Intl knows: still show the amount and what the code was.
    return `${value.toFixed(digits)} ${currency}`;
  }
}

/** A count with thousands separators ("12,345"); "—" when unknown. */
export const formatCount = (n: number | null) => (n === null ? "—" : new Intl.NumberFormat("en-US").format(n));

/** An ISO instant as "2030-03-10 23:30:00 UTC". */
export const formatInstant = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** An amount with its currency code, so two currencies can never be confused ("$1,234.50 USD"). */
export function formatMoneyWithCode(amount: string | number | null, currency: string | null) {
  const text = formatMoney(amount, currency);
  return currency && amount !== null && !text.includes(currency) ? `${text} ${currency}` : text;
}

/**
 * An ISO instant in the store's time zone, with the zone named ("Mar 10, 2030, 3:30 PM PDT");
 * in UTC when the store's zone is not known. The same text on the server and in the browser.
 */
export function formatInZone(iso: string, timeZone: string | null) {
  const zone = timeZone ?? "UTC";
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone, dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)) + ` ${zoneName(iso, zone)}`;
  } catch {
    return formatInstant(iso);
  }
}

function zoneName(iso: string, timeZone: string) {
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" }).formatToParts(new Date(iso)).find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone;
}

/** A ROAS ratio as "2.35×"; "—" when there is none. */
export const formatRoas = (ratio: string | number | null) => (ratio === null ? "—" : `${typeof ratio === "number" ? ratio.toFixed(2) : ratio}×`);

const MONTH_DAY = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric" });
const MONTH_DAY_YEAR = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric", year: "numeric" });

/** Two calendar days (YYYY-MM-DD) as "Nov 1 – Nov 27, 2026"; the year on both ends when they differ. */
export function formatDateRange(start: string, end: string) {
  const a = new Date(`${start}T00:00:00Z`);
  const b = new Date(`${end}T00:00:00Z`);
  if (start === end) return MONTH_DAY_YEAR.format(b);
  const first = start.slice(0, 4) === end.slice(0, 4) ? MONTH_DAY.format(a) : MONTH_DAY_YEAR.format(a);
  return `${first} – ${MONTH_DAY_YEAR.format(b)}`;
}

/**
 * "+12% vs Oct 8 – Nov 6": the change of a figure against the previous period of the same length;
 * null when either side has no figure or the previous one is zero (a percentage of nothing).
 */
export function changeAgainst(current: string | number | null, previous: string | number | null, previousPeriod: string) {
  if (current === null || previous === null) return null;
  const now = Number(current);
  const then = Number(previous);
  if (!Number.isFinite(now) || !Number.isFinite(then) || then === 0) return null;
  const pct = Math.round(((now - then) / Math.abs(then)) * 100);
  return `${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)}% vs ${previousPeriod}`;
}
