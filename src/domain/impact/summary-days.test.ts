import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, type ConfigVersion, DEFAULT_CHANNEL_CONFIG, versionAt } from "../config-versions/index.js";
import type { DetectedCycle } from "../cycles/index.js";
import { co2eAvoided, FRANCE_GRID_FACTOR } from "./co2e.js";
import { FP_2026, ipcc2019Vf } from "./factor-sets.js";
import {
  type CycleSummary,
  type CycleWithVersion,
  type DayTotals,
  type PeriodSpreads,
  type Spread,
  summarizeCycles,
  summarizeDays,
} from "./summary.js";

const FROM = "2026-02-01";
const PERIOD_DAYS = 12;
const dateArb = fc.integer({ min: 0, max: PERIOD_DAYS - 1 }).map((i) => addDays(FROM, i));

const versionFieldsArb = fc.record({
  pumpType: fc.constantFrom("relevage" as const, "relevage" as const, "sortie" as const, "autre" as const),
  flowRateM3h: fc.constantFrom(null, 5, 18, 22.5, 7.3),
  dbo5MgL: fc.constantFrom(0, 30, 570, 812.5),
  dcoMgL: fc.constantFrom(0, 1250),
  mesMgL: fc.constantFrom(0, 650, 97.1),
});

/** A channel's history: versions starting on distinct dates of the period (possibly none at all). */
const historyArb = fc
  .uniqueArray(fc.tuple(dateArb, versionFieldsArb), { selector: ([d]) => d, maxLength: 3 })
  .map((entries): ConfigVersion[] => {
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
    return sorted.map(([effectiveFrom, fields], i) => ({
      ...DEFAULT_CHANNEL_CONFIG,
      ...fields,
      effectiveFrom,
      effectiveTo: sorted[i + 1]?.[0] ?? null,
      version: 1,
    }));
  });

const cycleArb = fc
  .record({
    channel: fc.integer({ min: 0, max: 2 }),
    date: dateArb,
    state: fc.constantFrom("closed", "closed", "closed", "noise", "ongoing"),
    durationMin: fc.integer({ min: 0, max: 300 }),
    runtimeMin: fc.double({ min: 0, max: 400, noNaN: true }),
    // repeated values make ties and equal middles; 0 and negatives are left out of medians and ranges
    avgPowerW: fc.oneof(fc.constantFrom(0, -3, 420, 1200), fc.double({ min: -10, max: 3000, noNaN: true })),
    avgCurrentA: fc.oneof(fc.constantFrom(null, 0, 2.4, 5.2), fc.double({ min: 0, max: 20, noNaN: true })),
    energyWh: fc.double({ min: 0, max: 5000, noNaN: true }),
  })
  .map(({ channel, date, state, ...fields }) => ({
    channel,
    date,
    cycle: {
      startMinute: 0,
      endMinute: state === "ongoing" ? null : 10,
      lastActiveMinute: 10,
      ongoing: state === "ongoing",
      noise: state === "noise",
      samples: 1,
      medianVoltageV: 230,
      ...fields,
    } satisfies DetectedCycle,
  }));

type GeneratedCycle = { channel: number; date: string; cycle: DetectedCycle };

/** What the SQL of the report computes, done here cycle by cycle: sums per (channel, date). */
function dayTotalsOf(cycles: readonly GeneratedCycle[], histories: readonly ConfigVersion[][]): DayTotals[] {
  const days = new Map<string, DayTotals>();
  for (const { channel, date, cycle } of cycles) {
    const key = `${channel}_${date}`;
    let day = days.get(key);
    if (day === undefined) {
      day = {
        date,
        version: versionAt(histories[channel] ?? [], date),
        cycles: 0,
        noiseCycles: 0,
        ongoing: 0,
        energyWh: 0,
        closed: 0,
        closedDurationMin: 0,
        closedRuntimeMin: 0,
      };
      days.set(key, day);
    }
    day.cycles++;
    day.energyWh += cycle.energyWh;
    if (cycle.noise) day.noiseCycles++;
    if (cycle.ongoing) day.ongoing++;
    if (cycle.noise || cycle.ongoing) continue;
    day.closed++;
    day.closedDurationMin += cycle.durationMin;
    day.closedRuntimeMin += cycle.runtimeMin;
  }
  return [...days.values()];
}

/** percentile_disc(0.5) over the values ascending and descending, min and max. */
function spreadOf(values: number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.ceil(sorted.length / 2);
  return {
    lowerMiddle: sorted[half - 1] as number,
    upperMiddle: sorted[sorted.length - half] as number,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
  };
}

function spreadsOf(cycles: readonly GeneratedCycle[]): PeriodSpreads {
  const closed = cycles.map((c) => c.cycle).filter((c) => !c.noise && !c.ongoing);
  return {
    avgPowerW: spreadOf(closed.map((c) => c.avgPowerW).filter((v) => v > 0)),
    avgCurrentA: spreadOf(
      closed.flatMap((c) => (c.avgCurrentA !== null && c.avgCurrentA > 0 ? [c.avgCurrentA] : [])),
    ),
  };
}

