import { describe, expect, it } from "vitest";
import { type ConfigVersion, DEFAULT_CHANNEL_CONFIG } from "../config-versions/index.js";
import type { DetectedCycle } from "../cycles/index.js";
import { FRANCE_GRID_FACTOR } from "./co2e.js";
import { ImpactError } from "./errors.js";
import { ipcc2019Vf } from "./factor-sets.js";
import { type CycleWithVersion, cycleImpact, summarizeCycles, wholeDaysOf } from "./summary.js";

function cycle(fields: Partial<DetectedCycle> = {}): DetectedCycle {
  return {
    startMinute: 0,
    endMinute: 60,
    lastActiveMinute: 60,
    ongoing: false,
    noise: false,
    samples: 61,
    durationMin: 60,
    runtimeMin: 60,
    avgPowerW: 1200,
    avgCurrentA: 5.2,
    medianVoltageV: 230,
    energyWh: 1200,
    ...fields,
  };
}

function version(fields: Partial<ConfigVersion> = {}): ConfigVersion {
  return { ...DEFAULT_CHANNEL_CONFIG, effectiveFrom: "2025-10-21", effectiveTo: null, version: 1, ...fields };
}

const PAST = { fromDate: "2026-02-01", toDate: "2026-02-28", today: "2026-03-15" };
const relevage = version({ flowRateM3h: 22 });

function item(c: Partial<DetectedCycle>, v: ConfigVersion | null = relevage, startDate = "2026-02-10") {
  return { cycle: cycle(c), version: v, startDate } satisfies CycleWithVersion;
}

