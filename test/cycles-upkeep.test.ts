import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { simulateFleet } from "../simulator/index.js";
import {
  ensureCyclesFresh,
  refreshPendingCycles,
  type SettingsFor,
} from "../src/analytics/refresh-cycles.js";
import type { Database } from "../src/db/database.js";
import { cyclesInRange } from "../src/db/queries/cycles-in-range.js";
import { enqueueChannelRebuild } from "../src/db/queries/enqueue-cycle-refresh.js";
import { readingsInWindow } from "../src/db/queries/readings-in-window.js";
import { type ChannelRef, detectedPart, type StoredCycle } from "../src/db/queries/stored-cycle.js";
import { detectCycles } from "../src/domain/cycles/detect.js";
import type { CycleSettings } from "../src/domain/cycles/types.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { createTestDatabase, type TestDatabase } from "./harness.js";

let t: TestDatabase;
let db: Database;

beforeAll(async () => {
  t = await createTestDatabase();
  db = t.db;
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await reset();
});

async function reset(): Promise<void> {
  await db.query("TRUNCATE readings, devices, cycles, cycle_refresh_queue CASCADE");
}

const DEVICE = "shellypro4pm-c0ffee000001";
const T0 = 29_332_740; // 2025-10-09T08:00Z in unix minutes
const FAR = { from: T0 - 100_000, to: T0 + 1_000_000 };

interface MinuteValues {
  apowerW: number | null;
  currentA: number | null;
  voltageV: number | null;
  totalWh: number | null;
  lastMinuteMWh: number | null;
}

/** A queue message with one switch: a complete per-minute frame (with aenergy) or a delta. */
function message(
  channel: number,
  minute: number,
  second: number,
  v: MinuteValues,
  complete: boolean,
  deviceId = DEVICE,
) {
  const status: Record<string, unknown> = {};
  if (v.apowerW !== null) status.apower = v.apowerW;
  if (v.currentA !== null) status.current = v.currentA;
  if (v.voltageV !== null) status.voltage = v.voltageV;
  if (complete) {
    status.aenergy = {
      total: v.totalWh,
      by_minute: [v.lastMinuteMWh, 0, 0],
      minute_ts: minute * 60,
    };
  }
  return {
    src: deviceId,
    timestamp: minute * 60 + second,
    params: { ts: minute * 60 + second + 0.25, [`switch:${channel}`]: status },
  };
}

async function ingest(messages: readonly unknown[], nowMinute: number) {
  const summary = await ingestBatch(db, messages, { nowS: nowMinute * 60, receivedAt: new Date() });
  expect(summary.errors).toBe(0);
  return summary;
}

async function storedCycles(ref: ChannelRef): Promise<StoredCycle[]> {
  const newestFirst = await cyclesInRange(db, {
    channels: [ref],
    fromMinute: FAR.from,
    toMinute: FAR.to,
    limit: 100_000,
  });
  return newestFirst.reverse();
}

async function fullDetection(ref: ChannelRef, settings: Partial<CycleSettings>, nowMinute: number) {
  return detectCycles(await readingsInWindow(db, ref, FAR.from, FAR.to), settings, nowMinute);
}

const ref = (channel: number, deviceId = DEVICE): ChannelRef => ({ deviceId, channel });

// ---- (a) the property of the issue -----------------------------------------------------------------------

const valuesArb: fc.Arbitrary<Omit<MinuteValues, "totalWh">> = fc.record({
  apowerW: fc.oneof(
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: fc.constantFrom(0, 1.1, 50), weight: 3 },
    { arbitrary: fc.constantFrom(433.8, 1200), weight: 6 },
  ),
  currentA: fc.option(fc.constantFrom(2.4, 5.1), { nil: null }),
  voltageV: fc.option(fc.constantFrom(0, 228.2, 231), { nil: null }),
  lastMinuteMWh: fc.option(fc.constantFrom(0, 3500, 7000, 20000), { nil: null }),
});

