import { describe, expect, it } from "vitest";
import { detectCycles } from "./detect.js";
import { counterDeltaWh } from "./energy.js";
import type { CycleSample } from "./types.js";

const FAR_FUTURE = 1_000_000;

function s(minute: number, apowerW: number | null, extra: Partial<CycleSample> = {}): CycleSample {
  return {
    minute,
    apowerW,
    currentA: null,
    voltageV: null,
    energyTotalWh: null,
    energyLastMinuteWh: null,
    ...extra,
  };
}

describe("runtime and energy from the meter's per-minute energy", () => {
  it("counts a minute fully when its energy equals the cycle's mean power over one minute", () => {
    // 600 W for a whole minute = 10 Wh; minute m's energy arrives with the reading of m + 1.
    const samples = [
      ...Array.from({ length: 10 }, (_, m) => s(m, 600, { energyLastMinuteWh: m === 0 ? null : 10 })),
      s(10, 0, { energyLastMinuteWh: 10 }),
    ];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    expect(cycle?.durationMin).toBe(9);
    expect(cycle?.runtimeMin).toBeCloseTo(10, 10);
    expect(cycle?.energyWh).toBeCloseTo(100, 10);
  });

  it("sees partial first and last minutes that last − first sample cannot", () => {
    // started 45 s into minute 0, stopped 30 s into minute 4
    const samples = [
      s(0, 600),
      s(1, 600, { energyLastMinuteWh: 2.5 }),
      s(2, 600, { energyLastMinuteWh: 10 }),
      s(3, 600, { energyLastMinuteWh: 10 }),
      s(4, 600, { energyLastMinuteWh: 10 }),
      s(5, 0, { energyLastMinuteWh: 5 }),
    ];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    expect(cycle?.durationMin).toBe(4);
    expect(cycle?.runtimeMin).toBeCloseTo(3.75, 10);
    expect(cycle?.energyWh).toBeCloseTo(37.5, 10);
  });

  it("uses the energy of the cycle's last minute even when no reading follows it with apower", () => {
    const samples = [s(0, 600), s(1, 600, { energyLastMinuteWh: 10 }), s(2, null, { energyLastMinuteWh: 4 })];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    expect(cycle?.runtimeMin).toBeCloseTo(1.4, 10);
    expect(cycle?.energyWh).toBeCloseTo(14, 10);
  });

  it("clips a minute above the mean power to one minute of running", () => {
    const samples = [s(0, 600), s(1, 600, { energyLastMinuteWh: 20 }), s(2, 0, { energyLastMinuteWh: 10 })];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    expect(cycle?.runtimeMin).toBe(2);
    expect(cycle?.energyWh).toBe(30);
  });

  it("counts the minute the pump started in, reported by the first active sample (issue 21)", () => {
    // started 42 s into minute −1 at 600 W: 3 Wh of its 10 Wh a minute; the 0 W reading of minute −1 is
    // before the start, its own energy (of minute −2) is not the cycle's
    const samples = [
      s(-1, 0, { energyLastMinuteWh: 0.02 }),
      s(0, 600, { energyLastMinuteWh: 3 }),
      s(1, 600, { energyLastMinuteWh: 10 }),
      s(2, 0, { energyLastMinuteWh: 10 }),
    ];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    expect(cycle?.energyWh).toBeCloseTo(3 + 10 + 10, 10);
    expect(cycle?.runtimeMin).toBeCloseTo(0.3 + 1 + 1, 10);
    // no reading before: the first active one still reports that minute
    expect(detectCycles(samples.slice(1), {}, FAR_FUTURE)[0]?.energyWh).toBeCloseTo(23, 10);
  });

  it("leaves the minute before to the cycle before when its reading is active (adjacent cycles)", () => {
    const samples = [
      s(0, 600, { energyLastMinuteWh: 7 }),
      s(1, 600, { energyLastMinuteWh: 10 }),
      s(2, 0, { energyLastMinuteWh: 10 }),
    ];
    const cycles = detectCycles(samples, { stopGapMin: 1, minCycleMin: 0 }, FAR_FUTURE);
    expect(cycles).toHaveLength(2);
    // minute −1 (7 Wh) and minute 0 (10 Wh) are the first cycle's, minute 1 the second's
    expect(cycles.reduce((sum, c) => sum + c.energyWh, 0)).toBeCloseTo(7 + 10 + 10, 10);
  });

  it("counts an unmeasured minute as a full minute of running, so runtime never exceeds duration + 1", () => {
    const samples = [
      s(0, 600),
      s(1, 600),
      s(2, 600, { energyLastMinuteWh: 5 }),
      s(3, 0, { energyLastMinuteWh: 0 }),
    ];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    // minute 0 unknown → 1; minute 1 → 0.5; minute 2 → 0
    expect(cycle?.runtimeMin).toBeCloseTo(1.5, 10);
    expect(cycle?.energyWh).toBeCloseTo(10 + 5 + 0, 10);
  });
});

