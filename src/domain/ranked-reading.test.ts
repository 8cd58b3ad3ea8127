import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MEASURED_FIELDS, mergeReadings, type RankedReading, type Ranks } from "./ranked-reading.js";

// Few distinct ranks and values, so ties on rank and on value happen often.
const value = fc.option(fc.constantFrom(0, 1.5, 228.2, 433.8), { nil: null });
const rank = fc.constantFrom(0, 1500, 6000, 6001);
const reading: fc.Arbitrary<RankedReading> = fc
  .record({
    apowerW: value,
    voltageV: value,
    currentA: value,
    powerFactor: value,
    frequencyHz: value,
    energyTotalWh: value,
    energyLastMinuteWh: value,
    temperatureC: value,
    output: fc.option(fc.boolean(), { nil: null }),
    rankList: fc.array(rank, { minLength: MEASURED_FIELDS.length, maxLength: MEASURED_FIELDS.length }),
  })
  .map(({ rankList, ...values }) => {
    const ranks = {} as Ranks;
    MEASURED_FIELDS.forEach((f, i) => {
      ranks[f] = values[f] === null ? null : (rankList[i] ?? 0);
    });
    return { deviceId: "d", channel: 1, minute: 100, ...values, ranks };
  });

describe("mergeReadings", () => {
  it("is commutative, associative and idempotent, so arrival order and repeats do not matter", () => {
    fc.assert(
      fc.property(reading, reading, reading, (a, b, c) => {
        expect(mergeReadings(a, b)).toEqual(mergeReadings(b, a));
        expect(mergeReadings(mergeReadings(a, b), c)).toEqual(mergeReadings(a, mergeReadings(b, c)));
        expect(mergeReadings(a, a)).toEqual(a);
      }),
      { numRuns: 2000 },
    );
  });

  it("lets a complete frame win over a later delta, and a delta fill a field the complete frame lacks", () => {
    const base = { deviceId: "d", channel: 2, minute: 7 };
    const nulls = Object.fromEntries(MEASURED_FIELDS.map((f) => [f, null])) as unknown as Omit<
      RankedReading,
      "deviceId" | "channel" | "minute" | "ranks"
    >;
    const noRanks = Object.fromEntries(MEASURED_FIELDS.map((f) => [f, null])) as Ranks;
    const complete: RankedReading = {
      ...base,
      ...nulls,
      apowerW: 438,
      voltageV: 228.2,
      ranks: { ...noRanks, apowerW: 6000, voltageV: 6000 },
    };
    const delta: RankedReading = {
      ...base,
      ...nulls,
      apowerW: 0,
      output: false,
      ranks: { ...noRanks, apowerW: 5000, output: 5000 },
    };
    const merged = mergeReadings(delta, complete);
    expect(merged).toMatchObject({ apowerW: 438, voltageV: 228.2, output: false });
  });
});
