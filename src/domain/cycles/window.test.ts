import { describe, expect, it } from "vitest";
import { detectCycles } from "./detect.js";
import type { CycleSample, DetectedCycle } from "./types.js";
import { redetectionWindow, spliceCycles } from "./window.js";

function s(minute: number, apowerW: number | null): CycleSample {
  return { minute, apowerW, currentA: null, voltageV: null, energyTotalWh: null, energyLastMinuteWh: null };
}

const actives = (from: number, to: number): CycleSample[] =>
  Array.from({ length: to - from + 1 }, (_, i) => s(from + i, 430));

function redetect(before: CycleSample[], after: CycleSample[], changedMinute: number, now: number) {
  const previous = detectCycles(before, {}, now);
  const window = redetectionWindow(previous, changedMinute, {});
  const loaded = after.filter((x) => x.minute >= window.fromMinute && x.minute <= window.toMinute);
  return { window, spliced: spliceCycles(previous, window, detectCycles(loaded, {}, now)) };
}

const span = (cycles: DetectedCycle[]) => cycles.map((c) => [c.startMinute, c.lastActiveMinute, c.ongoing]);

describe("redetectionWindow", () => {
  it("is ±stopGapMin around the minute when no stored cycle is near", () => {
    expect(redetectionWindow([], 100, {})).toEqual({ fromMinute: 96, lastStartMinute: 104, toMinute: 108 });
  });

  it("widens to the whole of every stored cycle within reach", () => {
    const previous = detectCycles([...actives(50, 97), ...actives(103, 140)], {}, 1000);
    expect(redetectionWindow(previous, 100, {})).toEqual({
      fromMinute: 50,
      lastStartMinute: 140,
      toMinute: 144,
    });
  });

  it("leaves out cycles more than stopGapMin away", () => {
    const previous = detectCycles([...actives(10, 20), ...actives(200, 210)], {}, 1000);
    expect(redetectionWindow(previous, 100, {})).toEqual({
      fromMinute: 96,
      lastStartMinute: 104,
      toMinute: 108,
    });
  });

  it("a late active reading bridging two cycles merges them", () => {
    const before = [...actives(0, 10), ...actives(14, 20)];
    const after = [...actives(0, 10), s(12, 430), ...actives(14, 20)];
    const { spliced } = redetect(before, after, 12, 1000);
    expect(span(spliced)).toEqual([[0, 20, false]]);
    expect(spliced).toEqual(detectCycles(after, {}, 1000));
  });

  it("a late 0 W reading splits the cycle around it", () => {
    const before = [...actives(0, 20)];
    const after = [...actives(0, 9), s(10, 0), ...actives(11, 20)];
    const { spliced } = redetect(before, after, 10, 1000);
    expect(span(spliced)).toEqual([
      [0, 9, false],
      [11, 20, false],
    ]);
  });

  it("loads far enough past the last cycle to see the reading that closes it", () => {
    // The changed minute is early in a long cycle; the 0 W reading 2 min after its end closes it.
    const before = [...actives(0, 10), s(12, 0)];
    const after = [...actives(0, 5), { ...s(6, 500) }, ...actives(7, 10), s(12, 0)];
    const { spliced } = redetect(before, after, 6, 12);
    expect(span(spliced)).toEqual([[0, 10, false]]);
    expect(spliced).toEqual(detectCycles(after, {}, 12));
  });

  it("refreshes a stale ongoing cycle through the window of its last active minute", () => {
    const samples = actives(0, 10);
    const stored = detectCycles(samples, {}, 11);
    expect(stored[0]?.ongoing).toBe(true);
    const window = redetectionWindow(stored, stored[0]?.lastActiveMinute ?? 0, {});
    const refreshed = spliceCycles(stored, window, detectCycles(samples, {}, 30));
    expect(span(refreshed)).toEqual([[0, 10, false]]);
  });
});
