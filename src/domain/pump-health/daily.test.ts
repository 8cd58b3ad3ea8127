import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inflowCurve } from "./daily.js";
import { measureSump, type SumpCycle } from "./volumetric.js";

// The inflow curve's points: a stop counts only when no other pump of the sump is running at that instant.
// The curve finds those with a prefix maximum of the stops in start order; here against the definition, pair
// by pair, on random overlapping runs of up to three pumps.

const runs = fc
  .array(
    fc.record({
      channel: fc.integer({ min: 0, max: 2 }),
      start: fc.integer({ min: 0, max: 20_000 }),
      length: fc.integer({ min: 60, max: 3_000 }),
      ongoing: fc.boolean(),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((xs) =>
    xs.map(
      (x, i): SumpCycle => ({
        channel: x.channel,
        startMinute: Math.floor(x.start / 60),
        startS: x.start + i / 100,
        stopS: x.ongoing && i === xs.length - 1 ? null : x.start + i / 100 + x.length,
        resolution: "second",
        ongoing: x.ongoing && i === xs.length - 1,
        noise: false,
      }),
    ),
  );

describe("inflowCurve", () => {
  it("knows the level at exactly the stops where no other pump runs", () => {
    fc.assert(
      fc.property(runs, (cycles) => {
        const measured = measureSump(cycles, 2);
        const pumped = cycles.map(() => 1);
        const at = inflowCurve(cycles, measured, pumped, null);
        // with every volume known and no start points (V unknown), the curve passes through each free stop
        // at the cumulative volume pumped by then; a busy stop adds no point
        const stops = cycles
          .map((c, i) => ({ c, i }))
          .filter((x) => x.c.stopS !== null)
          .sort((a, b) => (a.c.stopS as number) - (b.c.stopS as number));
        stops.forEach(({ c }, k) => {
          const t = c.stopS as number;
          const busy = cycles.some((o) => o !== c && (o.startS as number) < t && (o.stopS ?? Infinity) > t);
          const tied = stops.some((s) => s.c !== c && s.c.stopS === t);
          if (!busy && !tied) expect(at(t)).toBeCloseTo(k + 1, 9);
        });
        const free = stops.filter(({ c }) => {
          const t = c.stopS as number;
          return !cycles.some((o) => o !== c && (o.startS as number) < t && (o.stopS ?? Infinity) > t);
        });
        if (free.length === 0) expect(at((stops[0]?.c.stopS as number) ?? 0)).toBeNull();
        // a busy stop is no point: the curve there is the line between the free stops around it
        const points = free.map(({ c }) => ({
          t: c.stopS as number,
          v: stops.findIndex((s) => s.c === c) + 1,
        }));
        stops.forEach(({ c }) => {
          const t = c.stopS as number;
          if (points.some((p) => p.t === t) || stops.some((s) => s.c !== c && s.c.stopS === t)) return;
          const before = points.filter((p) => p.t < t).at(-1);
          const after = points.find((p) => p.t > t);
          if (!before || !after) return;
          const expected = before.v + ((after.v - before.v) * (t - before.t)) / (after.t - before.t);
          expect(at(t)).toBeCloseTo(expected, 9);
        });
      }),
      { numRuns: 300 },
    );
  });
});
