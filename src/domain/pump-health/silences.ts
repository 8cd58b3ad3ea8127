/**
 * The silences of a meter, hour by hour, from the reading counts the refresher keeps per hour (migration 0020):
 * a fill of a sump that holds one may hide whole cycles, which would make the fill too long and its flow wrong
 * (docs/pump-health.md, `meter_silent`).
 */

/** A meter's summed hours of channel 0, as `meterHours` reads them. */
export interface MeterHours {
  /** unix hours (epoch s / 3600) that have a row, ascending, in the range read */
  hours: readonly number[];
  /** each hour's readings (null: summed before the count was kept, unknown) */
  readingsN: readonly (number | null)[];
  /** the meter's first and last summed hours overall (null: none) */
  firstHour: number | null;
  lastHour: number | null;
  /** spans whose hours are never called silent: filtered imported history, ranges still queued for refresh */
  unknownSpans: readonly { fromS: number; toS: number }[];
}

/**
 * An hour with fewer readings than this is a silence: a meter reports every minute, so ten minutes are
 * missing — enough to hide a short cycle (a few minutes of run), while a reading or two lost to the network
 * (seen on healthy meters) is not.
 */
export const MIN_READINGS_PER_HOUR = 50;

/**
 * How much wider than the fills to judge the hours are read: a silence is judged only with the full hours on
 * both sides of it in the range (a silence of more than a day inside a fill makes it `long_silence` anyway).
 */
export const SILENCE_READ_MARGIN_S = 24 * 3600;

/**
 * The silent unix hours of [fromHour, toHour), ascending. An hour is short when it has no row (rows exist for
 * every hour a refresh covered, with a count of 0 if need be: an hour no refresh covered had no reading) or
 * fewer than MIN_READINGS_PER_HOUR readings; full when it has at least that many. A run of short hours is a
 * silence only when a full hour comes right before it and right after it: a meter that sends every minute fills
 * every hour, while one behind the predecessor's filtering Worker (docs/edge-pipeline.md) sends a frame only
 * when a pump draws more than 10 W — its hours are short whenever the pumps rest, which is no silence. Hours
 * not judged (they end a run without bracketing it): before the first summed hour, from the last summed one on
 * (the current hour is incomplete, later ones are not summed yet), hours of unknown count, hours meeting an
 * unknown span, and the range's ends (read the range a day wider than the fills to judge).
 */
export function silentHours(m: MeterHours, fromHour: number, toHour: number): number[] {
  if (m.firstHour === null || m.lastHour === null) return [];
  const out: number[] = [];
  let k = 0;
  // the short hours since the last full one (null: the last judged hour was not full, or was not judged)
  let run: number[] | null = null;
  // the unknown spans by start, walked along the hours (a queue can hold many ranges)
  const spans = [...m.unknownSpans].sort((a, b) => a.fromS - b.fromS);
  let j = 0;
  let coveredUntil = Number.NEGATIVE_INFINITY; // the latest end of the spans started before the hour's end
  for (let h = fromHour; h < toHour; h++) {
    while (k < m.hours.length && (m.hours[k] as number) < h) k++;
    const n = m.hours[k] === h ? m.readingsN[k] : 0;
    const startS = h * 3600;
    while (j < spans.length && (spans[j] as { fromS: number }).fromS < startS + 3600)
      coveredUntil = Math.max(coveredUntil, (spans[j++] as { toS: number }).toS);
    const judged =
      h >= m.firstHour && h < m.lastHour && n !== null && n !== undefined && !(coveredUntil > startS);
    if (!judged) run = null;
    else if ((n as number) >= MIN_READINGS_PER_HOUR) {
      if (run !== null) out.push(...run);
      run = [];
    } else if (run !== null) run.push(h);
  }
  return out;
}

/** Whether one of these silent hours (ascending) meets the span (fromS, toS) of a fill. */
export function silenceDuring(silent: readonly number[], fromS: number, toS: number): boolean {
  // the first hour ending after the fill's start
  let lo = 0;
  let hi = silent.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (((silent[mid] as number) + 1) * 3600 > fromS) hi = mid;
    else lo = mid + 1;
  }
  const h = silent[lo];
  return h !== undefined && h * 3600 < toS;
}
