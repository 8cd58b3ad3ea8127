/** The month or year a report covers, read as local calendar dates (the zone is applied by the caller). */

export interface ReportMonth {
  /** "2026-03" */
  month: string;
  fromDate: string;
  toDate: string;
}

export interface ReportYear {
  year: number;
  fromDate: string;
  toDate: string;
}

export type ReportPeriodError = "malformed" | "future" | "too_old";

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const YEAR = /^\d{4}$/;
const OLDEST_YEAR = 2000;

const pad = (n: number) => String(n).padStart(2, "0");

/** Days in a month of the proleptic Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * `YYYY-MM`: a month that has begun by `today` (a local date "YYYY-MM-DD": the current month is a report of
 * the days so far), not before 2000.
 */
export function parseReportMonth(
  raw: string,
  today: string,
): { ok: true; value: ReportMonth } | { ok: false; error: ReportPeriodError } {
  const m = MONTH.exec(raw.trim());
  if (!m) return { ok: false, error: "malformed" };
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (year < OLDEST_YEAR) return { ok: false, error: "too_old" };
  const value = `${m[1]}-${m[2]}`;
  if (value > today.slice(0, 7)) return { ok: false, error: "future" };
  return {
    ok: true,
    value: { month: value, fromDate: `${value}-01`, toDate: `${value}-${pad(daysInMonth(year, month))}` },
  };
}

/** `YYYY`: a year that has begun by `today`, not before 2000. */
export function parseReportYear(
  raw: string,
  today: string,
): { ok: true; value: ReportYear } | { ok: false; error: ReportPeriodError } {
  const text = raw.trim();
  if (!YEAR.test(text)) return { ok: false, error: "malformed" };
  const year = Number(text);
  if (year < OLDEST_YEAR) return { ok: false, error: "too_old" };
  if (text > today.slice(0, 4)) return { ok: false, error: "future" };
  return { ok: true, value: { year, fromDate: `${text}-01-01`, toDate: `${text}-12-31` } };
}

/** The months of a year, "YYYY-MM". */
export function monthsOf(year: number): string[] {
  return Array.from({ length: 12 }, (_, i) => `${year}-${pad(i + 1)}`);
}

/** The month before the one of `date` ("2026-03-01" → "2026-02"). */
export function previousMonth(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return month === 1 ? `${year - 1}-12` : `${year}-${pad(month - 1)}`;
}

export const FRENCH_MONTHS = [
  "janvier",
  "février",
  "mars",
  "avril",
  "mai",
  "juin",
  "juillet",
  "août",
  "septembre",
  "octobre",
  "novembre",
  "décembre",
] as const;

/** "2026-03" → "mars 2026" */
export function frenchMonth(month: string): string {
  return `${FRENCH_MONTHS[Number(month.slice(5, 7)) - 1] ?? month} ${month.slice(0, 4)}`;
}