// Pump-like runs of minutes separated by silences; some minutes only get a delta frame (no energy), some
// get a second, later complete frame that replaces the first one's values whatever the arrival order.
const channelSeriesArb = fc
  .array(
    fc.record({
      silence: fc.integer({ min: 0, max: 12 }),
      length: fc.integer({ min: 1, max: 16 }),
      values: valuesArb,
      deltaOnly: fc.boolean(),
      corrected: fc.option(valuesArb, { nil: null }),
    }),
    { minLength: 1, maxLength: 7 },
  )
  .map((runs) => {
    const frames: { minute: number; second: number; values: MinuteValues; complete: boolean }[] = [];
    let minute = 0;
    let totalWh = 1000;
    for (const run of runs) {
      minute += run.silence;
      for (let i = 0; i < run.length; i++, minute++) {
        totalWh += (run.values.lastMinuteMWh ?? 0) / 1000;
        const values = { ...run.values, totalWh };
        const deltaOnly = run.deltaOnly && i % 3 === 1;
        frames.push({ minute, second: 1, values, complete: !deltaOnly });
        if (run.corrected !== null && i % 3 === 0) {
          frames.push({ minute, second: 7, values: { ...run.corrected, totalWh }, complete: true });
        }
      }
    }
    return frames;
  });

const settingsArb: fc.Arbitrary<CycleSettings> = fc.record({
  activityThresholdW: fc.constantFrom(10, 100),
  stopGapMin: fc.constantFrom(2, 4, 6),
  minCycleMin: fc.constantFrom(0, 2),
});

