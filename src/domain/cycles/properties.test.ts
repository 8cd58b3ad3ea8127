import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectCycles, SHORT_PUMP_RUN_MIN_W } from "./detect.js";
import type { CycleSample, CycleSettings } from "./types.js";
import { redetectionWindow, spliceCycles } from "./window.js";

const HORIZON_MIN = 90;

const powerArb: fc.Arbitrary<number | null> = fc.oneof(
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.constantFrom(0, 1, 10), weight: 2 },
  { arbitrary: fc.constantFrom(10.5, 430, 1200), weight: 6 },
);

const fieldsArb = fc.record({
  apowerW: powerArb,
  currentA: fc.option(fc.constantFrom(2.4, 5.1), { nil: null }),
  voltageV: fc.option(fc.constantFrom(0, 228, 231), { nil: null }),
  energyTotalWh: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }),
  energyLastMinuteWh: fc.option(fc.constantFrom(0, 3.5, 7, 20), { nil: null }),
});

const sampleArb = (maxMinute: number): fc.Arbitrary<CycleSample> =>
  fc.tuple(fc.integer({ min: 0, max: maxMinute }), fieldsArb).map(([minute, f]) => ({ minute, ...f }));

const scatteredArb = fc
  .uniqueArray(sampleArb(HORIZON_MIN), { selector: (x) => x.minute, maxLength: 70 })
  .map((xs) => [...xs].sort((a, b) => a.minute - b.minute));

// Pump-like series: runs of consecutive minutes at one power level, separated by silences.
const burstsArb: fc.Arbitrary<CycleSample[]> = fc
  .array(
    fc.record({
      silenceMin: fc.integer({ min: 0, max: 7 }),
      length: fc.integer({ min: 1, max: 14 }),
      stepMin: fc.constantFrom(1, 1, 1, 2, 3),
      fields: fieldsArb,
    }),
    { maxLength: 8 },
  )
  .map((bursts) => {
    const samples: CycleSample[] = [];
    let minute = 0;
    for (const burst of bursts) {
      minute += burst.silenceMin;
      for (let i = 0; i < burst.length; i++) {
        samples.push({ ...burst.fields, minute, energyTotalWh: minute * 7 });
        minute += burst.stepMin;
      }
    }
    return samples;
  });

const seriesArb = fc.oneof(scatteredArb, burstsArb);

const settingsArb: fc.Arbitrary<CycleSettings> = fc.record({
  activityThresholdW: fc.constant(10),
  stopGapMin: fc.constantFrom(1, 2, 2.5, 3, 4, 6),
  minCycleMin: fc.constantFrom(0, 1, 2, 3),
});

const changeArb = fc.record({
  minute: fc.integer({ min: 0, max: 2 * HORIZON_MIN }),
  replacement: fc.option(fieldsArb, { nil: null }),
});

const maxMinute = (samples: readonly CycleSample[]): number =>
  samples.reduce((max, x) => Math.max(max, x.minute), 0);

describe("cycle detection properties", () => {
  it("cycles are sorted, never overlap, and every active reading belongs to exactly one", () => {
    fc.assert(
      fc.property(seriesArb, settingsArb, fc.integer({ min: 0, max: 8 }), (samples, settings, lag) => {
        const now = maxMinute(samples) + lag;
        const cycles = detectCycles(samples, settings, now);
        for (let i = 1; i < cycles.length; i++) {
          expect((cycles[i - 1]?.lastActiveMinute ?? 0) < (cycles[i]?.startMinute ?? 0)).toBe(true);
        }
        for (const sample of samples) {
          const owners = cycles.filter(
            (c) => c.startMinute <= sample.minute && sample.minute <= c.lastActiveMinute,
          );
          const active = sample.apowerW !== null && sample.apowerW > settings.activityThresholdW;
          const inactive = sample.apowerW !== null && !active;
          if (active) expect(owners).toHaveLength(1);
          if (inactive) expect(owners).toHaveLength(0);
        }
        const activeCount = samples.filter((x) => x.apowerW !== null && x.apowerW > 10).length;
        expect(cycles.reduce((n, c) => n + c.samples, 0)).toBe(activeCount);
      }),
      { numRuns: 400 },
    );
  });

  it("durations, runtimes and energies are within bounds; only the last cycle can be ongoing", () => {
    fc.assert(
      fc.property(seriesArb, settingsArb, fc.integer({ min: 0, max: 8 }), (samples, settings, lag) => {
        const cycles = detectCycles(samples, settings, maxMinute(samples) + lag);
        cycles.forEach((c, i) => {
          expect(c.durationMin).toBeGreaterThanOrEqual(0);
          expect(c.durationMin).toBe(c.lastActiveMinute - c.startMinute);
          expect(c.runtimeMin).toBeGreaterThanOrEqual(0);
          // + the minute it started in, measured before its first active reading (issue 21)
          expect(c.runtimeMin).toBeLessThanOrEqual(c.durationMin + 2 + 1e-9);
          expect(c.energyWh).toBeGreaterThanOrEqual(0);
          expect(c.avgPowerW).toBeGreaterThan(settings.activityThresholdW);
          if (c.ongoing) {
            expect(i).toBe(cycles.length - 1);
            expect(c.endMinute).toBeNull();
            expect(c.noise).toBe(false);
          } else {
            expect(c.endMinute).toBe(c.lastActiveMinute);
            // a short run is noise unless it draws a pump's power (issue 21)
            expect(c.noise).toBe(
              c.durationMin < settings.minCycleMin &&
                c.avgPowerW < Math.max(SHORT_PUMP_RUN_MIN_W, settings.activityThresholdW),
            );
          }
          if (c.medianVoltageV !== null) {
            expect(c.medianVoltageV).toBeGreaterThanOrEqual(180);
            expect(c.medianVoltageV).toBeLessThanOrEqual(260);
          }
        });
      }),
      { numRuns: 400 },
    );
  });

  it("re-detecting only the affected window of a late reading equals detecting the whole series", () => {
    fc.assert(
      fc.property(
        seriesArb,
        changeArb,
        settingsArb,
        fc.integer({ min: 0, max: 8 }),
        (before, change, settings, lag) => {
          const after = before.filter((x) => x.minute !== change.minute);
          if (change.replacement !== null) after.push({ minute: change.minute, ...change.replacement });
          after.sort((a, b) => a.minute - b.minute);
          const now = Math.max(maxMinute(before), maxMinute(after)) + lag;

          const previous = detectCycles(before, settings, now);
          const window = redetectionWindow(previous, change.minute, settings);
          // from the minute before the window, as the refresher loads it
          const loaded = after.filter(
            (x) => x.minute >= window.fromMinute - 1 && x.minute <= window.toMinute,
          );
          const spliced = spliceCycles(previous, window, detectCycles(loaded, settings, now));

          expect(spliced).toEqual(detectCycles(after, settings, now));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
