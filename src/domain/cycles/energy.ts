import type { CycleSample } from "./types.js";

export interface RunEstimate {
  runtimeMin: number;
  energyWh: number;
}

/**
 * Running time and energy of one cycle whose active samples span the minutes [startMinute, lastActiveMinute].
 *
 * `samples` are the readings of minutes startMinute − 1 (when there is one) … lastActiveMinute + 1 (sorted):
 * the energy of minute m is reported by the reading of minute m + 1 (`energyLastMinuteWh`), so the reading
 * just after the last active one — even an inactive one — carries the energy of the cycle's last minute, and
 * the first active reading carries that of the minute the pump started in.
 */
export function estimateRun(
  samples: readonly CycleSample[],
  startMinute: number,
  lastActiveMinute: number,
  avgPowerW: number,
  /** false when the minute before the start belongs to the cycle before (an active reading there) */
  countMinuteBefore = true,
): RunEstimate {
  const byMinute = new Map<number, CycleSample>();
  for (const s of samples) byMinute.set(s.minute, s);

  // A pump motor draws a near-constant power while it runs, so a minute's energy divided by the running
  // power (the cycle's mean power over one minute) is the share of that minute it actually ran: this
  // removes the start and stop minutes' partial running that "last − first sample" can't see. Start-up
  // surges can push a full minute above the mean, hence the clip at 1.
  const fullMinuteWh = avgPowerW / 60;
  const minuteEnergyWh = new Map<number, number>();
  let runtimeMin = 0;
  // The minute before the first active reading: a pump that started at 10:00:50 shows 0 W at the 10:00
  // reading and runs at the 10:01 one, yet its first 10 s are in the energy that the 10:01 reading reports
  // for [10:00, 10:01). Leaving that minute out lost half a minute a run on average: volume and energy 6–8 %
  // below the simulator's truth (issue 21). Only a measured energy counts there, never a fallback minute.
  const before = countMinuteBefore
    ? knownMinuteEnergyWh(byMinute.get(startMinute - 1), byMinute.get(startMinute))
    : null;
  if (before !== null && before > 0) {
    minuteEnergyWh.set(startMinute - 1, before);
    runtimeMin += fullMinuteWh > 0 ? Math.min(1, before / fullMinuteWh) : 0;
  }
  for (let m = startMinute; m <= lastActiveMinute; m++) {
    const energy = knownMinuteEnergyWh(byMinute.get(m), byMinute.get(m + 1));
    if (energy === null) {
      // Unmeasured minute inside the cycle: counted as running, as the fallback (durationMin + 1) does.
      runtimeMin += 1;
      continue;
    }
    minuteEnergyWh.set(m, energy);
    runtimeMin += fullMinuteWh > 0 ? Math.min(1, energy / fullMinuteWh) : 1;
  }

  let energyWh = 0;
  for (const e of minuteEnergyWh.values()) energyWh += e;
  const covered = new Set(minuteEnergyWh.keys());

  // Minutes the per-minute data misses: the counter still brackets them when two readings carrying it
  // surround them (a data gap inside the cycle); the span's energy minus what is already known is theirs.
  const counterPoints = samples.filter((s) => s.energyTotalWh !== null);
  for (let i = 0; i + 1 < counterPoints.length; i++) {
    const p = counterPoints[i];
    const q = counterPoints[i + 1];
    if (p === undefined || q === undefined || p.energyTotalWh === null || q.energyTotalWh === null) continue;
    const from = Math.max(p.minute, startMinute);
    const to = Math.min(q.minute, lastActiveMinute + 1);
    let knownWh = 0;
    const missing: number[] = [];
    for (let m = from; m < to; m++) {
      const e = minuteEnergyWh.get(m);
      if (e === undefined) missing.push(m);
      else knownWh += e;
    }
    if (missing.length === 0) continue;
    energyWh += Math.max(0, counterDeltaWh(p.energyTotalWh, q.energyTotalWh) - knownWh);
    for (const m of missing) covered.add(m);
  }

  // No measurement at all for these minutes: mean power over a full minute each.
  for (let m = startMinute; m <= lastActiveMinute; m++) {
    if (!covered.has(m)) energyWh += fullMinuteWh;
  }

  return { runtimeMin, energyWh };
}

/** Energy of minute m from the reading of m + 1, else from the counter of m and m + 1; null when unknown. */
function knownMinuteEnergyWh(current: CycleSample | undefined, next: CycleSample | undefined): number | null {
  if (next?.energyLastMinuteWh != null) return Math.max(0, next.energyLastMinuteWh);
  if (current?.energyTotalWh != null && next?.energyTotalWh != null) {
    return counterDeltaWh(current.energyTotalWh, next.energyTotalWh);
  }
  return null;
}

/**
 * The counter restarts from 0 when the meter reboots: a decrease is a reset, and the value after it is
 * the energy counted since the reset (a lower bound), never a negative energy.
 */
export function counterDeltaWh(beforeWh: number, afterWh: number): number {
  return afterWh >= beforeWh ? afterWh - beforeWh : Math.max(0, afterWh);
}
