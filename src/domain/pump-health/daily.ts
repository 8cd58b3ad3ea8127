import { median } from "../cycles/detect.js";
import type { MeasuredCycle, SumpCycle } from "./volumetric.js";

/** A cycle of the sump with what the daily figures add up. */
export interface HealthCycle extends SumpCycle {
  runtimeMin: number;
  energyWh: number;
}

export interface PumpDay {
  date: string;
  starts: number;
  runtimeMin: number;
  energyKwh: number;
  /** median Q of the day's qualifying cycles of this pump, m³/h; null when none */
  measuredFlowM3h: number | null;
  /** Σ Q·t1 over this pump's cycles (a cycle that does not qualify counts at the pump's flow of the day) */
  pumpedM3: number | null;
  /** water that entered the sump that day (all its pumps) */
  inflowM3: number | null;
  kwhPerM3: number | null;
}

export interface DayBounds {
  date: string;
  /** unix seconds: [startS, endS) */
  startS: number;
  endS: number;
}

export interface PumpDaysInput {
  channel: number;
  /** every cycle of the sump's pumps (this one included) and their measurements, same order */
  cycles: readonly HealthCycle[];
  measured: readonly MeasuredCycle[];
  volumeM3: number | null;
  days: readonly DayBounds[];
  /** the pump's débit effectif, m³/h, for the cycles of a day without any measured flow; null: none */
  flowRateOf: (channel: number, date: string) => number | null;
  /** the local date of a unix second */
  dateOf: (unixS: number) => string;
}

/**
 * The daily figures of one pump of a sump, and the sump's daily inflow. A cycle that does not qualify still
 * moved water: it counts at the median measured flow of its pump that day, else at the pump's median over
 * the whole input, else at the débit effectif.
 */
export function pumpDays(input: PumpDaysInput): PumpDay[] {
  const { cycles, measured } = input;
  const perPumpDay = new Map<string, number[]>();
  const perPump = new Map<number, number[]>();
  const dates = cycles.map((c) => input.dateOf(c.startS ?? c.startMinute * 60));
  for (let i = 0; i < cycles.length; i++) {
    const m = measured[i] as MeasuredCycle;
    if (m.flowM3h === null) continue;
    const key = `${m.channel}/${dates[i]}`;
    (perPumpDay.get(key) ?? perPumpDay.set(key, []).get(key) ?? []).push(m.flowM3h);
    (perPump.get(m.channel) ?? perPump.set(m.channel, []).get(m.channel) ?? []).push(m.flowM3h);
  }
  const pumpMedian = new Map<number, number | null>();
  for (const [ch, flows] of perPump) pumpMedian.set(ch, median(flows));
  const dayMedian = new Map<string, number | null>();
  for (const [k, flows] of perPumpDay) dayMedian.set(k, median(flows));

  const pumped = pumpedVolumes(cycles, measured, dates, dayMedian, pumpMedian, input.flowRateOf);

  const inflow = inflowPerDay(cycles, measured, pumped, input.volumeM3, input.days);
  const own = new Map<string, { starts: number; runtime: number; energy: number; pumped: number | null }>();
  for (let i = 0; i < cycles.length; i++) {
    const c = cycles[i] as HealthCycle;
    if (c.channel !== input.channel || c.noise) continue;
    const date = dates[i] as string;
    const d = own.get(date) ?? { starts: 0, runtime: 0, energy: 0, pumped: 0 };
    d.starts++;
    d.runtime += c.runtimeMin;
    d.energy += c.energyWh;
    const p = pumped[i];
    d.pumped =
      d.pumped === null || p === null || p === undefined ? (c.ongoing ? d.pumped : null) : d.pumped + p;
    own.set(date, d);
  }
  return input.days.map((day, k) => {
    const d = own.get(day.date);
    const pumpedM3 = d ? d.pumped : 0;
    const energyKwh = d ? d.energy / 1000 : 0;
    return {
      date: day.date,
      starts: d?.starts ?? 0,
      runtimeMin: d?.runtime ?? 0,
      energyKwh,
      measuredFlowM3h: dayMedian.get(`${input.channel}/${day.date}`) ?? null,
      pumpedM3,
      inflowM3: inflow[k] ?? null,
      kwhPerM3: pumpedM3 !== null && pumpedM3 > 0 ? energyKwh / pumpedM3 : null,
    };
  });
}

