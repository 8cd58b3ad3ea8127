import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextSort, type SortableCycle, sortCycles } from "./cycle-order.js";

const row = (start: string, duration: number | null, device = "a", channel = 0): SortableCycle => ({
  device_id: device,
  channel,
  start,
  end: null,
  duration_min: duration,
  runtime_min: null,
  avg_power_w: null,
  avg_current_a: null,
  median_voltage_v: null,
  energy_kwh: null,
  volume_m3: null,
  co2e_avoided_kg: null,
});

describe("cycle table order", () => {
  const rows = [
    row("2026-02-14T09:00:00Z", 30),
    row("2026-02-14T11:00:00Z", 5),
    row("2026-02-14T10:00:00Z", null),
    row("2026-02-14T08:00:00Z", 117),
  ];

  it("first click longest first, second shortest first, third the original order; empty last (bug 43)", () => {
    let state = nextSort({ key: null, direction: "desc" }, "duration_min");
    expect(sortCycles(rows, state.key, state.direction).map((r) => r.duration_min)).toEqual([
      117,
      30,
      5,
      null,
    ]);
    state = nextSort(state, "duration_min");
    expect(sortCycles(rows, state.key, state.direction).map((r) => r.duration_min)).toEqual([
      5,
      30,
      117,
      null,
    ]);
    state = nextSort(state, "duration_min");
    expect(state.key).toBeNull();
    expect(sortCycles(rows, state.key, state.direction).map((r) => r.start)).toEqual([
      "2026-02-14T11:00:00Z",
      "2026-02-14T10:00:00Z",
      "2026-02-14T09:00:00Z",
      "2026-02-14T08:00:00Z",
    ]);
  });

  it("original order: newest first, then device and channel descending, as the API lists them", () => {
    const same = [row("2026-02-14T09:00:00Z", 1, "a", 0), row("2026-02-14T09:00:00Z", 1, "b", 1)];
    expect(sortCycles(same, null, "desc").map((r) => r.device_id)).toEqual(["b", "a"]);
  });

  it("any rows: a sort is a permutation, ordered on its key, ties in the original order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.option(fc.integer({ min: 0, max: 5 }))), {
          maxLength: 40,
        }),
        fc.constantFrom("desc" as const, "asc" as const),
        (spec, direction) => {
          const input = spec.map(([m, d], i) =>
            row(new Date(Date.UTC(2026, 1, 14, 0, m, i % 60)).toISOString(), d ?? null, `d${i % 3}`),
          );
          const out = sortCycles(input, "duration_min", direction);
          expect(out).toHaveLength(input.length);
          const original = sortCycles(input, null, "desc");
          for (let i = 1; i < out.length; i++) {
            const a = out[i - 1] as SortableCycle;
            const b = out[i] as SortableCycle;
            if (a.duration_min === null) expect(b.duration_min).toBeNull();
            else if (b.duration_min !== null) {
              const cmp = (a.duration_min as number) - (b.duration_min as number);
              expect(direction === "desc" ? cmp >= 0 : cmp <= 0).toBe(true);
              if (cmp === 0) expect(original.indexOf(a)).toBeLessThan(original.indexOf(b));
            }
          }
        },
      ),
    );
  });
});