describe("energy from the meter's counter", () => {
  it("sums counter deltas when there is no per-minute energy", () => {
    const samples = [
      s(0, 600, { energyTotalWh: 1000 }),
      s(1, 600, { energyTotalWh: 1010 }),
      s(2, 600, { energyTotalWh: 1020 }),
      s(3, 0, { energyTotalWh: 1025 }),
    ];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    expect(cycle?.energyWh).toBeCloseTo(25, 10);
    expect(cycle?.runtimeMin).toBeCloseTo(2.5, 10);
  });

  it("never counts a reset as negative energy: the value after the reset is the energy since then", () => {
    const samples = [
      s(0, 600, { energyTotalWh: 5000 }),
      s(1, 600, { energyTotalWh: 5010 }),
      s(2, 600, { energyTotalWh: 3 }),
      s(3, 600, { energyTotalWh: 13 }),
    ];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    // minutes 0, 1, 2 from the counter (10 + 3 + 10); minute 3 has no following reading → mean power
    expect(cycle?.energyWh).toBeCloseTo(23 + 10, 10);
    expect(counterDeltaWh(5010, 3)).toBe(3);
    expect(counterDeltaWh(10, 10)).toBe(0);
  });

  it("bridges a data gap inside a cycle with the counter, minus what is known inside the span", () => {
    // readings at 0, 1, 2, 5, 6 (gap of 3 < 4 min), inactive at 7; minutes 2 and 3 have no by_minute.
    const samples = [
      s(0, 600, { energyTotalWh: 100 }),
      s(1, 600, { energyTotalWh: 110, energyLastMinuteWh: 10 }),
      s(2, 600, { energyTotalWh: 120, energyLastMinuteWh: 10 }),
      s(5, 600, { energyTotalWh: 150, energyLastMinuteWh: 10 }),
      s(6, 600, { energyTotalWh: 160, energyLastMinuteWh: 10 }),
      s(7, 0, { energyTotalWh: 170, energyLastMinuteWh: 10 }),
    ];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    expect(cycle?.durationMin).toBe(6);
    // known: minutes 0, 1, 4, 5, 6 = 50 Wh; counter 120 → 150 over minutes 2–4 gives 30 − 10 for 2 and 3
    expect(cycle?.energyWh).toBeCloseTo(70, 10);
    expect(cycle?.runtimeMin).toBeCloseTo(7, 10);
  });

  it("falls back to mean power for minutes nothing measures", () => {
    const samples = [s(0, 600), s(1, 600), s(3, 600), s(4, 0, { energyLastMinuteWh: 10 })];
    const [cycle] = detectCycles(samples, {}, FAR_FUTURE);
    expect(cycle?.energyWh).toBeCloseTo(3 * 10 + 10, 10);
    expect(cycle?.runtimeMin).toBe(4);
  });
});
