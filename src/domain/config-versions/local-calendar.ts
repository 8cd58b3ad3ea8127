import { formatDayNumber, parseCalendarDate } from "./calendar-date.js";
import { ConfigVersionError } from "./errors.js";
import { localDateOf, localDayStartUnix, utcOffsetSeconds } from "./local-date.js";

const SECONDS_PER_DAY = 86_400;

/** `localDateOf` and `localDayStartUnix` of one zone, for many instants or dates at a time. */
export interface LocalCalendar {
  readonly timeZone: string;
  dateOf(unixSeconds: number): string;
  dayStart(date: string): number;
}

/**
 * The same answers as `localDateOf` / `localDayStartUnix`, with about one `Intl` call per UTC day instead of
 * one (or several) per instant: a year of cycles is thousands of instants, and `Intl` was 40 % of a report.
 *
 * The zone's offset is read at the start of each UTC day and cached. Where it is the same at the start of a
 * day and of the next one, it is taken as constant in between, which holds as long as a zone never changes
 * its offset twice within 24 h and back (tzdata has no such case; transitions are months apart). Where it
 * differs (a DST day), the exact functions answer.
 *
 * One calendar per zone for the life of the process: a year of offsets is still ≈ 370 `Intl` calls (2 ms), and
 * the offsets of a day never change while the process runs (its zone database is fixed). At most one entry
 * per day queried, a few tens of thousands for a century.
 */
export function localCalendar(timeZone: string): LocalCalendar {
  let calendar = calendars.get(timeZone);
  if (calendar === undefined) {
    calendar = newCalendar(timeZone);
    calendars.set(timeZone, calendar);
  }
  return calendar;
}

const calendars = new Map<string, LocalCalendar>();

function newCalendar(timeZone: string): LocalCalendar {
  localDateOf(0, timeZone); // an unknown zone fails here, not on first use
  const offsets = new Map<number, number>();
  const offsetAt = (utcDay: number): number => {
    let offset = offsets.get(utcDay);
    if (offset === undefined) {
      offset = utcOffsetSeconds(utcDay * SECONDS_PER_DAY, timeZone);
      offsets.set(utcDay, offset);
    }
    return offset;
  };

  return {
    timeZone,
    dateOf(unixSeconds) {
      const s = Math.floor(unixSeconds);
      const utcDay = Math.floor(s / SECONDS_PER_DAY);
      const offset = offsetAt(utcDay);
      if (offset !== offsetAt(utcDay + 1)) return localDateOf(s, timeZone);
      return formatDayNumber(Math.floor((s + offset) / SECONDS_PER_DAY));
    },
    dayStart(date) {
      const dayNumber = parseCalendarDate(date);
      if (dayNumber === null) throw new ConfigVersionError("invalid_date", "Date invalide", "date");
      // Local midnight lies within 14 h of UTC midnight of the same day number: with one offset over the
      // UTC days around it, midnight exists and is that offset away.
      const offset = offsetAt(dayNumber);
      if (offset !== offsetAt(dayNumber - 1) || offset !== offsetAt(dayNumber + 1)) {
        return localDayStartUnix(date, timeZone);
      }
      return dayNumber * SECONDS_PER_DAY - offset;
    },
  };
}

/**
 * Local calendar days fromDate … toDate (both included) as the UTC instants they start at: `starts[i]` is the
 * start of fromDate + i days, and the last entry the end of toDate. The one cut of instants into days that a
 * report uses, both for its SQL aggregates and for the cycles it lists, so the two always agree.
 */
export interface LocalDays {
  /** fromDate … toDate */
  readonly dates: readonly string[];
  /** one more than dates */
  readonly starts: readonly number[];
}

export function localDays(calendar: LocalCalendar, fromDate: string, toDate: string): LocalDays {
  const from = parseCalendarDate(fromDate);
  const to = parseCalendarDate(toDate);
  if (from === null || to === null || to < from) {
    throw new ConfigVersionError("invalid_date", "Période de dates invalide", "date");
  }
  const dates: string[] = [];
  for (let day = from; day <= to + 1; day++) dates.push(formatDayNumber(day));
  const starts = dates.map((date) => calendar.dayStart(date));
  dates.pop();
  return { dates, starts };
}

/**
 * The date of the day holding an instant: index i when starts[i] <= t < starts[i + 1] (the last such index
 * if a date was skipped altogether, as PostgreSQL's width_bucket counts); null outside the days.
 */
export function localDayOf(days: LocalDays, unixSeconds: number): string | null {
  const index = dayIndexOf(days, unixSeconds);
  return index === null ? null : (days.dates[index] as string);
}

function dayIndexOf(days: LocalDays, unixSeconds: number): number | null {
  const { starts } = days;
  const last = starts.length - 1;
  if (last < 1 || unixSeconds < (starts[0] as number) || unixSeconds >= (starts[last] as number)) return null;
  let lo = 0;
  let hi = last - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((starts[mid] as number) <= unixSeconds) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
