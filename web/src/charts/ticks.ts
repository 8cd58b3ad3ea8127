/**
 * Time axis ticks for the whole requested window, in the site's time zone: whole local hours or days,
 * never "05:08"; the date is written on the first tick and at each local midnight (predecessor bugs 24–25).
 */
import { frenchDate, frenchTime } from "../../../src/i18n/format.js";

const HOUR = 3600;
const DAY = 86_400;
const STEPS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY];

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Seconds to add to a UTC instant to read the local wall clock of `timeZone`. */
export function zoneOffsetS(unixS: number, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    offsetFormatters.set(timeZone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(unixS * 1000))) p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day, p.hour, p.minute, p.second) / 1000;
  return wall - Math.floor(unixS);
}

export interface Ticks {
  step: number;
  splits: number[];
  labels: string[];
}

/** At most `maxTicks` ticks on [startS, endS], the smallest whole step that fits. */
export function timeTicks(startS: number, endS: number, maxTicks: number, timeZone: string): Ticks {
  const span = Math.max(endS - startS, HOUR);
  const step = STEPS.find((s) => span / s <= Math.max(2, maxTicks)) ?? (STEPS[STEPS.length - 1] as number);
  const splits: number[] = [];
  for (let t = Math.ceil(startS / HOUR) * HOUR; t <= endS; t += HOUR) {
    const local = t + zoneOffsetS(t, timeZone);
    // a zone with a half-hour offset has its whole local hours between UTC hours
    const aligned = local % HOUR === 0 ? t : t - (local % HOUR) + HOUR;
    if (aligned < startS || aligned > endS) continue;
    const wall = aligned + zoneOffsetS(aligned, timeZone);
    const ok =
      step < DAY ? wall % step === 0 : wall % DAY === 0 && Math.floor(wall / DAY) % (step / DAY) === 0;
    if (ok && splits[splits.length - 1] !== aligned) splits.push(aligned);
  }
  const labels = splits.map((t, i) => {
    const day = frenchDate(t, timeZone).slice(0, 5);
    if (step >= DAY) return day;
    const time = frenchTime(t, timeZone);
    const midnight = (t + zoneOffsetS(t, timeZone)) % DAY === 0;
    return i === 0 || midnight ? `${day} ${time}` : time;
  });
  return { step, splits, labels };
}

/**
 * Labels of a value axis: the fewest decimals (from `minDecimals`, up to 6) that give every split its own
 * label. Rounded to whole numbers, the splits 0 to 1 of an empty chart read « 0 0 0 1 1 1 » (issue 21).
 */
export function valueLabels(
  splits: readonly number[],
  format: (value: number, decimals: number) => string,
  minDecimals = 0,
): string[] {
  let labels: string[] = [];
  for (let decimals = minDecimals; decimals <= 6; decimals++) {
    labels = splits.map((v) => format(v, decimals));
    if (new Set(labels).size === labels.length) return labels;
  }
  return labels;
}

/** Steps of an axis that counts things (cycles): whole numbers only, never « 0,2 cycle ». */
export const COUNT_INCREMENTS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000,
];
