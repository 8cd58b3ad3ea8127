/**
 * French presentation in the site's time zone, the same rules as the service's CSV (DD/MM/YYYY, HHhMM,
 * decimal comma): the functions are the service's own, so a table and its CSV never disagree.
 */
import { frenchDate, frenchDecimal, frenchTime } from "../../../src/i18n/format.js";

export { frenchDate, frenchDecimal, frenchTime };

const toUnix = (iso: string) => Date.parse(iso) / 1000;

/** "14/02/2026" for an ISO instant */
export const dateOf = (iso: string, timeZone: string) => frenchDate(toUnix(iso), timeZone);

/** "14/02/2026 09h40" */
export const dateTimeOf = (iso: string, timeZone: string) =>
  `${frenchDate(toUnix(iso), timeZone)} ${frenchTime(toUnix(iso), timeZone)}`;

/** "2026-02-14" → "14/02/2026" (a calendar date, no zone involved) */
export function calendarDate(ymd: string): string {
  const [y, m, d] = ymd.split("-");
  return `${d}/${m}/${y}`;
}

/** The site's calendar date of an instant, "YYYY-MM-DD" (what date inputs and the API take). */
export function isoDateIn(unixMs: number, timeZone: string): string {
  const p = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(unixMs));
  const get = (type: string) => p.find((x) => x.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** "1 234,5" — grouped thousands for KPIs (not for CSV cells, which spreadsheets must read back). */
export function frenchNumber(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "-";
  return new Intl.NumberFormat("fr-FR", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  })
    .format(value)
    .replace(/\u202f|\u00a0/g, " ");
}

/** "il y a 3 min", "il y a 2 h", "il y a 4 j" */
export function ago(fromMs: number, nowMs: number): string {
  const minutes = Math.max(0, Math.round((nowMs - fromMs) / 60_000));
  if (minutes < 1) return "à l'instant";
  if (minutes < 60) return `il y a ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `il y a ${hours} h`;
  return `il y a ${Math.floor(hours / 24)} j`;
}

/** A meter that sends every minute is offline after 10 minutes of silence. */
export const OFFLINE_AFTER_MS = 10 * 60_000;

export function connectivity(
  lastSeenIso: string | null,
  nowMs: number,
  timeZone: string,
): {
  online: boolean;
  label: string;
} {
  if (!lastSeenIso) return { online: false, label: "jamais vu" };
  const last = Date.parse(lastSeenIso);
  if (nowMs - last <= OFFLINE_AFTER_MS) return { online: true, label: "en ligne" };
  return { online: false, label: `hors ligne depuis ${dateTimeOf(lastSeenIso, timeZone)}` };
}
