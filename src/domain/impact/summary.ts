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
  /** the water the cycle pumped by the volumetric method (Q·t1); null or absent: runtime × débit effectif */
  measuredM3: number | null = null,
): CycleImpact {
  const volume =
    measuredM3 !== null && version?.pumpType === "relevage"
      ? measuredM3
      : volumeM3(cycle.runtimeMin, version?.flowRateM3h ?? null, version?.pumpType ?? null);
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
  /**
   * The local dates of the period on which the channels were monitored: a reading that day, or inside
   * imported history. The per-day figure divides by the whole days among them, not by the weeks before the
   * meter existed (issue 21). Absent: every whole day counts.
   */
  monitoredDates?: readonly string[];
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
  /** whole days of the period (today, still running, excluded) */
  wholeDays: number;
  /** whole days on which the channels were monitored: what the per-day figure divides by */
  monitoredDays: number;
  /** completed, non-noise lift-station cycles that have no flow rate, hence no volume */
  cyclesWithoutFlowRate: number;
  /**
   * every kWh the meter measured in the period: the cycles' energy (by their start day, noise and ongoing
   * included) and the energy measured outside any cycle (issue 21)
   */
  energyKwh: number;
  /** of energyKwh, what no cycle holds (an idle channel's draw, a contactor); 0 from `summarizeCycles` */
  idleEnergyKwh: number;
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
 * - Energy: every cycle, ongoing and noise included: the meter measured that consumption. The energy measured
 *   outside any cycle is not in the cycles: `summarizeDays` adds it from the days' `idleEnergyWh`.
 *
 * The definition of the summary, cycle by cycle; the service computes the same figures from per-day sums
 * with `summarizeDays`, and a property test holds the two together.
 */
export function summarizeCycles(
  items: readonly CycleWithVersion[],
  range: SummaryRange,
  options: SummaryOptions = {},
): CycleSummary {
  const totals = new Totals(range, options);
  const durations: number[] = [];
  const powers: number[] = [];
  const currents: number[] = [];

  for (const { cycle, version, startDate } of items) {
    totals.energyWh += cycle.energyWh;
    if (cycle.noise) totals.noiseCycles++;
    if (cycle.ongoing) totals.ongoing++;
    if (cycle.noise || cycle.ongoing) continue;

    durations.push(cycle.durationMin);
    if (cycle.avgPowerW > 0) powers.push(cycle.avgPowerW);
    if (cycle.avgCurrentA !== null && cycle.avgCurrentA > 0) currents.push(cycle.avgCurrentA);
    totals.addClosedRuntime(cycle.runtimeMin, 1, version, startDate);
  }

  return totals.summary({
    cycles: items.length - totals.noiseCycles,
    avgDurationMin: durations.length > 0 ? durations.reduce((a, b) => a + b, 0) / durations.length : null,
    medianPowerW: median(powers),
    powerRangeW: rangeOf(powers),
    medianCurrentA: median(currents),
    currentRangeA: rangeOf(currents),
  });
}

/** The cycles of one channel that start on one local date, summed. */
export interface DayTotals {
  /** local date of the cycles' start: the day they count in */
  date: string;
  /** the version in force on that date; null when the channel has no configuration at all */
  version: ConfigVersion | null;
  /** every cycle, noise and ongoing included */
  cycles: number;
  noiseCycles: number;
  ongoing: number;
  /** of every cycle */
  energyWh: number;
  /** measured that day outside any cycle (absent: 0): part of the energy total, not of any cycle */
  idleEnergyWh?: number;
  /** completed, non-noise cycles, and the sums of their durations and runtimes */
  closed: number;
  closedDurationMin: number;
  closedRuntimeMin: number;
  /**
   * `volumetric` method: of the closed cycles, those with a measured volume (Q·t1), their count, runtime and
   * water; the others count at runtime × débit effectif. Absent: every cycle at the débit effectif.
   */
  measured?: { cycles: number; runtimeMin: number; volumeM3: number };
}

/** The two middle values of a sorted list (the same one when the count is odd) and its ends. */
export interface Spread {
  lowerMiddle: number;
  upperMiddle: number;
  min: number;
  max: number;
}

/** Over the period's completed, non-noise cycles, values > 0 only; null when there is none. */
export interface PeriodSpreads {
  avgPowerW: Spread | null;
  avgCurrentA: Spread | null;
}

/**
 * The figures of `summarizeCycles`, from sums per channel and local date instead of every cycle: the version
 * (flow rate, DBO5, MES) is fixed for a channel on a date, and volume, CO₂e and MES are linear in the runtime
 * for a fixed version. Medians and ranges are period-wide and cannot be summed, so they come from `spreads`.
 * Sums are added in another order than cycle by cycle: the floating figures may differ in their last bits.
 */
export function summarizeDays(
  days: readonly DayTotals[],
  spreads: PeriodSpreads,
  range: SummaryRange,
  options: SummaryOptions = {},
): CycleSummary {
  const totals = new Totals(range, options);
  let cycles = 0;
  let closed = 0;
  let durationMin = 0;
  for (const day of days) {
    cycles += day.cycles - day.noiseCycles;
    totals.energyWh += day.energyWh;
    totals.idleEnergyWh += day.idleEnergyWh ?? 0;
    totals.noiseCycles += day.noiseCycles;
    totals.ongoing += day.ongoing;
    closed += day.closed;
    durationMin += day.closedDurationMin;
    totals.addClosedRuntime(day.closedRuntimeMin, day.closed, day.version, day.date, day.measured);
  }
  const { avgPowerW: power, avgCurrentA: current } = spreads;
  return totals.summary({
    cycles,
    avgDurationMin: closed > 0 ? durationMin / closed : null,
    medianPowerW: power === null ? null : middleOf(power),
    powerRangeW: power === null ? null : [power.min, power.max],
    medianCurrentA: current === null ? null : middleOf(current),
    currentRangeA: current === null ? null : [current.min, current.max],
  });
}

type CycleFigures = Pick<
  CycleSummary,
  "cycles" | "avgDurationMin" | "medianPowerW" | "powerRangeW" | "medianCurrentA" | "currentRangeA"
>;

/** What both ways of summarising add up the same way: counts, energy, volume and its CO₂e. */
class Totals {
  noiseCycles = 0;
  ongoing = 0;
  energyWh = 0;
  idleEnergyWh = 0;
  private treatedVolumeM3 = 0;
  private wholeDaysVolumeM3 = 0;
  private cyclesWithoutFlowRate = 0;
  private co2eAvoidedKg = 0;
  private ch4AvoidedKg = 0;
  private ch4ReferenceKg = 0;
  private mesKg = 0;
  private readonly factorSet: FactorSet;
  private readonly days: { count: number; lastDate: string | null };
  /** whole days the channels were monitored */
  private readonly monitored: number;

  constructor(
    private readonly range: SummaryRange,
    private readonly options: SummaryOptions,
  ) {
    this.factorSet = options.factorSet ?? FP_2026;
    this.days = wholeDaysOf(range);
    this.monitored = monitoredWholeDays(range, this.days.lastDate);
  }

  /** `cycles` completed, non-noise cycles that ran `runtimeMin` in all, starting on `startDate`. */
  addClosedRuntime(
    runtimeMin: number,
    cycles: number,
    version: ConfigVersion | null,
    startDate: string,
    measured?: { cycles: number; runtimeMin: number; volumeM3: number },
  ) {
    if (version?.pumpType !== "relevage") return;
    const m = measured ?? { cycles: 0, runtimeMin: 0, volumeM3: 0 };
    const rest = volumeM3(Math.max(0, runtimeMin - m.runtimeMin), version.flowRateM3h, version.pumpType);
    if (rest === null) this.cyclesWithoutFlowRate += cycles - m.cycles;
    if (rest === null && m.cycles === 0) return;
    const volume = m.volumeM3 + (rest ?? 0);
    this.treatedVolumeM3 += volume;
    if (this.days.lastDate !== null && startDate >= this.range.fromDate && startDate <= this.days.lastDate) {
      this.wholeDaysVolumeM3 += volume;
    }
    const co2e = co2eAvoided(
      { volumeM3: volume, dbo5MgL: version.dbo5MgL, dcoMgL: version.dcoMgL },
      this.factorSet,
    );
    this.co2eAvoidedKg += co2e.co2eAvoidedKg;
    this.ch4AvoidedKg += co2e.ch4AvoidedKg;
    this.ch4ReferenceKg += co2e.ch4ReferenceKg;
    this.mesKg += mesRetainedKg(volume, version.mesMgL);
  }

  summary(figures: CycleFigures): CycleSummary {
    const energyKwh = (this.energyWh + this.idleEnergyWh) / 1000;
    const days = this.days;
    return {
      cycles: figures.cycles,
      noiseCycles: this.noiseCycles,
      ongoing: this.ongoing,
      avgDurationMin: figures.avgDurationMin,
      medianPowerW: figures.medianPowerW,
      powerRangeW: figures.powerRangeW,
      medianCurrentA: figures.medianCurrentA,
      currentRangeA: figures.currentRangeA,
      treatedVolumeM3: this.treatedVolumeM3,
      treatedVolumePerDayM3: this.monitored > 0 ? this.wholeDaysVolumeM3 / this.monitored : 0,
      wholeDays: days.count,
      monitoredDays: this.monitored,
      cyclesWithoutFlowRate: this.cyclesWithoutFlowRate,
      energyKwh,
      idleEnergyKwh: this.idleEnergyWh / 1000,
      electricityCo2eKg: electricityCo2eKg(energyKwh, this.options.gridFactor ?? null),
      co2eAvoidedKg: this.co2eAvoidedKg,
      ch4AvoidedKg: this.ch4AvoidedKg,
      mesRetainedKg: this.mesKg,
      reductionPercent: this.ch4ReferenceKg > 0 ? (this.ch4AvoidedKg / this.ch4ReferenceKg) * 100 : 0,
      factorSet: this.factorSet.id,
    };
  }
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

/** The whole days of the range on which the channels were monitored (every whole day without the list). */
function monitoredWholeDays(range: SummaryRange, lastDate: string | null): number {
  if (lastDate === null) return 0;
  if (range.monitoredDates === undefined) return wholeDaysOf(range).count;
  const seen = new Set(range.monitoredDates.filter((d) => d >= range.fromDate && d <= lastDate));
  return seen.size;
}

function dayNumber(date: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new ImpactError("invalid_range", `Date invalide : ${date}`);
  }
  return ms / MS_PER_DAY;
}

/** The median as `median` computes it from the sorted list: the middle value, or the mean of the two. */
function middleOf(spread: Spread): number {
  return spread.lowerMiddle === spread.upperMiddle
    ? spread.lowerMiddle
    : (spread.lowerMiddle + spread.upperMiddle) / 2;
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
