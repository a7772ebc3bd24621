// Calendar days as plain "YYYY-MM-DD" strings. TikTok reports days of the ad account's time
// zone without an offset, so the sync never turns them into instants; only "which day is it
// now over there" needs a clock, and Intl answers that for any IANA zone (no tz library).

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** True when Intl knows the zone (TikTok sends IANA names such as "Asia/Tokyo" or "Etc/GMT+8"). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The calendar day of `instant` in `timeZone`. */
export function dayIn(timeZone: string, instant: Date): string {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Inclusive number of days from `start` to `end`. */
export function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS) + 1;
}

export function minDate(a: string, b: string) {
  return a < b ? a : b;
}

export function maxDate(a: string, b: string) {
  return a > b ? a : b;
}

/** Splits an inclusive range into consecutive windows of at most `maxDays` days, oldest first. */
export function splitWindows(start: string, end: string, maxDays: number): { start: string; end: string }[] {
  const out: { start: string; end: string }[] = [];
  for (let from = start; from <= end; from = addDays(from, maxDays)) {
    out.push({ start: from, end: minDate(addDays(from, maxDays - 1), end) });
  }
  return out;
}

/** The UTC hour an instant falls in, e.g. "2026-11-24T17": the hourly schedule's slot. */
export function utcHourSlot(instant: Date): string {
  return instant.toISOString().slice(0, 13);
}

/** The first instant of the UTC hour of `instant`. */
export function startOfUtcHour(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / 3_600_000) * 3_600_000);
}

/**
 * The UTC instant at which `date` begins in `timeZone`. Found by correcting a UTC guess with the
 * zone's offset at that moment, twice so a DST change on that day still lands on local midnight.
 */
export function startOfDayIn(timeZone: string, date: string): Date {
  const target = Date.parse(`${date}T00:00:00Z`);
  let guess = target;
  for (let i = 0; i < 2; i++) guess = target - offsetMs(timeZone, new Date(guess));
  return new Date(guess);
}

function offsetMs(timeZone: string, instant: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}
