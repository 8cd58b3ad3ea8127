import { describe, expect, it } from "vitest";
import type { Reading } from "../reading.js";
import { detectCycles, median } from "./detect.js";
import { CycleError } from "./errors.js";
import type { CycleSample } from "./types.js";

const T0 = 29_332_740; // 2025-10-09T08:00Z in unix minutes
const FAR_FUTURE = T0 + 100_000;

function s(minute: number, apowerW: number | null, extra: Partial<CycleSample> = {}): CycleSample {
  return {
    minute: T0 + minute,
    apowerW,
    currentA: 5,
    voltageV: 230,
    energyTotalWh: null,
    energyLastMinuteWh: null,
    ...extra,
  };
}

function run(minutes: readonly number[], apowerW = 433): CycleSample[] {
  return minutes.map((m) => s(m, apowerW));
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("detectCycles: predecessor required cases (§6.3, bugs 44–45)", () => {
  it("15 one-minute samples make one cycle of 14.0 min", () => {
    const cycles = detectCycles(run(range(0, 14)), {}, FAR_FUTURE);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatchObject({
      startMinute: T0,
      endMinute: T0 + 14,
      lastActiveMinute: T0 + 14,
      durationMin: 14,
      samples: 15,
      ongoing: false,
      noise: false,
    });
  });

  it("splits samples 5 minutes apart into two cycles", () => {
    const cycles = detectCycles(run([0, 1, 2, 7, 8, 9]), {}, FAR_FUTURE);
    expect(cycles.map((c) => [c.startMinute - T0, c.lastActiveMinute - T0])).toEqual([
      [0, 2],
      [7, 9],
    ]);
  });

  it("splits at a gap of exactly stopGapMin and merges below it", () => {
    expect(detectCycles(run([0, 1, 2, 6, 7]), {}, FAR_FUTURE)).toHaveLength(2);
    expect(detectCycles(run([0, 1, 2, 5, 6]), {}, FAR_FUTURE)).toHaveLength(1);
    expect(detectCycles(run([0, 2, 4]), {}, FAR_FUTURE)[0]?.durationMin).toBe(4);
    expect(detectCycles(run([0, 1, 2, 5, 6]), { stopGapMin: 3 }, FAR_FUTURE)).toHaveLength(2);
  });

  it("flags a closed 1-minute blip below a pump's power as noise and keeps it", () => {
    const cycles = detectCycles(run([0, 1], 40), {}, FAR_FUTURE);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatchObject({ durationMin: 1, noise: true, ongoing: false, endMinute: T0 + 1 });
  });

  it("counts a short run at a pump's power as a pump run: it moved water (issue 21)", () => {
    // 433 W for a minute or two: a lift pump the float stopped early, not noise
    expect(detectCycles(run([0, 1]), {}, FAR_FUTURE)[0]).toMatchObject({ durationMin: 1, noise: false });
    expect(detectCycles(run([0], 100), {}, FAR_FUTURE)[0]?.noise).toBe(false);
    expect(detectCycles(run([0], 99), {}, FAR_FUTURE)[0]?.noise).toBe(true);
    // a threshold set above 100 W: every short run above it is a pump's
    expect(detectCycles(run([0], 150), { activityThresholdW: 120 }, FAR_FUTURE)[0]?.noise).toBe(false);
  });

  it("keeps a 2-minute cycle of 3 samples", () => {
    const cycles = detectCycles(run([0, 1, 2]), {}, FAR_FUTURE);
    expect(cycles[0]).toMatchObject({ durationMin: 2, samples: 3, noise: false });
  });

  it("handles no samples", () => {
    expect(detectCycles([], {}, FAR_FUTURE)).toEqual([]);
  });

  it("keeps start before end and every output field", () => {
    const [cycle] = detectCycles(run(range(0, 9)), {}, FAR_FUTURE);
    expect(cycle).toBeDefined();
    expect(Object.keys(cycle ?? {}).sort()).toEqual(
      [
        "avgCurrentA",
        "avgPowerW",
        "durationMin",
        "endMinute",
        "energyWh",
        "lastActiveMinute",
        "medianVoltageV",
        "noise",
        "ongoing",
        "runtimeMin",
        "samples",
        "startMinute",
      ].sort(),
    );
    expect(cycle?.startMinute).toBeLessThan(cycle?.endMinute ?? 0);
    expect(cycle?.durationMin).toBe(9);
  });
});

describe("detectCycles: ongoing rule (bug 44)", () => {
  it("is ongoing when the last sample is less than stopGapMin old, with a null end", () => {
    const cycles = detectCycles(run(range(0, 9)), {}, T0 + 12);
    expect(cycles[0]).toMatchObject({ ongoing: true, endMinute: null, lastActiveMinute: T0 + 9 });
  });

  it("measures an ongoing cycle from first to last sample, not to now", () => {
    expect(detectCycles(run(range(0, 9)), {}, T0 + 12)[0]?.durationMin).toBe(9);
  });

  it("closes the cycle once the last sample is stopGapMin old", () => {
    expect(detectCycles(run(range(0, 9)), {}, T0 + 13)[0]).toMatchObject({
      ongoing: false,
      endMinute: T0 + 9,
    });
  });

  it("keeps a short ongoing cycle and never calls it noise", () => {
    const cycles = detectCycles(run([0]), {}, T0 + 1);
    expect(cycles[0]).toMatchObject({ ongoing: true, noise: false, durationMin: 0 });
  });

  it("only the last cycle can be ongoing", () => {
    const cycles = detectCycles(run([0, 1, 2, 3, 10, 11]), {}, T0 + 12);
    expect(cycles.map((c) => c.ongoing)).toEqual([false, true]);
  });

  it("an inactive reading after the last active one closes it even when recent", () => {
    const cycles = detectCycles([...run([0, 1, 2, 3]), s(4, 0)], {}, T0 + 5);
    expect(cycles[0]).toMatchObject({ ongoing: false, endMinute: T0 + 3 });
  });
});

describe("detectCycles: activity threshold", () => {
  it("an inactive reading ends a cycle like a gap", () => {
    const cycles = detectCycles([...run([0, 1, 2]), s(3, 0), ...run([4, 5, 6])], {}, FAR_FUTURE);
    expect(cycles.map((c) => [c.startMinute - T0, c.lastActiveMinute - T0])).toEqual([
      [0, 2],
      [4, 6],
    ]);
  });

  it("treats exactly the threshold as inactive and anything above as active", () => {
    const cycles = detectCycles([s(0, 10), s(1, 10.1), s(2, 11), s(3, 10)], {}, FAR_FUTURE);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatchObject({ startMinute: T0 + 1, lastActiveMinute: T0 + 2, samples: 2 });
  });

  it("never makes cycles from standby or 0 W rows (the Surpresseur at 1 W)", () => {
    expect(detectCycles(run(range(0, 30), 1), {}, FAR_FUTURE)).toEqual([]);
    expect(detectCycles(run(range(0, 30), 0), {}, FAR_FUTURE)).toEqual([]);
  });

  it("a reading without apower neither extends nor closes a cycle", () => {
    const cycles = detectCycles([...run([0, 1]), s(2, null), ...run([3, 4])], {}, FAR_FUTURE);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toMatchObject({ samples: 4, durationMin: 4 });
  });

  it("uses the configured threshold", () => {
    const samples = [s(0, 50), s(1, 150), s(2, 160), s(3, 50)];
    expect(detectCycles(samples, { activityThresholdW: 100 }, FAR_FUTURE)[0]?.samples).toBe(2);
  });
});

describe("detectCycles: per-cycle aggregates", () => {
  it("averages power and current over the active samples", () => {
    const cycles = detectCycles(
      [s(0, 420, { currentA: 2.4 }), s(1, 440, { currentA: 2.6 }), s(2, 430, { currentA: null })],
      {},
      FAR_FUTURE,
    );
    expect(cycles[0]?.avgPowerW).toBeCloseTo(430, 10);
    expect(cycles[0]?.avgCurrentA).toBeCloseTo(2.5, 10);
  });

  it("has a null mean current when no sample carries one", () => {
    const cycles = detectCycles(
      run([0, 1, 2]).map((x) => ({ ...x, currentA: null })),
      {},
      FAR_FUTURE,
    );
    expect(cycles[0]?.avgCurrentA).toBeNull();
  });

  it("bug 7: the median of plausible voltages ignores the 0 V artefacts", () => {
    const voltages = [230, 231, 0, 229, 0, 230, 0, 232, 228, 231, 0, 230];
    const samples = voltages.map((v, i) => s(i, 433, { voltageV: v }));
    expect(detectCycles(samples, {}, FAR_FUTURE)[0]?.medianVoltageV).toBe(230);
  });

  it("bug 7: the voltage is null when every value is outside 180–260 V, bounds included", () => {
    const out = [0, 179.9, 260.1, 0].map((v, i) => s(i, 433, { voltageV: v }));
    expect(detectCycles(out, {}, FAR_FUTURE)[0]?.medianVoltageV).toBeNull();
    const bounds = [180, 260].map((v, i) => s(i, 433, { voltageV: v }));
    expect(detectCycles(bounds, {}, FAR_FUTURE)[0]?.medianVoltageV).toBe(220);
  });

  it("without any energy data, runtime is duration + 1 minute and energy is mean power × runtime", () => {
    const [cycle] = detectCycles(run(range(0, 14), 1200), {}, FAR_FUTURE);
    expect(cycle?.runtimeMin).toBe(15);
    expect(cycle?.energyWh).toBeCloseTo(300, 10);
  });
});

describe("detectCycles: input", () => {
  it("takes stored readings as they are", () => {
    const readings: Reading[] = [0, 1, 2].map((m) => ({
      deviceId: "shellypro4pm-a0dd6c9ef474",
      channel: 2,
      minute: T0 + m,
      apowerW: 433.8,
      voltageV: 228.2,
      currentA: 2.631,
      powerFactor: 0.8,
      frequencyHz: 50,
      energyTotalWh: null,
      energyLastMinuteWh: null,
      temperatureC: null,
      output: true,
    }));
    expect(detectCycles(readings, {}, FAR_FUTURE)[0]?.samples).toBe(3);
  });

  it("rejects unsorted or duplicated minutes", () => {
    expect(() => detectCycles(run([1, 0]), {}, FAR_FUTURE)).toThrow(CycleError);
    expect(() => detectCycles(run([0, 0]), {}, FAR_FUTURE)).toThrow(/triés/);
  });

  it("rejects impossible settings", () => {
    const err = (() => {
      try {
        detectCycles([], { stopGapMin: 0 }, FAR_FUTURE);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(CycleError);
    expect((err as CycleError).code).toBe("invalid_cycle_settings");
    expect(() => detectCycles([], { activityThresholdW: Number.NaN }, FAR_FUTURE)).toThrow(CycleError);
    expect(() => detectCycles([], { minCycleMin: -1 }, FAR_FUTURE)).toThrow(CycleError);
  });
});

describe("median", () => {
  it("takes the middle value or the mean of the two middle values", () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
