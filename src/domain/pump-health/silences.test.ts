import { describe, expect, it } from "vitest";
import { type MeterHours, MIN_READINGS_PER_HOUR, silenceDuring, silentHours } from "./silences.js";
import { measureSump, type SumpCycle } from "./volumetric.js";

const H0 = 490_000; // a unix hour (2025-11-25)

/** Hours H0 … H0 + n − 1 all with a full count, then the given changes (null count: unknown; "gone": no row). */
function meter(
  n: number,
  changes: Record<number, number | null | "gone"> = {},
  extra: Partial<MeterHours> = {},
) {
  const hours: number[] = [];
  const readingsN: (number | null)[] = [];
  for (let k = 0; k < n; k++) {
    const c = changes[k];
    if (c === "gone") continue;
    hours.push(H0 + k);
    readingsN.push(c === undefined ? 60 : c);
  }
  return { hours, readingsN, firstHour: H0, lastHour: H0 + n - 1, unknownSpans: [], ...extra } as MeterHours;
}

describe("silentHours", () => {
  it("calls silent the hours without a row or with ten minutes missing, between full hours", () => {
    const m = meter(11, {
      2: "gone",
      3: 0,
      4: MIN_READINGS_PER_HOUR - 1,
      5: MIN_READINGS_PER_HOUR,
      6: 58,
      8: 30,
    });
    expect(silentHours(m, H0, H0 + 10)).toEqual([H0 + 2, H0 + 3, H0 + 4, H0 + 8]);
  });

  it("does not call silent the resting hours of a meter that sends only when a pump runs", () => {
    // the predecessor's filtering Worker: frames while a pump runs (10 min an hour), none in between
    const m = meter(
      12,
      Object.fromEntries(Array.from({ length: 12 }, (_, k) => [k, k % 3 === 0 ? "gone" : 11])),
    );
    expect(silentHours(m, H0, H0 + 12)).toEqual([]);
  });

  it("does not judge an hour of unknown count (summed before the count was kept), nor a run it ends", () => {
    expect(silentHours(meter(8, { 1: null, 2: "gone", 5: "gone" }), H0, H0 + 8)).toEqual([H0 + 5]);
    expect(silentHours(meter(8, { 2: "gone", 3: null }), H0, H0 + 8)).toEqual([]);
  });

  it("does not call silent the hours of a filtered import or of a range still queued", () => {
    const m = meter(
      12,
      { 1: 3, 2: "gone", 6: "gone", 9: "gone" },
      {
        // filtered import over hours 1–2 (only the minutes a pump ran were kept); hour 9 still queued
        unknownSpans: [
          { fromS: (H0 + 9) * 3600 + 1200, toS: (H0 + 9) * 3600 + 1260 },
          { fromS: (H0 + 1) * 3600 + 600, toS: (H0 + 2) * 3600 + 60 },
        ],
      },
    );
    expect(silentHours(m, H0, H0 + 12)).toEqual([H0 + 6]);
  });

  it("does not judge before the meter's first summed hour nor from its last one on (current, not summed yet)", () => {
    const m = meter(6, { 3: "gone", 4: "gone", 5: 12 }); // the last summed hour is the current one: 12 so far
    expect(silentHours(m, H0 - 3, H0 + 9)).toEqual([]);
    expect(silentHours({ ...m, firstHour: null, lastHour: null }, H0, H0 + 6)).toEqual([]);
  });

  it("judges only the hours asked for, and not a run cut by the range's ends", () => {
    const m = meter(11, { 1: "gone", 2: "gone", 7: "gone", 8: "gone" });
    expect(silentHours(m, H0 + 2, H0 + 8)).toEqual([]);
    expect(silentHours(m, H0, H0 + 10)).toEqual([H0 + 1, H0 + 2, H0 + 7, H0 + 8]);
  });
});

describe("silenceDuring", () => {
  const silent = [H0 + 2, H0 + 5];
  it("is true when a silent hour meets the fill, even partly", () => {
    expect(silenceDuring(silent, (H0 + 1) * 3600, (H0 + 3) * 3600)).toBe(true);
    expect(silenceDuring(silent, (H0 + 2) * 3600 + 3000, (H0 + 4) * 3600)).toBe(true);
    expect(silenceDuring(silent, (H0 + 4) * 3600, (H0 + 5) * 3600 + 1)).toBe(true);
  });
  it("is false when the fill is between silent hours or touches one only at its edge", () => {
    expect(silenceDuring(silent, (H0 + 3) * 3600, (H0 + 5) * 3600)).toBe(false);
    expect(silenceDuring(silent, (H0 + 3) * 3600 + 10, (H0 + 4) * 3600 + 3000)).toBe(false);
    expect(silenceDuring([], 0, 1e12)).toBe(false);
  });
});

describe("measureSump with the meter's silences", () => {
  // one pump, V = 2 m³: fills of 1 h (inflow 2 m³/h) and runs of 10 min
  const cycle = (startS: number): SumpCycle => ({
    channel: 1,
    startMinute: Math.floor(startS / 60),
    startS,
    stopS: startS + 600,
    resolution: "second",
    ongoing: false,
    noise: false,
  });
  const t0 = H0 * 3600;
  // a cycle missed by a silent meter between the 2nd and 3rd seen: the 3rd one's fill looks 2 h 10 long
  const cycles = [cycle(t0), cycle(t0 + 4200), cycle(t0 + 4200 + 4200 + 4200)];

  it("a fill holding a silent hour does not qualify; the others keep their flow", () => {
    const m = measureSump(cycles, 2, [H0 + 2]);
    expect(m.map((c) => c.reason)).toEqual(["no_fill_before", null, "meter_silent"]);
    // V·(t1 + t2)/(t1·t2) with t1 = 600 s, t2 = 3 600 s: 2·4 200/(600·3 600) m³/s = 14 m³/h
    expect(m[1]?.flowM3h).toBeCloseTo(14, 9);
    expect(m[2]?.flowM3h).toBeNull();
  });

  it("without silences the long fill is measured (the case the rule is for)", () => {
    expect(measureSump(cycles, 2)[2]?.qualifies).toBe(true);
  });
});
