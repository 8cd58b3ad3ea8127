import { describe, expect, it } from "vitest";
import { firstStageHydraulicLoad } from "./hydraulic-load.js";

describe("the first stage's hydraulic load", () => {
  it("spreads each day's inflow over the stage, beside EH × 150 L/d over the same surface", () => {
    // 300 EH on 360 m² (1.2 m²/EH): nominal 45 m³/d, i.e. 0.125 m/d over the whole stage
    const load = firstStageHydraulicLoad([36, null, 54, 45, 90], 360, 300);
    expect(load.nominalMPerDay).toBeCloseTo(0.125, 12);
    // days known: 0.1, 0.15, 0.125, 0.25 m/d; median (0.125 + 0.15) / 2
    expect(load.medianMPerDay).toBeCloseTo(0.1375, 12);
    expect(load.maxMPerDay).toBeCloseTo(0.25, 12);
    // above 0.125: 0.15 and 0.25 (the day at exactly the nominal load is not above it)
    expect(load.daysAboveNominal).toBe(2);
  });

  it("has no nominal load without an EH, and nothing without a known day", () => {
    expect(firstStageHydraulicLoad([12], 100, null)).toEqual({
      medianMPerDay: 0.12,
      maxMPerDay: 0.12,
      daysAboveNominal: 0,
      nominalMPerDay: null,
    });
    expect(firstStageHydraulicLoad([null, null], 100, 50)).toMatchObject({
      medianMPerDay: null,
      maxMPerDay: null,
    });
  });
});