describe("summarizeCycles", () => {
  it("bug 17: only lift stations count: PR1 22 m³/h × 120 min + PS 15 m³/h × 60 min = 44 m³", () => {
    const summary = summarizeCycles(
      [
        item({ runtimeMin: 120 }, version({ pumpType: "relevage", flowRateM3h: 22 })),
        item({ runtimeMin: 60 }, version({ pumpType: "sortie", flowRateM3h: 15 })),
      ],
      PAST,
    );
    expect(summary.treatedVolumeM3).toBeCloseTo(44, 10);
    expect(summary.cycles).toBe(2);
  });

  it("bug 18: an ongoing lift-station cycle contributes nothing to the treated volume", () => {
    const summary = summarizeCycles(
      [item({ runtimeMin: 60 }), item({ runtimeMin: 30, ongoing: true, endMinute: null })],
      PAST,
    );
    expect(summary.treatedVolumeM3).toBeCloseTo(22, 10);
    expect(summary.ongoing).toBe(1);
    expect(summary.cycles).toBe(2);
  });

  it("bug 20: 1461.9 m³ at DBO5 570 give 6 579.6 kg CO₂e and 94.0 %", () => {
    // 1461.9 m³ = 3987 min at 22 m³/h
    const summary = summarizeCycles([item({ runtimeMin: (1461.9 / 22) * 60 })], PAST);
    expect(summary.treatedVolumeM3).toBeCloseTo(1461.9, 9);
    expect(Math.round(summary.co2eAvoidedKg * 10) / 10).toBe(6579.6);
    expect(summary.reductionPercent.toFixed(1)).toBe("94.0");
    expect(summary.factorSet).toBe("fp-2026");
  });

  it("bug 20: no volume gives 0 kg and 0 %", () => {
    const summary = summarizeCycles([], PAST);
    expect(summary).toMatchObject({ treatedVolumeM3: 0, co2eAvoidedKg: 0, reductionPercent: 0, cycles: 0 });
  });

  it("uses each cycle's own version: flow and DBO5 in force on its date", () => {
    const before = version({ flowRateM3h: 18, dbo5MgL: 570, effectiveTo: "2026-02-10" });
    const after = version({ flowRateM3h: 9, dbo5MgL: 800, effectiveFrom: "2026-02-10" });
    const summary = summarizeCycles(
      [item({ runtimeMin: 60 }, before, "2026-02-09"), item({ runtimeMin: 60 }, after, "2026-02-10")],
      PAST,
    );
    expect(summary.treatedVolumeM3).toBeCloseTo(27, 10);
    const expected = 18 * 0.57 * 0.6 * 0.47 * 28 + 9 * 0.8 * 0.6 * 0.47 * 28;
    expect(summary.co2eAvoidedKg).toBeCloseTo(expected, 9);
  });

  it("durations, medians and ranges come from completed, non-noise cycles with values > 0", () => {
    const summary = summarizeCycles(
      [
        item({ durationMin: 10, avgPowerW: 420, avgCurrentA: 2.4 }),
        item({ durationMin: 20, avgPowerW: 1200, avgCurrentA: 5.2 }),
        item({ durationMin: 30, avgPowerW: 1260, avgCurrentA: null }),
        item({ durationMin: 1, avgPowerW: 5000, avgCurrentA: 20, noise: true }),
        item({ durationMin: 500, avgPowerW: 9999, avgCurrentA: 40, ongoing: true, endMinute: null }),
      ],
      PAST,
    );
    expect(summary.avgDurationMin).toBe(20);
    expect(summary.medianPowerW).toBe(1200);
    expect(summary.powerRangeW).toEqual([420, 1260]);
    expect(summary.medianCurrentA).toBeCloseTo(3.8, 10);
    expect(summary.currentRangeA).toEqual([2.4, 5.2]);
    expect(summary).toMatchObject({ cycles: 4, noiseCycles: 1, ongoing: 1 });
  });

  it("has no average or median (null, shown '-') when no cycle is completed", () => {
    const summary = summarizeCycles([item({ ongoing: true, endMinute: null })], PAST);
    expect(summary).toMatchObject({ avgDurationMin: null, medianPowerW: null, powerRangeW: null });
    expect(summary.currentRangeA).toBeNull();
  });

  it("counts every cycle's metered energy, noise and ongoing included", () => {
    const summary = summarizeCycles(
      [item({ energyWh: 1000 }), item({ energyWh: 20, noise: true }), item({ energyWh: 500, ongoing: true })],
      PAST,
      { gridFactor: FRANCE_GRID_FACTOR },
    );
    expect(summary.energyKwh).toBeCloseTo(1.52, 12);
    expect(summary.electricityCo2eKg).toBeCloseTo(1.52 * 0.052, 12);
    expect(summarizeCycles([], PAST).electricityCo2eKg).toBeNull();
  });

  it("reports lift-station cycles that have no flow rate instead of counting them as 0", () => {
    const summary = summarizeCycles([item({}, version({ flowRateM3h: null })), item({})], PAST);
    expect(summary.cyclesWithoutFlowRate).toBe(1);
    expect(summary.treatedVolumeM3).toBeCloseTo(22, 10);
  });

  it("names the factor set it used", () => {
    const summary = summarizeCycles([item({})], PAST, { factorSet: ipcc2019Vf({ reference: "septic" }) });
    expect(summary.factorSet).toBe("ipcc-2019-vf");
    // per m³ at DBO5 570: reference 0.57 × 0.3, filter 0.57 × 0.006 + 0.025 × 0.068
    const reference = 0.57 * 0.3;
    expect(summary.reductionPercent).toBeCloseTo(
      ((reference - 0.57 * 0.006 - 0.025 * 0.068) / reference) * 100,
      9,
    );
  });
});

