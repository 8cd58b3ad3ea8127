import type { EdgeResolution } from "./edges.js";
import { silenceDuring } from "./silences.js";

/** A cycle of one pump of a sump, as the volumetric method needs it. */
export interface SumpCycle {
  channel: number;
  startMinute: number;
  /** run edges to the second (unix s); null for a cycle stored before they were computed */
  startS: number | null;
  stopS: number | null;
  resolution: EdgeResolution | null;
  ongoing: boolean;
  noise: boolean;
}

export type DisqualifyReason =
  | "no_sump_volume"
  | "ongoing"
  | "noise"
  | "no_edges"
  | "no_fill_before"
  | "other_pump_during_fill"
  | "other_pump_during_run"
  | "long_silence"
  | "meter_silent"
  | "short_fill";

export interface MeasuredCycle {
  channel: number;
  startMinute: number;
  /** runtime, s (stop − start to the second) */
  t1S: number | null;
  /** fill time before the run: from the last stop of any pump of the sump to this start, s */
  t2S: number | null;
  qualifies: boolean;
  reason: DisqualifyReason | null;
  /** Q = V·(t1 + t2)/(t1·t2), m³/h; null when the cycle does not qualify */
  flowM3h: number | null;
  /** Q·t1, m³ (= V + what flowed in during the run); null when the cycle does not qualify */
  pumpedM3: number | null;
  resolution: EdgeResolution | null;
}

/**
 * A fill longer than this is not a steady inflow: the meter was silent (cycles of the sump may be missing) or
 * the station was stopped. Night fills of small plants are an hour or two.
 */
export const MAX_FILL_S = 8 * 3600;
/** A fill shorter than this makes Q hinge on a few seconds of edge error. */
export const MIN_FILL_S = 60;

/**
 * The volumetric ("pump-down") flow of every cycle of one sump. `cycles` are those of all the sump's pumps
 * (any order); the answer is in the same order. A cycle qualifies when the sump was still during its fill
 * (no pump of the sump running from the last stop to its start), no other pump joined it while it ran, both
 * its edges are known and the fill is plausible (see MAX_FILL_S, MIN_FILL_S) and holds no silence of the meter
 * (`silentHours`, ascending unix hours: cycles of the sump may be missing in it, the fill would be too long).
 */
export function measureSump(
  cycles: readonly SumpCycle[],
  volumeM3: number | null,
  silentHours: readonly number[] = [],
): MeasuredCycle[] {
  const order = cycles.map((_, i) => i);
  const startOf = (c: SumpCycle) => c.startS ?? c.startMinute * 60;
  order.sort((a, b) => startOf(cycles[a] as SumpCycle) - startOf(cycles[b] as SumpCycle));
  const out: MeasuredCycle[] = new Array(cycles.length);
  // the latest stop seen so far (cycles sorted by start): a cycle that started earlier and stops later than
  // this one's start was running at its start
  let lastStop: number | null = null;
  let runningUntil = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    const c = cycles[i] as SumpCycle;
    const t1S = c.startS !== null && c.stopS !== null ? c.stopS - c.startS : null;
    const start = startOf(c);
    const stop = c.stopS ?? (c.ongoing ? Number.POSITIVE_INFINITY : (c.startMinute + 1) * 60);
    const runningAtStart = runningUntil > start;
    const t2S = lastStop !== null && !runningAtStart ? start - lastStop : null;
    const next = order[k + 1];
    const nextStart = next === undefined ? Number.POSITIVE_INFINITY : startOf(cycles[next] as SumpCycle);
    let reason: DisqualifyReason | null = null;
    if (volumeM3 === null || !(volumeM3 > 0)) reason = "no_sump_volume";
    else if (c.ongoing) reason = "ongoing";
    else if (c.noise) reason = "noise";
    else if (c.startS === null || c.stopS === null) reason = "no_edges";
    else if (runningAtStart) reason = "other_pump_during_fill";
    else if (nextStart < stop) reason = "other_pump_during_run";
    else if (lastStop === null) reason = "no_fill_before";
    else if ((t2S as number) > MAX_FILL_S) reason = "long_silence";
    else if (silenceDuring(silentHours, lastStop, start)) reason = "meter_silent";
    else if ((t2S as number) < MIN_FILL_S) reason = "short_fill";
    else if (t1S === null || !(t1S > 0)) reason = "no_edges";
    let flowM3h: number | null = null;
    let pumpedM3: number | null = null;
    if (reason === null && volumeM3 !== null && t1S !== null && t2S !== null) {
      const flowM3s = (volumeM3 * (t1S + t2S)) / (t1S * t2S);
      flowM3h = flowM3s * 3600;
      pumpedM3 = flowM3s * t1S;
    }
    out[i] = {
      channel: c.channel,
      startMinute: c.startMinute,
      t1S,
      t2S,
      qualifies: reason === null,
      reason,
      flowM3h,
      pumpedM3,
      resolution: c.resolution,
    };
    if (Number.isFinite(stop)) {
      lastStop = lastStop === null ? stop : Math.max(lastStop, stop);
    }
    runningUntil = Math.max(runningUntil, stop);
  }
  return out;
}
