import { describe, expect, it } from "vitest";
import { ImpactError } from "./errors.js";
import { volumeM3 } from "./volume.js";

describe("volumeM3 (predecessor's volume cases)", () => {
  it.each([
    [10, 6, 1.0],
    [15, 6, 1.5],
    [60, 6, 6.0],
    [30, 8, 4.0],
    [0, 6, 0],
    [1440, 6, 144],
    [7.5, 6, 0.75],
    [120, 22, 44],
  ])("%f min at %f m³/h = %f m³", (runtimeMin, flowRateM3h, expected) => {
    expect(volumeM3(runtimeMin, flowRateM3h, "relevage")).toBeCloseTo(expected, 10);
  });

  it("is precise to well under 0.001 m³", () => {
    expect(volumeM3(7, 6.5, "relevage")).toBeCloseTo(0.758333, 6);
    expect(Math.abs((volumeM3(1, 0.001, "relevage") ?? 0) - 0.001 / 60)).toBeLessThan(1e-12);
  });

  it("is null, never 0, for a channel that is not a lift station or has no flow rate", () => {
    expect(volumeM3(60, 15, "sortie")).toBeNull();
    expect(volumeM3(60, 15, "autre")).toBeNull();
    expect(volumeM3(60, 15, null)).toBeNull();
    expect(volumeM3(60, null, "relevage")).toBeNull();
  });

  it("refuses a negative or invalid runtime", () => {
    expect(() => volumeM3(-1, 6, "relevage")).toThrow(ImpactError);
    expect(() => volumeM3(-1, 6, "relevage")).toThrow(/négative/);
    expect(() => volumeM3(Number.NaN, 6, "relevage")).toThrow(ImpactError);
  });
});