/**
 * The floating figures are sums of many terms added in another order (per day, then per period, and runtime
 * before × flow rate), so they may differ in their last bits: each of n roundings is at most 2^-53 of the
 * running sum, so |difference| ≤ about n × 2^-52 × Σ|term|. 1e-9 × Σ|term| is far above that for the few
 * hundred terms here, and far below any figure the API shows (rounded to 0.01 at best).
 */
function expectSameSummary(actual: CycleSummary, expected: CycleSummary, scale: Record<string, number>) {
  const floats = [
    "energyKwh",
    "electricityCo2eKg",
    "treatedVolumeM3",
    "treatedVolumePerDayM3",
    "co2eAvoidedKg",
    "ch4AvoidedKg",
    "mesRetainedKg",
    "reductionPercent",
  ] as const;
  for (const field of floats) {
    const a = actual[field];
    const e = expected[field];
    if (e === null || a === null) {
      expect(a, field).toBe(e);
      continue;
    }
    const tolerance = 1e-9 * Math.max(Math.abs(e), scale[field] ?? 0, Number.MIN_VALUE);
    expect(Math.abs(a - e), `${field}: ${a} vs ${e}`).toBeLessThanOrEqual(tolerance);
  }
  // Counts, integer durations, medians and ranges are exact.
  const rest = (s: CycleSummary) => {
    const copy: Partial<CycleSummary> = { ...s };
    for (const field of floats) delete copy[field];
    return copy;
  };
  expect(rest(actual)).toEqual(rest(expected));
}

/** Σ|term| of each floating figure, cycle by cycle: the scale its rounding errors are relative to. */
function scalesOf(items: readonly CycleWithVersion[], factorSet = FP_2026): Record<string, number> {
  let volume = 0;
  let co2e = 0;
  let ch4 = 0;
  let ch4Reference = 0;
  let mes = 0;
  let energy = 0;
  for (const { cycle, version } of items) {
    energy += cycle.energyWh / 1000;
    if (cycle.noise || cycle.ongoing || version?.pumpType !== "relevage" || version.flowRateM3h === null)
      continue;
    const v = (cycle.runtimeMin / 60) * version.flowRateM3h;
    const r = co2eAvoided({ volumeM3: v, dbo5MgL: version.dbo5MgL, dcoMgL: version.dcoMgL }, factorSet);
    volume += v;
    co2e += Math.abs(r.co2eAvoidedKg);
    ch4 += Math.abs(r.ch4AvoidedKg);
    ch4Reference += r.ch4ReferenceKg;
    mes += (v * version.mesMgL) / 1000;
  }
  return {
    energyKwh: energy,
    electricityCo2eKg: energy * FRANCE_GRID_FACTOR.kgCo2ePerKwh,
    treatedVolumeM3: volume,
    treatedVolumePerDayM3: volume,
    co2eAvoidedKg: co2e,
    ch4AvoidedKg: ch4,
    mesRetainedKg: mes,
    reductionPercent: ch4Reference > 0 ? (100 * ch4) / ch4Reference : 0,
  };
}

const rangeArb = fc.record({
  fromDate: fc.constant(FROM),
  toDate: fc.integer({ min: 0, max: PERIOD_DAYS - 1 }).map((i) => addDays(FROM, i)),
  today: fc.integer({ min: -1, max: PERIOD_DAYS + 2 }).map((i) => addDays(FROM, i)),
});

describe("summarizeDays", () => {
  it("gives summarizeCycles' figures from per-channel, per-day sums and the period's spreads", () => {
    fc.assert(
      fc.property(
        fc.array(historyArb, { minLength: 3, maxLength: 3 }),
        fc.array(cycleArb, { maxLength: 120 }),
        rangeArb,
        fc.constantFrom(FP_2026, ipcc2019Vf(), ipcc2019Vf({ reference: "aerobic" })),
        fc.constantFrom(null, FRANCE_GRID_FACTOR),
        (histories, cycles, range, factorSet, gridFactor) => {
          const inRange = cycles.filter((c) => c.date <= range.toDate);
          const items = inRange.map(({ channel, date, cycle }) => ({
            cycle,
            version: versionAt(histories[channel] ?? [], date),
            startDate: date,
          }));
          const options = { factorSet, gridFactor };
          expectSameSummary(
            summarizeDays(dayTotalsOf(inRange, histories), spreadsOf(inRange), range, options),
            summarizeCycles(items, range, options),
            scalesOf(items, factorSet),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("takes the mean of the two middle values for an even count, the middle one for an odd count", () => {
    const spread = (lowerMiddle: number, upperMiddle: number) => ({
      lowerMiddle,
      upperMiddle,
      min: 1,
      max: 9,
    });
    const range = { fromDate: FROM, toDate: FROM, today: "2026-03-01" };
    const even = summarizeDays([], { avgPowerW: spread(420, 1200), avgCurrentA: spread(2.4, 2.4) }, range);
    expect(even.medianPowerW).toBe(810);
    expect(even.medianCurrentA).toBe(2.4);
    expect(even.powerRangeW).toEqual([1, 9]);
    const none = summarizeDays([], { avgPowerW: null, avgCurrentA: null }, range);
    expect(none).toMatchObject({ medianPowerW: null, powerRangeW: null, avgDurationMin: null, cycles: 0 });
  });
});
