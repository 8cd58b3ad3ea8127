import type { ConfigVersion, PumpType } from "../config-versions/index.js";
import type { DetectedCycle } from "../cycles/index.js";
import { co2eAvoided, electricityCo2eKg, type GridFactor, mesRetainedKg } from "./co2e.js";
import { ImpactError } from "./errors.js";
import { type FactorSet, FP_2026 } from "./factor-sets.js";
import { volumeM3 } from "./volume.js";

export interface CycleWithVersion {
  cycle: DetectedCycle;
  /** the version in force on startDate; null when the channel has no configuration at all */
  version: ConfigVersion | null;
  /** local calendar date ("YYYY-MM-DD") of the cycle's start: the day it counts in */
  startDate: string;
}

export interface CycleImpact {
  pumpType: PumpType | null;
  flowRateM3h: number | null;
  volumeM3: number | null;
  co2eAvoidedKg: number | null;
  energyKwh: number;
}

/** Figures of one cycle as listed (ongoing cycles so far, noise included); totals decide what counts. */
export function cycleImpact(
  cycle: DetectedCycle,
  version: ConfigVersion | null,
  factorSet: FactorSet = FP_2026,
): CycleImpact {
  const volume = volumeM3(cycle.runtimeMin, version?.flowRateM3h ?? null, version?.pumpType ?? null);
  return {
    pumpType: version?.pumpType ?? null,
    flowRateM3h: version?.flowRateM3h ?? null,
    volumeM3: volume,
    co2eAvoidedKg:
      volume === null || version === null
        ? null
        : co2eAvoided({ volumeM3: volume, dbo5MgL: version.dbo5MgL, dcoMgL: version.dcoMgL }, factorSet)
            .co2eAvoidedKg,
    energyKwh: cycle.energyWh / 1000,
  };
}

/** Local calendar dates, both included; `today` is the local date now (never read from a clock here). */
export interface SummaryRange {
  fromDate: string;
  toDate: string;
  today: string;
}

export interface SummaryOptions {
  factorSet?: FactorSet;
  gridFactor?: GridFactor | null;
}

export interface CycleSummary {
  /** cycles that are not noise, ongoing included */
  cycles: number;
  noiseCycles: number;
  ongoing: number;
  /** mean duration of completed, non-noise cycles; null when there is none */
  avgDurationMin: number | null;
  medianPowerW: number | null;
  powerRangeW: [number, number] | null;
  medianCurrentA: number | null;
  currentRangeA: [number, number] | null;
  /** completed, non-noise lift-station cycles with a flow rate */
  treatedVolumeM3: number;
  treatedVolumePerDayM3: number;
  /** whole days the per-day figure divides by */
  wholeDays: number;
  /** completed, non-noise lift-station cycles that have no flow rate, hence no volume */
  cyclesWithoutFlowRate: number;
  energyKwh: number;
  electricityCo2eKg: number | null;
  co2eAvoidedKg: number;
  ch4AvoidedKg: number;
  /** suspended solids kept out of the environment by the treated volume: V × MES / 1000, a physical indicator */
  mesRetainedKg: number;
  reductionPercent: number;
  factorSet: string;
}

/**
 * Figures of the period for the cycles that start in it. Pass every cycle, noise included: the
 * summary decides what counts, so it does not change when the list hides noise.
 *
 * - Durations, medians and ranges: completed, non-noise cycles (medians and ranges of per-cycle averages,
 *   values > 0 only; medians resist start-up peaks).
 * - Treated volume and CO₂e avoided: completed, non-noise `relevage` cycles, each with the flow rate and
 *   DBO5 of its own version (an ongoing cycle has no final runtime yet).
 * - Energy: every cycle, ongoing and noise included: the meter measured that consumption.
 */