describe("per-day treated volume: the §2.3 defect fixed", () => {
  it("2026-01-15 → 2026-02-14 viewed afterwards is 31 whole days", () => {
    expect(wholeDaysOf({ fromDate: "2026-01-15", toDate: "2026-02-14", today: "2026-02-20" })).toEqual({
      count: 31,
      lastDate: "2026-02-14",
    });
    const summary = summarizeCycles([item({ runtimeMin: (1461.9 / 22) * 60 }, relevage, "2026-02-01")], {
      fromDate: "2026-01-15",
      toDate: "2026-02-14",
      today: "2026-02-20",
    });
    expect(summary.wholeDays).toBe(31);
    expect(summary.treatedVolumePerDayM3).toBeCloseTo(1461.9 / 31, 9);
  });

  it("bug 19: when the range ends today, today is left out of both numerator and denominator", () => {
    const range = { fromDate: "2026-01-15", toDate: "2026-02-14", today: "2026-02-14" };
    const summary = summarizeCycles(
      [
        item({ runtimeMin: (1461.9 / 22) * 60 }, relevage, "2026-02-13"),
        item({ runtimeMin: 60 }, relevage, "2026-02-14"),
      ],
      range,
    );
    expect(summary.wholeDays).toBe(30);
    expect(summary.treatedVolumeM3).toBeCloseTo(1461.9 + 22, 9);
    expect(summary.treatedVolumePerDayM3.toFixed(2)).toBe("48.73");
  });

  it("bug 19: a range of today only gives 0 per day and no error; a past single day is one day", () => {
    const today = { fromDate: "2026-02-14", toDate: "2026-02-14", today: "2026-02-14" };
    const summary = summarizeCycles([item({}, relevage, "2026-02-14")], today);
    expect(summary.treatedVolumePerDayM3).toBe(0);
    expect(summary.wholeDays).toBe(0);
    expect(wholeDaysOf({ ...today, today: "2026-02-15" }).count).toBe(1);
  });

  it("2026-02-10 → 2026-02-14 viewed on 2026-02-14 is 4 days; a range reaching into the future stops before today", () => {
    expect(wholeDaysOf({ fromDate: "2026-02-10", toDate: "2026-02-14", today: "2026-02-14" }).count).toBe(4);
    expect(wholeDaysOf({ fromDate: "2026-02-10", toDate: "2026-03-31", today: "2026-02-14" })).toEqual({
      count: 4,
      lastDate: "2026-02-13",
    });
    expect(wholeDaysOf({ fromDate: "2026-03-01", toDate: "2026-03-31", today: "2026-02-14" }).count).toBe(0);
  });

  it("divides by the days the meter was monitored, not the weeks before it existed (issue 21)", () => {
    // the demo's case: 30 days asked, a meter 8 days old (7 whole days before today) that pumps 190 m³ a day
    const dates = [
      "2026-02-07",
      "2026-02-08",
      "2026-02-09",
      "2026-02-10",
      "2026-02-11",
      "2026-02-12",
      "2026-02-13",
    ];
    const range = {
      fromDate: "2026-01-15",
      toDate: "2026-02-14",
      today: "2026-02-14",
      monitoredDates: [...dates, "2026-02-14"],
    };
    const perDay = (190 / 22) * 60; // minutes at 22 m³/h for 190 m³
    const items = [...dates, "2026-02-14"].map((d) => item({ runtimeMin: perDay }, relevage, d));
    const summary = summarizeCycles(items, range);
    expect(summary.wholeDays).toBe(30);
    // today is monitored but still running: neither in the numerator nor the denominator
    expect(summary.monitoredDays).toBe(7);
    expect(summary.treatedVolumePerDayM3).toBeCloseTo(190, 9);
    // without the list every whole day counts: 7 × 190 / 30, the figure the demo showed
    const { monitoredDates: _, ...unlisted } = range;
    expect(summarizeCycles(items, unlisted).treatedVolumePerDayM3).toBeCloseTo((7 * 190) / 30, 9);
    // a monitored day without a cycle is a day that treated nothing: it counts
    const gap = summarizeCycles(items.slice(1), range);
    expect(gap.monitoredDays).toBe(7);
    expect(gap.treatedVolumePerDayM3).toBeCloseTo((6 * 190) / 7, 9);
    // never monitored: 0 per day, no division by zero
    expect(summarizeCycles([], { ...range, monitoredDates: [] })).toMatchObject({
      monitoredDays: 0,
      treatedVolumePerDayM3: 0,
    });
  });

  it("refuses an inverted or invalid range", () => {
    expect(() => wholeDaysOf({ fromDate: "2026-02-14", toDate: "2026-02-13", today: "2026-03-01" })).toThrow(
      ImpactError,
    );
    expect(() => wholeDaysOf({ fromDate: "2026-02-30", toDate: "2026-03-01", today: "2026-03-01" })).toThrow(
      ImpactError,
    );
  });
});

describe("cycleImpact", () => {
  it("gives a listed cycle its pump type, flow, volume, CO₂e and kWh", () => {
    expect(cycleImpact(cycle({ runtimeMin: 30, energyWh: 600 }), relevage)).toMatchObject({
      pumpType: "relevage",
      flowRateM3h: 22,
      volumeM3: 11,
      energyKwh: 0.6,
    });
    expect(cycleImpact(cycle(), relevage).co2eAvoidedKg).toBeCloseTo(22 * 0.57 * 0.6 * 0.47 * 28, 9);
  });

  it("has no volume nor CO₂e for an outlet pump or an unconfigured channel", () => {
    expect(cycleImpact(cycle(), version({ pumpType: "sortie", flowRateM3h: 15 }))).toMatchObject({
      volumeM3: null,
      co2eAvoidedKg: null,
    });
    expect(cycleImpact(cycle(), null)).toMatchObject({ pumpType: null, volumeM3: null, co2eAvoidedKg: null });
  });
});