/**
 * The water each cycle moved: Q·t1 when it qualifies, else its runtime at the median measured flow of its pump
 * that day, else the pump's median over the input, else the débit effectif; null when none is known (or the
 * cycle is still running); 0 for noise.
 */
export function pumpedVolumes(
  cycles: readonly HealthCycle[],
  measured: readonly MeasuredCycle[],
  dates: readonly string[],
  dayMedian: ReadonlyMap<string, number | null>,
  pumpMedian: ReadonlyMap<number, number | null>,
  flowRateOf: (channel: number, date: string) => number | null,
): (number | null)[] {
  return cycles.map((c, i) => {
    const m = measured[i] as MeasuredCycle;
    if (m.pumpedM3 !== null) return m.pumpedM3;
    if (c.ongoing || c.noise) return c.noise ? 0 : null;
    const date = dates[i] as string;
    const flow =
      dayMedian.get(`${c.channel}/${date}`) ?? pumpMedian.get(c.channel) ?? flowRateOf(c.channel, date);
    if (flow === null || flow === undefined) return null;
    const t1 = m.t1S ?? c.runtimeMin * 60;
    return (flow * t1) / 3600;
  });
}

/**
 * The sump's inflow per day from its cumulative inflow I(t), known at instants where the level is: at a stop
 * with no other pump running the level is at the stop float (I = all pumped so far), at the start of a cycle
 * whose fill was still it is V higher. Between those instants the inflow is taken as steady (linear), so a
 * day boundary falling in a fill is split in proportion. A day not bracketed by known instants is null.
 */
export function inflowPerDay(
  cycles: readonly SumpCycle[],
  measured: readonly MeasuredCycle[],
  pumped: readonly (number | null)[],
  volumeM3: number | null,
  days: readonly DayBounds[],
): (number | null)[] {
  const at = inflowCurve(cycles, measured, pumped, volumeM3);
  return days.map((d) => {
    const a = at(d.startS);
    const b = at(d.endS);
    return a === null || b === null ? null : Math.max(0, b - a);
  });
}

/**
 * The sump's cumulative inflow I(t), m³ since an arbitrary origin (see inflowPerDay): null outside the
 * instants where the level is known. Differences of it are the water that came in between two instants.
 */