export function summarizeCycles(
  items: readonly CycleWithVersion[],
  range: SummaryRange,
  options: SummaryOptions = {},
): CycleSummary {
  const factorSet = options.factorSet ?? FP_2026;
  const days = wholeDaysOf(range);

  let noiseCycles = 0;
  let ongoing = 0;
  let energyWh = 0;
  const durations: number[] = [];
  const powers: number[] = [];
  const currents: number[] = [];
  let treatedVolumeM3 = 0;
  let wholeDaysVolumeM3 = 0;
  let cyclesWithoutFlowRate = 0;
  let co2eAvoidedKg = 0;
  let ch4AvoidedKg = 0;
  let ch4ReferenceKg = 0;
  let mesKg = 0;

  for (const { cycle, version, startDate } of items) {
    energyWh += cycle.energyWh;
    if (cycle.noise) noiseCycles++;
    if (cycle.ongoing) ongoing++;
    if (cycle.noise || cycle.ongoing) continue;

    durations.push(cycle.durationMin);
    if (cycle.avgPowerW > 0) powers.push(cycle.avgPowerW);
    if (cycle.avgCurrentA !== null && cycle.avgCurrentA > 0) currents.push(cycle.avgCurrentA);

    if (version?.pumpType !== "relevage") continue;
    const volume = volumeM3(cycle.runtimeMin, version.flowRateM3h, version.pumpType);
    if (volume === null) {
      cyclesWithoutFlowRate++;
      continue;
    }
    treatedVolumeM3 += volume;
    if (days.lastDate !== null && startDate >= range.fromDate && startDate <= days.lastDate) {
      wholeDaysVolumeM3 += volume;
    }
    const co2e = co2eAvoided(
      { volumeM3: volume, dbo5MgL: version.dbo5MgL, dcoMgL: version.dcoMgL },
      factorSet,
    );
    co2eAvoidedKg += co2e.co2eAvoidedKg;
    ch4AvoidedKg += co2e.ch4AvoidedKg;
    ch4ReferenceKg += co2e.ch4ReferenceKg;
    mesKg += mesRetainedKg(volume, version.mesMgL);
  }

  const energyKwh = energyWh / 1000;
  return {
    cycles: items.length - noiseCycles,
    noiseCycles,
    ongoing,
    avgDurationMin: durations.length > 0 ? durations.reduce((a, b) => a + b, 0) / durations.length : null,
    medianPowerW: median(powers),
    powerRangeW: rangeOf(powers),
    medianCurrentA: median(currents),
    currentRangeA: rangeOf(currents),
    treatedVolumeM3,
    treatedVolumePerDayM3: days.count > 0 ? wholeDaysVolumeM3 / days.count : 0,
    wholeDays: days.count,
    cyclesWithoutFlowRate,
    energyKwh,
    electricityCo2eKg: electricityCo2eKg(energyKwh, options.gridFactor ?? null),
    co2eAvoidedKg,
    ch4AvoidedKg,
    mesRetainedKg: mesKg,
    reductionPercent: ch4ReferenceKg > 0 ? (ch4AvoidedKg / ch4ReferenceKg) * 100 : 0,
    factorSet: factorSet.id,
  };
}

const MS_PER_DAY = 86_400_000;

/**
 * The whole days of the range: fromDate … toDate, both included, but never today or later — today is
 * still running, so counting it would lower the average (the predecessor's §2.3 defect divided by the
 * days without today yet still summed today's volume, and dropped the last day even in the past).
 * 2026-01-15 → 2026-02-14 viewed later is 31 days; viewed on 2026-02-14, it is 30 days and the
 * volume of 2026-02-14 is left out of the numerator too.
 */
export function wholeDaysOf(range: SummaryRange): { count: number; lastDate: string | null } {
  const from = dayNumber(range.fromDate);
  const to = dayNumber(range.toDate);
  const today = dayNumber(range.today);
  if (to < from) throw new ImpactError("invalid_range", "La date de fin précède la date de début");
  const last = Math.min(to, today - 1);
  if (last < from) return { count: 0, lastDate: null };
  return { count: last - from + 1, lastDate: new Date(last * MS_PER_DAY).toISOString().slice(0, 10) };
}

function dayNumber(date: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new ImpactError("invalid_range", `Date invalide : ${date}`);
  }
  return ms / MS_PER_DAY;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

function rangeOf(values: readonly number[]): [number, number] | null {
  return values.length > 0 ? [Math.min(...values), Math.max(...values)] : null;
}