describe("materialised cycles", () => {
  it("(a) equal detectCycles over the stored readings for any arrival order, duplicates and late data", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(0, 1, 2, 3), channelSeriesArb, settingsArb), {
          minLength: 1,
          maxLength: 2,
        }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(30, 100_000),
        fc.integer({ min: 0, max: 6 }),
        fc.infiniteStream(fc.nat(1_000_000)),
        async (channels, batchCount, maxWindowMin, lag, random) => {
          await reset();
          const unique = new Map(channels.map((c) => [c[0], c]));
          const settings = new Map<number, CycleSettings>([...unique.values()].map(([ch, , s]) => [ch, s]));
          const settingsFor: SettingsFor = (_d, ch) => settings.get(ch) ?? {};

          const messages = [...unique.values()].flatMap(([ch, frames]) =>
            frames.map((f) => message(ch, T0 + f.minute, f.second, f.values, f.complete)),
          );
          const last = Math.max(...[...unique.values()].flatMap(([, frames]) => frames.map((f) => f.minute)));
          const nowMinute = T0 + last + 1 + lag;
          // duplicates, then a random arrival order, cut into random batches
          const arrivals = [...messages, ...messages.filter(() => random.next().value % 5 === 0)]
            .map((m) => ({ m, k: random.next().value }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.m);
          const size = Math.ceil(arrivals.length / batchCount);
          for (let i = 0; i < arrivals.length; i += size) {
            await ingest(arrivals.slice(i, i + size), nowMinute);
            if (random.next().value % 2 === 0) {
              await refreshPendingCycles(db, { nowMinute, settingsFor, maxWindowMin });
            }
          }
          await refreshPendingCycles(db, { nowMinute, settingsFor, maxWindowMin });

          const queued = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM cycle_refresh_queue");
          expect(queued.rows[0]?.n).toBe(0);
          for (const [ch] of unique.values()) {
            const expected = await fullDetection(ref(ch), settingsFor(DEVICE, ch), nowMinute);
            expect((await storedCycles(ref(ch))).map(detectedPart)).toEqual(expected);
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  // ---- (b) the simulator's ground truth --------------------------------------------------------------------

  it("(b) finds every cycle of the simulator's ground truth, and nothing else that is not noise", async () => {
    const sim = simulateFleet({ seed: 11, devices: 1, days: 1, start: "2025-10-09T00:00:00Z" });
    const nowMinute = sim.endS / 60 + 10;
    for (const batch of sim.batches(500)) await ingest(batch, nowMinute);
    await refreshPendingCycles(db, { nowMinute });

    const device = sim.devices[0];
    if (device === undefined) throw new Error("no device");
    const stored = (
      await cyclesInRange(db, {
        channels: device.channels.map((c) => ref(c.channel, device.id)),
        fromMinute: FAR.from,
        toMinute: FAR.to,
        limit: 10_000,
      })
    ).reverse();
    const truth = sim.truth.filter((c) => c.role === "lift" || c.role === "outlet");
    expect(truth.length).toBeGreaterThan(10);
    expect(new Set(truth.map((c) => c.role))).toEqual(new Set(["lift", "outlet"]));

    const matches = (c: StoredCycle, x: (typeof truth)[number]) =>
      c.deviceId === x.device_id &&
      c.channel === x.channel &&
      Math.abs(c.startMinute * 60 - x.start_ts) <= 60 &&
      c.endMinute !== null &&
      Math.abs(c.endMinute * 60 - x.end_ts) <= 60;
    for (const x of truth)
      expect(
        stored.filter((c) => matches(c, x)),
        `${x.start} ch${x.channel}`,
      ).toHaveLength(1);
    const unexplained = stored.filter((c) => !c.noise && !truth.some((x) => matches(c, x)));
    expect(unexplained).toEqual([]);
    expect(stored.every((c) => !c.ongoing)).toBe(true);
  }, 120_000);

  // ---- (c) ongoing cycles close as time passes --------------------------------------------------------------

  it("(c) an ongoing cycle closes once the clock passes the stop gap with no new reading", async () => {
    const run = (channel: number) =>
      Array.from({ length: 6 }, (_, i) =>
        message(
          channel,
          T0 + i,
          1,
          { apowerW: 430, currentA: 2, voltageV: 230, totalWh: 10 + i, lastMinuteMWh: 7000 },
          true,
        ),
      );
    await ingest([...run(0), ...run(1)], T0 + 6);
    await refreshPendingCycles(db, { nowMinute: T0 + 6 });
    for (const ch of [0, 1]) {
      expect(await storedCycles(ref(ch))).toMatchObject([
        { ongoing: true, endMinute: null, lastActiveMinute: T0 + 5 },
      ]);
    }

    // nothing new in the queue: still ongoing one minute before the gap …
    await refreshPendingCycles(db, { nowMinute: T0 + 8 });
    expect((await storedCycles(ref(0)))[0]?.ongoing).toBe(true);
    // … closed at the gap, by the background refresher or by a reader
    await refreshPendingCycles(db, { nowMinute: T0 + 9 });
    expect(await storedCycles(ref(0))).toMatchObject([{ ongoing: false, endMinute: T0 + 5, durationMin: 5 }]);
    expect((await storedCycles(ref(1)))[0]?.ongoing).toBe(false);

    await reset();
    await ingest(run(2), T0 + 6);
    await ensureCyclesFresh(db, [ref(2)], T0 + 6);
    expect((await storedCycles(ref(2)))[0]?.ongoing).toBe(true);
    await ensureCyclesFresh(db, [ref(2)], T0 + 20);
    expect((await storedCycles(ref(2)))[0]).toMatchObject({ ongoing: false, endMinute: T0 + 5 });
  });

  // ---- (d) a late reading re-detects only its window ------------------------------------------------------

  it("(d) a late reading inside an old closed cycle re-detects only that cycle", async () => {
    const runs = [
      [0, 20],
      [300, 330],
      [600, 620],
    ] as const;
    const hole = 315;
    const messages = runs.flatMap(([from, to]) =>
      Array.from({ length: to - from + 1 }, (_, i) => from + i)
        .filter((m) => m !== hole)
        .map((m) =>
          message(
            3,
            T0 + m,
            1,
            { apowerW: 800, currentA: 3.5, voltageV: 230, totalWh: m, lastMinuteMWh: 13000 },
            true,
          ),
        ),
    );
    const nowMinute = T0 + 700;
    await ingest(messages, nowMinute);
    await refreshPendingCycles(db, { nowMinute });
    const before = await storedCycles(ref(3));
    expect(before.map((c) => [c.startMinute - T0, c.lastActiveMinute - T0])).toEqual(runs.map((r) => [...r]));

    await new Promise((resolve) => setTimeout(resolve, 20));
    // the missing minute arrives days later: the pump was off then, so the middle cycle is two cycles
    await ingest(
      [
        message(
          3,
          T0 + hole,
          1,
          { apowerW: 0, currentA: 0, voltageV: 230, totalWh: hole, lastMinuteMWh: 13000 },
          true,
        ),
      ],
      nowMinute,
    );
    const queued = await db.query<{ from_minute: number; to_minute: number }>(
      "SELECT from_minute, to_minute FROM cycle_refresh_queue",
    );
    expect(queued.rows.map((r) => [Number(r.from_minute) - T0, Number(r.to_minute) - T0])).toEqual([
      [hole, hole],
    ]);
    const summary = await refreshPendingCycles(db, { nowMinute });
    expect(summary).toMatchObject({ channels: 1, steps: 1, deleted: 0, written: 2 });

    const after = await storedCycles(ref(3));
    expect(after.map((c) => [c.startMinute - T0, c.lastActiveMinute - T0])).toEqual([
      [0, 20],
      [300, 314],
      [316, 330],
      [600, 620],
    ]);
    expect(after[0]?.detectedAt).toEqual(before[0]?.detectedAt);
    expect(after[3]?.detectedAt).toEqual(before[2]?.detectedAt);
    expect(after[1]?.detectedAt.getTime()).toBeGreaterThan(before[1]?.detectedAt.getTime() ?? 0);
    expect(after.map(detectedPart)).toEqual(await fullDetection(ref(3), {}, nowMinute));
  });

  it("loses no change when ingestion and refreshers run at the same time", async () => {
    const sim = simulateFleet({
      seed: 5,
      devices: 2,
      days: 0.25,
      start: "2025-10-09T00:00:00Z",
      reorder: 50,
    });
    const nowMinute = sim.endS / 60 + 10;
    const channels = sim.devices.flatMap((d) => d.channels.map((c) => ref(c.channel, d.id)));
    let ingesting = true;
    const ingestion = (async () => {
      const batches = [...sim.batches(200)];
      // two clients posting at once
      await Promise.all(
        [0, 1].map(async (client) => {
          for (let i = client; i < batches.length; i += 2) await ingest(batches[i] ?? [], nowMinute);
        }),
      );
      ingesting = false;
    })();
    const refreshers = [
      (async () => {
        while (ingesting) await refreshPendingCycles(db, { nowMinute, maxWindowMin: 120 });
      })(),
      (async () => {
        while (ingesting) await ensureCyclesFresh(db, channels.slice(0, 3), nowMinute);
      })(),
    ];
    await Promise.all([ingestion, ...refreshers]);
    // a reader after the last batch sees every reading
    await ensureCyclesFresh(db, channels, nowMinute);
    for (const c of channels) {
      expect((await storedCycles(c)).map(detectedPart)).toEqual(await fullDetection(c, {}, nowMinute));
    }
    const queued = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM cycle_refresh_queue");
    expect(queued.rows[0]?.n).toBe(0);
  }, 120_000);

  it("a channel whose refresh fails does not hold up the others, and stays queued", async () => {
    const minutes = Array.from({ length: 5 }, (_, i) => i);
    await ingest(
      [0, 1].flatMap((ch) =>
        minutes.map((m) =>
          message(
            ch,
            T0 + m,
            1,
            { apowerW: 430, currentA: 2, voltageV: 230, totalWh: m, lastMinuteMWh: 7000 },
            true,
          ),
        ),
      ),
      T0 + 60,
    );
    const settingsFor: SettingsFor = (_d, ch) => (ch === 0 ? { stopGapMin: 0 } : {});
    const summary = await refreshPendingCycles(db, { nowMinute: T0 + 60, settingsFor });
    expect(summary.failed).toMatchObject([{ deviceId: DEVICE, channel: 0 }]);
    expect(await storedCycles(ref(0))).toEqual([]);
    expect(await storedCycles(ref(1))).toHaveLength(1);
    await expect(ensureCyclesFresh(db, [ref(0)], T0 + 60, settingsFor)).rejects.toThrow(/écart d'arrêt/);
    await ensureCyclesFresh(db, [ref(0)], T0 + 60);
    expect(await storedCycles(ref(0))).toHaveLength(1);
  });

  // ---- listing and rebuilding ------------------------------------------------------------------------------

  it("lists the cycles of several channels newest first, page by page, and filters noise", async () => {
    const messages = [0, 1].flatMap((ch) =>
      Array.from({ length: 200 }, (_, m) => m)
        .filter((m) => m % 10 < (ch === 0 ? 4 : 2))
        .map((m) =>
          message(
            ch,
            T0 + m,
            1,
            { apowerW: 500, currentA: 2, voltageV: 230, totalWh: m, lastMinuteMWh: 8000 },
            true,
          ),
        ),
    );
    await ingest(messages, T0 + 300);
    const channels = [ref(0), ref(1)];
    await ensureCyclesFresh(db, channels, T0 + 300);
    const all = await cyclesInRange(db, { channels, fromMinute: T0 + 50, toMinute: T0 + 150, limit: 1000 });
    expect(all).toHaveLength(20);
    const order = all.map((c) => [c.startMinute, c.channel]);
    expect(order).toEqual([...order].sort((x, y) => (y[0] ?? 0) - (x[0] ?? 0) || (y[1] ?? 0) - (x[1] ?? 0)));
    expect(all.every((c) => c.startMinute >= T0 + 50 && c.startMinute < T0 + 150)).toBe(true);

    const pages: StoredCycle[][] = [];
    let after: StoredCycle | undefined;
    for (;;) {
      const page = await cyclesInRange(db, {
        channels,
        fromMinute: T0 + 50,
        toMinute: T0 + 150,
        limit: 3,
        after,
      });
      if (page.length === 0) break;
      pages.push(page);
      after = page[page.length - 1];
    }
    expect(pages.flat()).toEqual(all);
    // channel 1 runs 2 minutes at a time: duration 1 < 2 min, flagged as noise
    const real = await cyclesInRange(db, {
      channels,
      fromMinute: T0 + 50,
      toMinute: T0 + 150,
      limit: 1000,
      includeNoise: false,
    });
    expect(real.map((c) => c.channel)).toEqual(Array(10).fill(0));
  });

  it("rebuilds a channel's whole history in bounded steps after its settings changed", async () => {
    const messages = Array.from({ length: 3 * 1440 }, (_, m) => m).map((m) =>
      message(
        0,
        T0 + m,
        1,
        {
          apowerW: m % 37 < 9 ? 700 : m % 37 === 20 ? 60 : 0,
          currentA: 3,
          voltageV: 231,
          totalWh: m,
          lastMinuteMWh: m % 37 < 9 ? 11000 : 0,
        },
        true,
      ),
    );
    const nowMinute = T0 + 3 * 1440 + 5;
    for (let i = 0; i < messages.length; i += 1000) await ingest(messages.slice(i, i + 1000), nowMinute);
    await refreshPendingCycles(db, { nowMinute });
    expect((await storedCycles(ref(0))).map(detectedPart)).toEqual(
      await fullDetection(ref(0), {}, nowMinute),
    );

    // a 50 W threshold makes the lone 60 W minutes cycles too (noise), with a 6-minute stop gap
    const settings = { activityThresholdW: 50, stopGapMin: 6 };
    await enqueueChannelRebuild(db, ref(0));
    const summary = await refreshPendingCycles(db, {
      nowMinute,
      settingsFor: () => settings,
      maxWindowMin: 600,
    });
    expect(summary.steps).toBeGreaterThan(5);
    expect((await storedCycles(ref(0))).map(detectedPart)).toEqual(
      await fullDetection(ref(0), settings, nowMinute),
    );
  }, 60_000);
});
