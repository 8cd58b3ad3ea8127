import { estimateRun } from "./energy.js";
import { CycleError } from "./errors.js";
import { type CycleSample, type CycleSettings, DEFAULT_CYCLE_SETTINGS, type DetectedCycle } from "./types.js";

/**
 * A run shorter than minCycleMin that draws at least this much is a pump's: the smallest lift pump of the
 * fleet draws 400 W, while what draws less (a contactor coil, a sensor, a glitch of the meter) moves no water.
 * It was all set aside as noise, with its volume: 82 runs beside the demo's 1,041 cycles (issue 21,
 * decision 0016).
 */
export const SHORT_PUMP_RUN_MIN_W = 100;

const MIN_PLAUSIBLE_VOLTAGE_V = 180;
const MAX_PLAUSIBLE_VOLTAGE_V = 260;

export function resolveCycleSettings(settings: Partial<CycleSettings> = {}): CycleSettings {
  const resolved: CycleSettings = {
    activityThresholdW: settings.activityThresholdW ?? DEFAULT_CYCLE_SETTINGS.activityThresholdW,
    stopGapMin: settings.stopGapMin ?? DEFAULT_CYCLE_SETTINGS.stopGapMin,
    minCycleMin: settings.minCycleMin ?? DEFAULT_CYCLE_SETTINGS.minCycleMin,
  };
  if (!Number.isFinite(resolved.activityThresholdW) || resolved.activityThresholdW < 0) {
    throw new CycleError("invalid_cycle_settings", "Le seuil d'activité doit être un nombre positif ou nul");
  }
  if (!Number.isFinite(resolved.stopGapMin) || resolved.stopGapMin <= 0) {
    throw new CycleError("invalid_cycle_settings", "L'écart d'arrêt doit être un nombre de minutes positif");
  }
  if (!Number.isFinite(resolved.minCycleMin) || resolved.minCycleMin < 0) {
    throw new CycleError("invalid_cycle_settings", "La durée minimale de cycle doit être positive ou nulle");
  }
  return resolved;
}

/**
 * Cycles of ONE (device, channel), oldest first.
 *
 * - Active sample: apowerW > activityThresholdW. An inactive one (apowerW ≤ threshold, e.g. 0 W) closes
 *   the cycle in progress; a sample whose apowerW is null says nothing about running and neither extends
 *   nor closes a cycle (its energy fields are still used).
 * - Consecutive active samples belong to one cycle while they are less than stopGapMin minutes apart.
 * - The last cycle is ongoing when no inactive sample follows it and nowMinute − lastActiveMinute <
 *   stopGapMin. Ongoing cycles are never noise and have endMinute null.
 *
 * `samples` must be sorted by minute with one sample per minute (the store's unique key guarantees it).
 */
export function detectCycles(
  samples: readonly CycleSample[],
  settings: Partial<CycleSettings>,
  nowMinute: number,
): DetectedCycle[] {
  const { activityThresholdW, stopGapMin, minCycleMin } = resolveCycleSettings(settings);
  if (!Number.isFinite(nowMinute)) throw new CycleError("invalid_minute", "Minute courante invalide");
  assertSortedMinutes(samples);

  const cycles: DetectedCycle[] = [];
  let firstIndex = -1;
  let lastActiveIndex = -1;

  const close = (ongoingAllowed: boolean): void => {
    if (firstIndex < 0) return;
    cycles.push(
      buildCycle(samples, firstIndex, lastActiveIndex, activityThresholdW, minCycleMin, (lastActive) => {
        return ongoingAllowed && nowMinute - lastActive < stopGapMin;
      }),
    );
    firstIndex = -1;
    lastActiveIndex = -1;
  };

  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] as CycleSample;
    if (sample.apowerW === null) continue;
    if (sample.apowerW <= activityThresholdW) {
      close(false);
      continue;
    }
    const previous = samples[lastActiveIndex];
    if (previous !== undefined && sample.minute - previous.minute >= stopGapMin) close(false);
    if (firstIndex < 0) firstIndex = i;
    lastActiveIndex = i;
  }
  close(true);
  return cycles;
}

function buildCycle(
  samples: readonly CycleSample[],
  firstIndex: number,
  lastActiveIndex: number,
  activityThresholdW: number,
  minCycleMin: number,
  isOngoing: (lastActiveMinute: number) => boolean,
): DetectedCycle {
  const first = samples[firstIndex] as CycleSample;
  const lastActive = samples[lastActiveIndex] as CycleSample;

  let powerSumW = 0;
  let count = 0;
  let currentSumA = 0;
  let currentCount = 0;
  const voltagesV: number[] = [];
  for (let i = firstIndex; i <= lastActiveIndex; i++) {
    const s = samples[i] as CycleSample;
    if (s.apowerW === null || s.apowerW <= activityThresholdW) continue;
    powerSumW += s.apowerW;
    count++;
    if (s.currentA !== null) {
      currentSumA += s.currentA;
      currentCount++;
    }
    if (
      s.voltageV !== null &&
      s.voltageV >= MIN_PLAUSIBLE_VOLTAGE_V &&
      s.voltageV <= MAX_PLAUSIBLE_VOLTAGE_V
    ) {
      voltagesV.push(s.voltageV);
    }
  }
  const avgPowerW = powerSumW / count;

  // The reading just after the last active one reports the energy of the cycle's last minute.
  let energyEndIndex = lastActiveIndex;
  const next = samples[lastActiveIndex + 1];
  if (next !== undefined && next.minute === lastActive.minute + 1) energyEndIndex = lastActiveIndex + 1;
  // … and the reading just before the first active one, when it is the minute before, brackets the start
  // (the minute the pump started in) — unless it is active itself: then that minute is the cycle before's.
  const prior = samples[firstIndex - 1];
  const adjacent = prior !== undefined && prior.minute === first.minute - 1;
  const priorActive = adjacent && prior.apowerW !== null && prior.apowerW > activityThresholdW;
  const { runtimeMin, energyWh } = estimateRun(
    samples.slice(adjacent ? firstIndex - 1 : firstIndex, energyEndIndex + 1),
    first.minute,
    lastActive.minute,
    avgPowerW,
    !priorActive,
  );

  const durationMin = lastActive.minute - first.minute;
  const ongoing = isOngoing(lastActive.minute);
  return {
    startMinute: first.minute,
    endMinute: ongoing ? null : lastActive.minute,
    lastActiveMinute: lastActive.minute,
    ongoing,
    noise:
      !ongoing && durationMin < minCycleMin && avgPowerW < Math.max(SHORT_PUMP_RUN_MIN_W, activityThresholdW),
    samples: count,
    durationMin,
    runtimeMin,
    avgPowerW,
    avgCurrentA: currentCount > 0 ? currentSumA / currentCount : null,
    medianVoltageV: median(voltagesV),
    energyWh,
  };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

function assertSortedMinutes(samples: readonly CycleSample[]): void {
  let previous = Number.NEGATIVE_INFINITY;
  for (const s of samples) {
    if (!Number.isInteger(s.minute)) {
      throw new CycleError("invalid_samples", "Les minutes des relevés doivent être des entiers");
    }
    if (s.minute <= previous) {
      throw new CycleError("invalid_samples", "Les relevés doivent être triés par minute, un par minute");
    }
    previous = s.minute;
  }
}