export function inflowCurve(
  cycles: readonly SumpCycle[],
  measured: readonly MeasuredCycle[],
  pumped: readonly (number | null)[],
  volumeM3: number | null,
): InflowCurve {
  const order = cycles.map((_, i) => i).filter((i) => (cycles[i] as SumpCycle).startS !== null);
  order.sort((a, b) => (cycles[a]?.startS as number) - (cycles[b]?.startS as number));
  const points: { t: number; i: number }[] = [];
  // cumulative pumped, in stop order; a cycle with an unknown volume breaks the chain
  const stops = order
    .filter((i) => cycles[i]?.stopS !== null)
    .sort((a, b) => (cycles[a]?.stopS as number) - (cycles[b]?.stopS as number));
  let cumulative = 0;
  let broken = false;
  const cumulativeAtStop = new Map<number, number | null>();
  for (const i of stops) {
    const p = pumped[i];
    if (p === null || p === undefined) broken = true;
    else cumulative += p;
    cumulativeAtStop.set(i, broken ? null : cumulative);
  }
  if (broken) {
    // restart the chain after the last unknown volume: earlier points are unusable
    let restart = 0;
    for (let k = 0; k < stops.length; k++) if (pumped[stops[k] as number] == null) restart = k + 1;
    cumulative = 0;
    for (let k = 0; k < stops.length; k++) {
      const i = stops[k] as number;
      if (k < restart) cumulativeAtStop.set(i, null);
      else {
        cumulative += pumped[i] as number;
        cumulativeAtStop.set(i, cumulative);
      }
    }
  }
  // stop points: nobody else running at that stop
  // In start order, the two latest stops among the cycles started so far (and whose they are): another
  // cycle running at t started before t and stops after it. Comparing every pair was quadratic (a year of a
  // sump: 36 M comparisons).
  const runs = order.map((i) => cycles[i] as SumpCycle);
  const top1: number[] = [];
  const top1Of: number[] = [];
  const top2: number[] = [];
  let a = Number.NEGATIVE_INFINITY;
  let aOf = -1;
  let b = Number.NEGATIVE_INFINITY;
  runs.forEach((o, k) => {
    const stop = o.stopS ?? Number.POSITIVE_INFINITY;
    if (stop > a) {
      b = a;
      a = stop;
      aOf = order[k] as number;
    } else if (stop > b) b = stop;
    top1.push(a);
    top1Of.push(aOf);
    top2.push(b);
  });
  const lastStartedBefore = (t: number): number => {
    let lo = 0;
    let hi = runs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (((runs[mid] as SumpCycle).startS as number) < t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  for (const i of stops) {
    const c = cycles[i] as SumpCycle;
    const t = c.stopS as number;
    const j = lastStartedBefore(t);
    const latestOther =
      j < 0 ? Number.NEGATIVE_INFINITY : top1Of[j] === i ? (top2[j] as number) : (top1[j] as number);
    const busy = latestOther > t;
    const value = cumulativeAtStop.get(i);
    if (!busy && value !== null && value !== undefined) points.push({ t, i: value });
  }
  // start points: a still fill before, V above the previous stop's level
  if (volumeM3 !== null && volumeM3 > 0) {
    let prevStopIdx = -1;
    for (const i of order) {
      const c = cycles[i] as SumpCycle;
      const m = measured[i] as MeasuredCycle;
      while (
        prevStopIdx + 1 < stops.length &&
        (cycles[stops[prevStopIdx + 1] as number]?.stopS as number) <= (c.startS as number)
      )
        prevStopIdx++;
      if (prevStopIdx < 0 || m.t2S === null) continue;
      const before = cumulativeAtStop.get(stops[prevStopIdx] as number);
      if (before === null || before === undefined) continue;
      if (m.reason === "other_pump_during_fill" || m.reason === "long_silence" || m.reason === "meter_silent")
        continue;
      points.push({ t: c.startS as number, i: before + volumeM3 });
    }
  }
  points.sort((a, b) => a.t - b.t);
  const at = (t: number): number | null => {
    if (points.length === 0 || t < (points[0] as { t: number }).t || t > (points.at(-1) as { t: number }).t)
      return null;
    let lo = 0;
    let hi = points.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((points[mid] as { t: number }).t <= t) lo = mid;
      else hi = mid;
    }
    const a = points[lo] as { t: number; i: number };
    const b = points[hi] as { t: number; i: number };
    if (b.t === a.t) return a.i;
    return a.i + ((b.i - a.i) * (t - a.t)) / (b.t - a.t);
  };
  const lastKnownAt = (t: number): number | null => {
    let lo = 0;
    let hi = points.length - 1;
    let found: number | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = (points[mid] as { t: number }).t;
      if (p <= t) {
        found = p;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  return Object.assign(at, { lastKnownAt });
}

/** I(t), and the last instant up to t where the level was known (what a look at t can use). */
export type InflowCurve = ((t: number) => number | null) & { lastKnownAt: (t: number) => number | null };

/**
 * The pump's baseline: the median measured flow of the first `baselineDays` days with one, on or after
 * `sinceDate` (its last change of model or flow rate, or its last overhaul). Null until that many days exist.
 */
export function baselineFlow(
  days: readonly Pick<PumpDay, "date" | "measuredFlowM3h">[],
  sinceDate: string,
  baselineDays = 14,
): number | null {
  const flows: number[] = [];
  for (const d of days) {
    if (d.date < sinceDate || d.measuredFlowM3h === null) continue;
    flows.push(d.measuredFlowM3h);
    if (flows.length === baselineDays) return median(flows);
  }
  return null;
}

/** The last `window` days' median measured flow against the baseline, %; null when either is missing. */
export function flowChangePercent(
  days: readonly Pick<PumpDay, "measuredFlowM3h">[],
  baseline: number | null,
  window = 7,
): number | null {
  if (baseline === null || !(baseline > 0)) return null;
  const recent = median(
    days.slice(-window).flatMap((d) => (d.measuredFlowM3h === null ? [] : [d.measuredFlowM3h])),
  );
  return recent === null ? null : (recent / baseline - 1) * 100;
}
