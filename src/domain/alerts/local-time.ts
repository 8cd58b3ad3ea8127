/**
 * The site's time of day, for "the same hours of the day" of Pompe inactive. A pump follows the site's
 * wall clock (people shower at 7 h local, summer or winter), so the hours are compared in the site's time
 * zone: across a clock change, 8 h local still matches 8 h local.
 */
import { utcOffsetSeconds } from "../config-versions/local-date.js";

/** Minutes since the local midnight (0–1439) of a unix minute. */
export type TimeOfDay = (minute: number) => number;

const mod1440 = (m: number) => ((m % 1440) + 1440) % 1440;

export const utcTimeOfDay: TimeOfDay = mod1440;

/** Offsets change at most every quarter hour of UTC time; each quarter is asked of Intl once. */
const QUARTER = 15;
const zones = new Map<string, TimeOfDay>();

export function timeOfDayIn(timeZone: string): TimeOfDay {
  if (timeZone === "UTC") return utcTimeOfDay;
  const known = zones.get(timeZone);
  if (known) return known;
  const offsets = new Map<number, number>();
  const fn: TimeOfDay = (minute) => {
    const q = Math.floor(minute / QUARTER);
    let offset = offsets.get(q);
    if (offset === undefined) {
      // A long-running service asks for ever newer quarters: keep the memo bounded.
      if (offsets.size > 200_000) offsets.clear();
      offset = Math.round(utcOffsetSeconds(q * QUARTER * 60, timeZone) / 60);
      offsets.set(q, offset);
    }
    return mod1440(minute + offset);
  };
  zones.set(timeZone, fn);
  return fn;
}
