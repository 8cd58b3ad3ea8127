import { addDays } from "./calendar-date.js";
import { type LocalCalendar, localCalendar } from "./local-calendar.js";

/** From `fromS` on (until the next one), the meter's days are those of `timeZone`. */
export interface ZoneSpan {
  fromS: number;
  timeZone: string;
}

/**
 * The days of a meter that moved between sites of different zones (issue 18): each part of its past in the
 * zone of the site it was on then, so a move never changes a figure already shown. `spans` oldest first; the
 * first one also covers everything before it (a meter's first site is where it always was).
 *
 * A day starts at its local midnight in the zone in force at that midnight; the day of a move is therefore
 * longer or shorter by the zones' difference. `dateOf` follows the same cut, so a report's SQL days and its
 * listed cycles agree. `timeZone` is the latest zone (for what is shown of "now").
 */
export function placedCalendar(spans: readonly ZoneSpan[]): LocalCalendar {
  const last = spans.at(-1);
  if (last === undefined) throw new RangeError("a placed calendar needs one zone at least");
  if (spans.every((s) => s.timeZone === last.timeZone)) return localCalendar(last.timeZone);
  const parts = spans.map((s) => ({ fromS: s.fromS, calendar: localCalendar(s.timeZone) }));
  const dayStart = (date: string): number => {
    // the latest span whose zone's midnight of that date falls inside it
    for (let i = parts.length - 1; i > 0; i--) {
      const part = parts[i] as (typeof parts)[number];
      const start = part.calendar.dayStart(date);
      if (start >= part.fromS) return start;
    }
    return (parts[0] as (typeof parts)[number]).calendar.dayStart(date);
  };
  const zoneAt = (unixS: number) => {
    let found = parts[0] as (typeof parts)[number];
    for (const part of parts) if (part.fromS <= unixS) found = part;
    return found.calendar;
  };
  return {
    timeZone: last.timeZone,
    dateOf(unixSeconds) {
      // the zone in force names a candidate; the day starts decide, a day either side at a move
      let date = zoneAt(unixSeconds).dateOf(unixSeconds);
      if (dayStart(date) > unixSeconds) date = addDays(date, -1);
      else if (dayStart(addDays(date, 1)) <= unixSeconds) date = addDays(date, 1);
      return date;
    },
    dayStart,
  };
}
