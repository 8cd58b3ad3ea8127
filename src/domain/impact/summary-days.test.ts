import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectSameSummary, scalesOf, versionHistory } from "../../../test/summary-agreement.js";
import { addDays, type ConfigVersion, versionAt } from "../config-versions/index.js";
import type { DetectedCycle } from "../cycles/index.js";
import { FRANCE_GRID_FACTOR } from "./co2e.js";
import { FP_2026, ipcc2019Vf } from "./factor-sets.js";
import {
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
  .map(versionHistory);

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
