import { formatDayNumber, parseCalendarDate } from "./calendar-date.js";
import { ConfigVersionError } from "./errors.js";

const SECONDS_PER_DAY = 86_400;

// Building a DateTimeFormat costs far more than using one; a site has one or two time zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
    } catch {
      throw new ConfigVersionError("invalid_time_zone", `Fuseau horaire inconnu : ${timeZone}`, "timeZone");
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of an instant in a zone, as seconds since 1970-01-01T00:00 of that wall clock. */
function wallClockSeconds(unixSeconds: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(unixSeconds * 1000));
  const field = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const date = `${String(field("year")).padStart(4, "0")}-${String(field("month")).padStart(2, "0")}-${String(field("day")).padStart(2, "0")}`;
  const dayNumber = parseCalendarDate(date);
  if (dayNumber === null) throw new RangeError(`unexpected wall-clock date ${date} in ${timeZone}`);
  return dayNumber * SECONDS_PER_DAY + field("hour") * 3600 + field("minute") * 60 + field("second");
}

/** The zone's offset from UTC at an instant, in seconds (+3600 for Paris in winter). */
export function utcOffsetSeconds(unixSeconds: number, timeZone: string): number {
  const s = Math.floor(unixSeconds);
  return wallClockSeconds(s, timeZone) - s;
}

/**
 * The calendar date ("YYYY-MM-DD") of a UTC instant in an IANA time zone: the date a cycle's version is
 * looked up by, and the day it counts in for daily totals.
 */
export function localDateOf(unixSeconds: number, timeZone: string): string {
  const wall = wallClockSeconds(Math.floor(unixSeconds), timeZone);
  return formatDayNumber(Math.floor(wall / SECONDS_PER_DAY));
}

/**
 * The UTC instant (unix seconds) at which a local calendar date begins in a time zone; the end of the
 * day is the start of the next date. Where midnight is skipped by a clock change, the day begins at the
 * first instant that exists.
 */
export function localDayStartUnix(date: string, timeZone: string): number {
  const dayNumber = parseCalendarDate(date);
  if (dayNumber === null) throw new ConfigVersionError("invalid_date", "Date invalide", "date");
  const wallMidnight = dayNumber * SECONDS_PER_DAY;
  // Offsets move by at most a day; two corrections settle the ones near a DST transition.
  let guess = wallMidnight;
  for (let i = 0; i < 3; i++) {
    guess += wallMidnight - wallClockSeconds(guess, timeZone);
  }
  if (localDateOf(guess, timeZone) !== date) {
    // The wall clock jumped over midnight: step forward to the first instant of the date.
    while (localDateOf(guess, timeZone) < date) guess += 60;
  } else {
    while (localDateOf(guess - 60, timeZone) === date) guess -= 60;
  }
  return guess;
}
