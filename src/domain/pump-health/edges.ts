import type { CycleSample, DetectedCycle } from "../cycles/types.js";

export type EdgeResolution = "second" | "minute";

/** When a pump really started and stopped, unix seconds (fractional). */
export interface RunEdges {
  startS: number;
  /** null while the cycle is ongoing */
  stopS: number | null;
  /** "minute" when a reading lacked the per-minute energy: that edge is the middle of its minute (±30 s) */
  resolution: EdgeResolution;
}

/**
 * The start and stop of a detected cycle to the second.
 *
 * A reading of minute m shows the power at the boundary 60·m and the energy of minute m − 1. The first active
 * reading (minute M) therefore carries the energy of the minute the pump started in, and the reading after
 * the last active one (minute L + 1) that of the minute it stopped in. A motor draws a near-constant power,
 * so that energy over a full minute's worth at the cycle's mean power is the share of the minute it ran:
 * it started at 60·M − 60·share and stopped at 60·L + 60·share. Without that energy (imported history, a
 * lost reading) the edge is the middle of the unknown minute.
 *
 * `samples` are the channel's readings around the cycle, sorted by minute (those detectCycles saw).
 */
export function runEdges(samples: readonly CycleSample[], cycle: DetectedCycle): RunEdges {
  const fullMinuteWh = cycle.avgPowerW / 60;
  const share = (minute: number): number | null => {
    const e = sampleAt(samples, minute)?.energyLastMinuteWh;
    if (e === null || e === undefined || !(fullMinuteWh > 0)) return null;
    return Math.min(1, Math.max(0, e / fullMinuteWh));
  };
  let resolution: EdgeResolution = "second";
  const startShare = share(cycle.startMinute);
  if (startShare === null) resolution = "minute";
  const startS = cycle.startMinute * 60 - 60 * (startShare ?? 0.5);
  if (cycle.ongoing || cycle.endMinute === null) return { startS, stopS: null, resolution };
  const stopShare = share(cycle.lastActiveMinute + 1);
  if (stopShare === null) resolution = "minute";
  const stopS = Math.max(startS, cycle.lastActiveMinute * 60 + 60 * (stopShare ?? 0.5));
  return { startS, stopS, resolution };
}

/** Binary search: samples are sorted by minute, one per minute. */
function sampleAt(samples: readonly CycleSample[], minute: number): CycleSample | undefined {
  let lo = 0;
  let hi = samples.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = (samples[mid] as CycleSample).minute;
    if (m === minute) return samples[mid];
    if (m < minute) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}
