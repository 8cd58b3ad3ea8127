import { parseCalendarDate } from "./config-versions/calendar-date.js";
import type { LocalCalendar } from "./config-versions/local-calendar.js";
import { localDateOf, localDayStartUnix } from "./config-versions/local-date.js";

/** A zone's name, or the calendar of a meter that moved between zones (placedCalendar). */
export type DaysOf = string | LocalCalendar;

const dateIn = (days: DaysOf, unixS: number) =>
  typeof days === "string" ? localDateOf(unixS, days) : days.dateOf(unixS);
const dayStartIn = (days: DaysOf, date: string) =>
  typeof days === "string" ? localDayStartUnix(date, days) : days.dayStart(date);

/** A query's `from`/`to`: half-open instants, and the local calendar dates they cover (both included). */
export interface Period {
  fromS: number;
  toS: number;
  fromDate: string;
  toDate: string;
}

export type PeriodError =
  | "invalid_from"
  | "invalid_to"
  | "from_out_of_range"
  | "to_out_of_range"
  | "end_before_start"
  | "empty_period"
  | "period_too_long";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// An instant with an explicit offset or Z: a bare "2026-02-14T09:40" would silently mean the server's zone.
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const OLDEST_S = Date.UTC(2000, 0, 1) / 1000;
const NEWEST_S = Date.UTC(2101, 0, 1) / 1000;
export const MAX_PERIOD_DAYS = 3700;

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

interface Bound {
  s: number;
  /** a calendar date (a whole day), not an instant */
  date: boolean;
  /** within 01/01/2000 – 31/12/2100: a date by its calendar day (whatever the zone), an instant by itself */
  inRange: boolean;
}

/** A date `from` starts at local midnight; a date `to` includes its whole day; an instant is itself. */
function bound(raw: string, edge: "from" | "to", timeZone: DaysOf): Bound | null {
  if (DATE.test(raw)) {
    const day = parseCalendarDate(raw);
    if (day === null) return null;
    const inRange = day * 86_400 >= OLDEST_S && day * 86_400 < NEWEST_S;
    // Outside the range (year 0206, 9999-12-31) the zone cannot change the order with an accepted date, and
    // the calendar code is not asked about years it was not written for.
    if (!inRange) return { s: (day + (edge === "from" ? 0 : 1)) * 86_400, date: true, inRange };
    return { s: dayStartIn(timeZone, edge === "from" ? raw : addDays(raw, 1)), date: true, inRange };
  }
  if (!INSTANT.test(raw)) return null;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) return null;
  const s = Math.floor(ms / 1000);
  return { s, date: false, inRange: s >= OLDEST_S && s <= NEWEST_S };
}

/**
 * Reads `from`/`to` (ISO instant with zone, or YYYY-MM-DD in the site's zone). Absent: the last 30 days up to
 * the end of today, as the predecessor's dashboard defaulted. Checked in the order a person fixes them: the
 * spelling of each bound, then their order (two years swapped is one mistake, even if one of them is also out
 * of range), then the range of each, then the length.
 */
export function parsePeriod(
  from: string | undefined,
  to: string | undefined,
  timeZone: DaysOf,
  nowS: number,
): { ok: true; period: Period } | { ok: false; error: PeriodError } {
  const today = dateIn(timeZone, nowS);
  const end: Bound | null =
    to === undefined
      ? { s: dayStartIn(timeZone, addDays(today, 1)), date: true, inRange: true }
      : bound(to.trim(), "to", timeZone);
  if (end === null) return { ok: false, error: "invalid_to" };
  const start: Bound | null =
    from === undefined
      ? { s: dayStartIn(timeZone, addDays(today, -30)), date: true, inRange: true }
      : bound(from.trim(), "from", timeZone);
  if (start === null) return { ok: false, error: "invalid_from" };
  // A date `to` ends after its own day: reaching back to `from` or before means its day precedes `from`.
  // Only two equal instants make an empty period without being in the wrong order.
  if (start.s > end.s || (start.s === end.s && end.date)) return { ok: false, error: "end_before_start" };
  if (start.s === end.s) return { ok: false, error: "empty_period" };
  if (!start.inRange) return { ok: false, error: "from_out_of_range" };
  if (!end.inRange) return { ok: false, error: "to_out_of_range" };
  const fromS = start.s;
  const toS = end.s;
  if (toS - fromS > MAX_PERIOD_DAYS * 86_400) return { ok: false, error: "period_too_long" };
  return {
    ok: true,
    period: { fromS, toS, fromDate: dateIn(timeZone, fromS), toDate: dateIn(timeZone, toS - 1) },
  };
}

/** The query parameter a period error is about. */
export function periodErrorField(error: PeriodError): "from" | "to" {
  return error === "invalid_from" || error === "from_out_of_range" || error === "period_too_long"
    ? "from"
    : "to";
}

/**
 * The same `from`/`to` read in each meter's own days (a fleet across zones, issue 18): each meter's period,
 * and their envelope (the earliest start, the latest end, the first and last dates) for what bounds them all.
 * A date `from`/`to` names the same dates for every meter; an instant is the same instant for all.
 */
export function fleetPeriod(
  from: string | undefined,
  to: string | undefined,
  meters: readonly { device_id: string }[],
  daysOf: (deviceId: string) => DaysOf,
  nowS: number,
): { ok: true; period: Period; periodOf: (deviceId: string) => Period } | { ok: false; error: PeriodError } {
  const own = new Map<string, Period>();
  for (const m of meters) {
    const parsed = parsePeriod(from, to, daysOf(m.device_id), nowS);
    if (!parsed.ok) return parsed;
    own.set(m.device_id, parsed.period);
  }
  const all = [...own.values()];
  if (all.length === 0) return parsePeriod(from, to, "UTC", nowS) as never;
  const period: Period = {
    fromS: Math.min(...all.map((p) => p.fromS)),
    toS: Math.max(...all.map((p) => p.toS)),
    fromDate: all.map((p) => p.fromDate).sort()[0] as string,
    toDate: all
      .map((p) => p.toDate)
      .sort()
      .at(-1) as string,
  };
  return { ok: true, period, periodOf: (deviceId) => own.get(deviceId) ?? period };
}
