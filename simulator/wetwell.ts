/**
 * A lift station's wet well, simulated second by second: sewage flows in at a rate that varies through the
 * day (and much more on rainy days), the level rises to the start float, a pump empties the well down to the
 * stop float, and the two pumps take turns. A pump's real flow can wear down linearly over the range. When
 * the inflow outruns the pump on duty, the level reaches the high float and the other pump joins it.
 *
 * The truth it keeps — each run's real flow, each UTC day's inflow — is what measured flows are tested
 * against: physics, not the service's own formulas.
 */
import type { Cycle } from "./fleet.js";
import type { Random } from "./random.js";

export interface WetWellOptions {
  /** useful volume between the stop and the start float, m³ (default: drawn within 1.5–3) */
  volumeM3?: number;
  /** mean inflow over a dry day, m³/h (default: drawn within 1.5–3) */
  meanInflowM3h?: number;
  /** each pump's flow at the start of the range, m³/h (default 20) */
  flowM3h?: readonly [number, number];
  /** a pump whose flow moves linearly from its start value to `toM3h` over the whole range */
  wear?: { channel: 0 | 1; toM3h: number };
  /** indices of days (from the range start, 24 h slots) with rain: inflow × rainFactor (default 3) */
  rainyDays?: readonly number[];
  rainFactor?: number;
}

export interface WetWellRun {
  channel: number;
  start: number;
  end: number;
  /** the pump's real flow during the run, m³/h */
  flowM3h: number;
}

export interface WetWellDay {
  /** unix second the 24 h slot starts */
  start: number;
  /** water that flowed in during the slot, m³ */
  inflowM3: number;
  rainy: boolean;
}

export interface WetWellTruth {
  volumeM3: number;
  runs: WetWellRun[];
  days: WetWellDay[];
}

const DAY = 86_400;

/** Diurnal shape of domestic sewage (mean 1): low at night, peaks in the morning and the evening. */
function diurnal(secondOfDay: number): number {
  const h = secondOfDay / 3600;
  return (
    1 +
    0.35 * Math.sin((2 * Math.PI * (h - 9)) / 24) +
    0.15 * Math.exp(-((h - 8) ** 2) / 2) +
    0.2 * Math.exp(-((h - 20) ** 2) / 3) -
    0.12
  );
}

/** Plans both lift pumps of one wet well over [startS, endS). */
export function planWetWell(
  rng: Random,
  startS: number,
  endS: number,
  options: WetWellOptions = {},
): { cycles: [Cycle[], Cycle[]]; truth: WetWellTruth } {
  const volume = options.volumeM3 ?? Math.round(rng.uniform(1.5, 3) * 100) / 100;
  const meanInflow = options.meanInflowM3h ?? rng.uniform(1.5, 3);
  const flow0 = options.flowM3h ?? [20, 20];
  const rainy = new Set(options.rainyDays ?? []);
  const rainFactor = options.rainFactor ?? 3;
  const span = endS - startS;
  // day-to-day variation of a dry day (±8 %), and a slow wander within the day (per 10 min, ±4 %)
  const dayFactor: number[] = [];
  for (let d = 0; d * DAY < span; d++)
    dayFactor.push(1 + Math.max(-0.15, Math.min(0.15, rng.normal(0, 0.06))));
  const wander: number[] = [];
  for (let b = 0; b * 600 < span; b++) wander.push(1 + Math.max(-0.08, Math.min(0.08, rng.normal(0, 0.03))));

  const inflowAt = (t: number): number => {
    const since = t - startS;
    const d = Math.floor(since / DAY);
    const rain = rainy.has(d) ? rainFactor : 1;
    return (
      (meanInflow *
        (dayFactor[d] ?? 1) *
        rain *
        diurnal(((t % DAY) + DAY) % DAY) *
        (wander[Math.floor(since / 600)] ?? 1)) /
      3600
    );
  };
  const flowAt = (channel: number, t: number): number => {
    const q0 = flow0[channel] ?? 20;
    if (options.wear?.channel !== channel) return q0 / 3600;
    const x = (t - startS) / span;
    return (q0 + (options.wear.toM3h - q0) * x) / 3600;
  };

  const cycles: [Cycle[], Cycle[]] = [[], []];
  const runs: WetWellRun[] = [];
  const days: WetWellDay[] = [];
  for (let d = 0; d * DAY < span; d++)
    days.push({ start: startS + d * DAY, inflowM3: 0, rainy: rainy.has(d) });

  // level above the stop float, m³; the well starts half full
  let level = volume * rng.uniform(0.2, 0.8);
  let duty = 0; // the pump whose turn is next
  const running: (null | { start: number; pumped: number })[] = [null, null];
  const highFloat = volume * 1.25;
  // keep runs away from the range's edges, so the first and last are whole
  const margin = 600;
  for (let t = startS; t < endS; t++) {
    const qin = inflowAt(t);
    const day = days[Math.floor((t - startS) / DAY)];
    if (day) day.inflowM3 += qin;
    level += qin;
    for (const ch of [0, 1]) {
      const r = running[ch];
      if (r) {
        const q = flowAt(ch, t);
        level -= q;
        r.pumped += q;
      }
    }
    const anyRunning = running[0] !== null || running[1] !== null;
    if (level <= 0 && anyRunning) {
      for (const ch of [0, 1]) {
        const r = running[ch];
        if (!r) continue;
        const end = t + 1;
        (cycles[ch] as Cycle[]).push({ start: r.start, end });
        runs.push({ channel: ch, start: r.start, end, flowM3h: (r.pumped / (end - r.start)) * 3600 });
        running[ch] = null;
      }
      level = 0;
    } else if (!anyRunning && level >= volume && t + 1 >= startS + margin && t + 1 < endS - 2 * 3600) {
      running[duty] = { start: t + 1, pumped: 0 };
      duty = 1 - duty;
    } else if (anyRunning && level >= highFloat && (running[0] === null || running[1] === null)) {
      const other = running[0] === null ? 0 : 1;
      running[other] = { start: t + 1, pumped: 0 };
    }
    if (level < 0) level = 0;
  }
  // a run still going at the end is dropped from the plan (it would not be whole)
  return {
    cycles,
    truth: { volumeM3: volume, runs: runs.sort((a, b) => a.start - b.start || a.channel - b.channel), days },
  };
}
