import type { LocalCalendar } from "../config-versions/local-calendar.js";
import { localDayStartUnix } from "../config-versions/local-date.js";

export const SERIES_PERIODS = {
  "24h": { seconds: 86_400, bucketSeconds: 300 },
  "7d": { seconds: 7 * 86_400, bucketSeconds: 3_600 },
  "30d": { seconds: 30 * 86_400, bucketSeconds: 6 * 3_600 },
} as const;
export type SeriesPeriod = keyof typeof SERIES_PERIODS;

export interface SeriesWindow {
  /** unix seconds, inclusive */
  startS: number;
  /** unix seconds, exclusive */
  endS: number;
  bucketSeconds: number;
  /** start of each bucket, unix seconds, aligned on local midnight of the time zone */
  bucketStartsS: number[];
  /** the instant buckets are aligned on (a local midnight) */
  originS: number;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The window of a chart: `[end − period, end)` where end is now (the 24 h view really is the last 24 h up
 * to now, predecessor bug 21) or the end of the chosen local day (bug 22). Buckets are aligned on local
 * midnight (bug 26: 5 min on :00, :05…; 1 h; 6 h on 00/06/12/18 h), the first one may start before the window.
 * `timeZone` may be a moved meter's calendar (placedCalendar): its chosen day and its buckets' midnight are
 * then those of the zone it was in at the time (issue 18).
 */
export function seriesWindow(
  period: SeriesPeriod,
  end: { kind: "now"; nowS: number } | { kind: "day"; date: string },
  timeZone: string | LocalCalendar,
): SeriesWindow {
  const { seconds, bucketSeconds } = SERIES_PERIODS[period];
  const dayStart = (date: string) =>
    typeof timeZone === "string" ? localDayStartUnix(date, timeZone) : timeZone.dayStart(date);
  const endS = end.kind === "now" ? end.nowS : dayStart(addDays(end.date, 1));
  const startS = endS - seconds;
  const startDate = new Date(startS * 1000).toISOString().slice(0, 10);
  // A local midnight near the start; any one works as an origin since buckets divide a day.
  const originS = dayStart(startDate);
  const first = originS + Math.floor((startS - originS) / bucketSeconds) * bucketSeconds;
  const bucketStartsS: number[] = [];
  for (let t = first; t < endS; t += bucketSeconds) bucketStartsS.push(t);
  return { startS, endS, bucketSeconds, bucketStartsS, originS };
}
