import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertCycles } from "../src/db/queries/replace-cycles.js";
import { sumpCyclesInRange } from "../src/db/queries/sump-cycles-in-range.js";
import type { DetectedCycle } from "../src/domain/cycles/index.js";
import type { RunEdges } from "../src/domain/pump-health/edges.js";
import { createTestDatabase, type TestDatabase } from "./harness.js";

// The sump's cycles come back as one row of json arrays (decision 0017): each field of each cycle must still
// be the one stored, in the primary key's order, whatever the nulls and the channels.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

const DEVICE = "shellypro4pm-a1b2c3d4e5f6";
const M0 = 29_500_000; // a unix minute (Feb. 2026)

function cycle(startMinute: number, minutes: number, extra: Partial<DetectedCycle> = {}): DetectedCycle {
  return {
    startMinute,
    endMinute: startMinute + minutes,
    lastActiveMinute: startMinute + minutes,
    ongoing: false,
    noise: false,
    samples: minutes + 1,
    durationMin: minutes,
    runtimeMin: minutes + 0.25,
    avgPowerW: 1500,
    avgCurrentA: 6.5,
    medianVoltageV: 231,
    energyWh: 1500 * ((minutes + 0.25) / 60),
    ...extra,
  };
}

describe("sumpCyclesInRange", () => {
  it("gives every field as stored, sorted by start then channel, only the channels and range asked", async () => {
    // channel 0: one to the second, one with its edges to the minute; channel 1: one stored before the edges
    // existed (none), one ongoing (no stop yet) starting in the same minute as channel 0's second; channel 2 is
    // not in the sump
    const c0 = [cycle(M0 + 10, 5), cycle(M0 + 40, 6, { noise: true, runtimeMin: 0.5, energyWh: 12.5 })];
    const e0: RunEdges[] = [
      { startS: (M0 + 10) * 60 - 17.25, stopS: (M0 + 15) * 60 + 42.5, resolution: "second" },
      { startS: (M0 + 40) * 60 - 30, stopS: (M0 + 46) * 60 + 30, resolution: "minute" },
    ];
    const c1 = [
      cycle(M0 + 20, 4),
      cycle(M0 + 40, 3, { ongoing: true, endMinute: null, runtimeMin: 3, energyWh: 75 }),
    ];
    const e1 = [null, { startS: (M0 + 40) * 60 - 5.5, stopS: null, resolution: "second" as const }];
    await upsertCycles(t.db, { deviceId: DEVICE, channel: 0 }, c0, new Date(), e0);
    await upsertCycles(t.db, { deviceId: DEVICE, channel: 1 }, c1, new Date(), e1);
    await upsertCycles(t.db, { deviceId: DEVICE, channel: 2 }, [cycle(M0 + 30, 2)], new Date());

    const got = await sumpCyclesInRange(t.db, DEVICE, [0, 1], (M0 + 10) * 60, (M0 + 41) * 60);
    expect(got).toEqual([
      {
        channel: 0,
        startMinute: M0 + 10,
        startS: (M0 + 10) * 60 - 17.25,
        stopS: (M0 + 15) * 60 + 42.5,
        resolution: "second",
        ongoing: false,
        noise: false,
        runtimeMin: 5.25,
        energyWh: 1500 * (5.25 / 60),
      },
      {
        channel: 1,
        startMinute: M0 + 20,
        startS: null,
        stopS: null,
        resolution: null,
        ongoing: false,
        noise: false,
        runtimeMin: 4.25,
        energyWh: 1500 * (4.25 / 60),
      },
      {
        channel: 0,
        startMinute: M0 + 40,
        startS: (M0 + 40) * 60 - 30,
        stopS: (M0 + 46) * 60 + 30,
        resolution: "minute",
        ongoing: false,
        noise: true,
        runtimeMin: 0.5,
        energyWh: 12.5,
      },
      {
        channel: 1,
        startMinute: M0 + 40,
        startS: (M0 + 40) * 60 - 5.5,
        stopS: null,
        resolution: "second",
        ongoing: true,
        noise: false,
        runtimeMin: 3,
        energyWh: 75,
      },
    ]);
    // [from, to): a start at `to` is left out, one at `from` is in
    expect(
      (await sumpCyclesInRange(t.db, DEVICE, [0, 1], (M0 + 20) * 60, (M0 + 40) * 60)).map(
        (c) => c.startMinute,
      ),
    ).toEqual([M0 + 20]);
    // nothing in range, no channel, or another meter: no cycle (json_agg of no rows is null)
    expect(await sumpCyclesInRange(t.db, DEVICE, [0, 1], (M0 + 100) * 60, (M0 + 200) * 60)).toEqual([]);
    expect(await sumpCyclesInRange(t.db, DEVICE, [], M0 * 60, (M0 + 200) * 60)).toEqual([]);
    expect(await sumpCyclesInRange(t.db, "shellypro4pm-000000000000", [0], M0 * 60, (M0 + 200) * 60)).toEqual(
      [],
    );
  });
});
