import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { simulateFleet } from "../simulator/index.js";
import { cyclesReport } from "../src/analytics/cycles-report.js";
import {
  ensureCyclesFresh,
  refreshPendingCycles,
  type SettingsFor,
} from "../src/analytics/refresh-cycles.js";
import type { Database } from "../src/db/database.js";
import { openPostgres } from "../src/db/postgres.js";
import { cyclesInRange } from "../src/db/queries/cycles-in-range.js";
import { enqueueChannelRebuild } from "../src/db/queries/enqueue-cycle-refresh.js";
import { readingsInWindow } from "../src/db/queries/readings-in-window.js";
import { type ChannelRef, detectedPart, type StoredCycle } from "../src/db/queries/stored-cycle.js";
import { detectCycles } from "../src/domain/cycles/detect.js";
import type { CycleSettings } from "../src/domain/cycles/types.js";
import { factorSetById } from "../src/domain/impact/index.js";
import { parsePeriod } from "../src/domain/period.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { createTestDatabase, onCitus, onPostgres, type TestDatabase } from "./harness.js";

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
  await db.query(
    "TRUNCATE readings, devices, cycles, cycle_refresh_queue, cycle_refresh_channels, channel_activity_hourly CASCADE",
  );
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

  // Not yet on Citus (issue 20, left to do): a refresher racing ingestion there sometimes leaves queue entries
  // behind (seen once in three runs); sequential refreshes, backfills and claims pass on the cluster.
  it.skipIf(onCitus)(
    "loses no change when ingestion and refreshers run at the same time",
    async () => {
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
    },
    120_000,
  );

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
            // channel 1 draws 50 W: less than a pump (a short run at a pump's power is a pump run, issue 21)
            ch === 0
              ? { apowerW: 500, currentA: 2, voltageV: 230, totalWh: m, lastMinuteMWh: 8000 }
              : { apowerW: 50, currentA: 0.2, voltageV: 230, totalWh: m, lastMinuteMWh: 800 },
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
    // channel 1 runs 2 minutes at a time at 50 W: duration 1 < 2 min and no pump's power, flagged as noise
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

// ---- backfills, read budgets, several refreshers ----------------------------------------------------------

/** A meter's running minutes only (what a filtered history holds): pump runs of 3–9 minutes, 40–100 apart. */
function runningMinutes(channel: number, days: number, seed: number) {
  const frames: ReturnType<typeof message>[] = [];
  let x = seed;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  let totalWh = 0;
  for (let m = 0; m < days * 1440; ) {
    m += 40 + Math.floor(next() * 60);
    const length = 3 + Math.floor(next() * 7);
    for (let i = 0; i < length && m < days * 1440; i++, m++) {
      totalWh += 11;
      frames.push(
        message(
          channel,
          T0 + m,
          3,
          { apowerW: i === length - 1 ? 6 : 700, currentA: 3, voltageV: 231, totalWh, lastMinuteMWh: 11000 },
          true,
        ),
      );
    }
  }
  return frames;
}

async function queuedRows(): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM cycle_refresh_queue");
  return rows[0]?.n ?? 0;
}

describe("backfills", () => {
  it("a backfill of hundreds of queued ranges is re-detected in one pass of day steps, as a full detection", async () => {
    const days = 12;
    const frames = runningMinutes(1, days, 7);
    const nowMinute = T0 + days * 1440 + 30;
    // small batches in a shuffled order, like a queue catching up: every batch queues its own ranges
    const order = frames.map((f, i) => ({ f, k: (i * 7919) % frames.length }));
    order.sort((x, y) => x.k - y.k);
    for (let i = 0; i < order.length; i += 97) {
      await ingest(
        order.slice(i, i + 97).map((o) => o.f),
        nowMinute,
      );
    }
    const queued = await queuedRows();
    expect(queued).toBeGreaterThan(20 * (days + 2));

    const summary = await refreshPendingCycles(db, { nowMinute });
    // one step per day of history at most (plus the first), not one per queued range
    expect(summary.steps).toBeLessThanOrEqual(days + 2);
    expect(await queuedRows()).toBe(0);
    expect((await storedCycles(ref(1))).map(detectedPart)).toEqual(
      await fullDetection(ref(1), {}, nowMinute),
    );
    const hours = await db.query<{ active: number; rows: number }>(
      `SELECT sum(active_n)::int AS active, count(*)::int AS rows FROM channel_activity_hourly
       WHERE device_id = $1 AND channel = 1`,
      [DEVICE],
    );
    const active = frames.filter((f) => {
      const status = (f.params as Record<string, { apower?: number }>)["switch:1"];
      return (status?.apower ?? 0) > 10;
    }).length;
    expect(hours.rows[0]?.active).toBe(active);
  }, 120_000);

  it("a read with no budget left answers at once with what is stored, and says since when changes wait", async () => {
    const nowMinute = T0 + 3 * 1440;
    for (const batch of [runningMinutes(0, 2, 3), runningMinutes(2, 2, 4)]) await ingest(batch, nowMinute);
    await refreshPendingCycles(db, { nowMinute });
    const before = (await storedCycles(ref(0))).map(detectedPart);
    await ingest(
      runningMinutes(0, 3, 11).filter((m) => m.timestamp > (T0 + 2 * 1440) * 60),
      nowMinute,
    );

    const outcome = await ensureCyclesFresh(db, [ref(0), ref(2)], nowMinute, undefined, {
      budgetMs: 0,
      minSteps: 0,
    });
    expect(outcome.steps).toBe(0);
    expect(outcome.pending).toEqual([ref(0)]);
    expect(outcome.pendingSince).toBeInstanceOf(Date);
    expect((await storedCycles(ref(0))).map(detectedPart)).toEqual(before);

    const period = parsePeriod(undefined, undefined, "UTC", nowMinute * 60);
    if (!period.ok) throw new Error(period.error);
    const report = await cyclesReport(
      db,
      { versionsOf: async () => new Map() },
      {
        channels: [ref(0)],
        period: period.period,
        includeNoise: false,
        nowS: nowMinute * 60,
        timeZone: "UTC",
        factorSet: factorSetById("fp-2026", {}),
        limit: 10,
        refreshBudget: { budgetMs: 0, minSteps: 0 },
      },
    );
    expect(report.refreshing?.since).toEqual(outcome.pendingSince);

    // with a budget, the same read brings the channel up to date and says nothing
    const fresh = await ensureCyclesFresh(db, [ref(0), ref(2)], nowMinute);
    expect(fresh.pending).toEqual([]);
    expect(fresh.pendingSince).toBeNull();
    expect((await storedCycles(ref(0))).map(detectedPart)).toEqual(
      await fullDetection(ref(0), {}, nowMinute),
    );
  }, 60_000);
});

describe.runIf(onPostgres)("several refreshers on one PostgreSQL", () => {
  it("a channel held by another refresher is left to it, and freed when that refresher dies mid-step", async () => {
    const nowMinute = T0 + 2 * 1440;
    for (const ch of [0, 1]) await ingest(runningMinutes(ch, 1, 20 + ch), nowMinute);
    // another instance, mid-step on channel 0: its claim is a row lock of an open transaction
    const other = new pg.Client({ connectionString: t.url ?? "" });
    await other.connect();
    other.on("error", () => {});
    await other.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
    await other.query(
      `INSERT INTO cycle_refresh_channels AS c (device_id, channel, steps) VALUES ($1, 0, 1)
       ON CONFLICT (device_id, channel) DO UPDATE SET steps = c.steps + 1`,
      [DEVICE],
    );
    const pid = (await other.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;

    const background = await refreshPendingCycles(db, { nowMinute, lockTimeoutMs: 50 });
    expect(background.pending).toEqual([ref(0)]);
    expect(background.failed).toEqual([]);
    expect((await storedCycles(ref(1))).map(detectedPart)).toEqual(
      await fullDetection(ref(1), {}, nowMinute),
    );
    const reader = await ensureCyclesFresh(db, [ref(0)], nowMinute, undefined, {
      budgetMs: 100,
      minSteps: 0,
    });
    expect(reader.pending).toEqual([ref(0)]);
    expect(reader.pendingSince).toBeInstanceOf(Date);

    // the other instance dies: PostgreSQL rolls its step back and the channel is free
    await db.query("SELECT pg_terminate_backend($1::int4)", [pid]);
    await other.end().catch(() => {});
    const after = await refreshPendingCycles(db, { nowMinute });
    expect(after.pending).toEqual([]);
    expect((await storedCycles(ref(0))).map(detectedPart)).toEqual(
      await fullDetection(ref(0), {}, nowMinute),
    );
  }, 60_000);

  // Not yet on Citus (issue 20, left to do): there the two instances and the ingestion stop making progress and
  // the test runs out of time; the claims of one channel at a time pass above.
  it.skipIf(onCitus)(
    "two instances refreshing while ingestion goes on lose no change",
    async () => {
      const second = openPostgres({ connectionString: t.url ?? "", maxConnections: 4, onError: () => {} });
      try {
        const days = 3;
        const nowMinute = T0 + days * 1440 + 30;
        const batches = [0, 1, 2, 3].flatMap((ch) => {
          const frames = runningMinutes(ch, days, 100 + ch);
          return Array.from({ length: Math.ceil(frames.length / 50) }, (_, i) =>
            frames.slice(i * 50, i * 50 + 50),
          );
        });
        batches.sort((x, y) => (x[0]?.timestamp ?? 0) - (y[0]?.timestamp ?? 0));
        let ingesting = true;
        const ingestion = (async () => {
          for (const batch of batches) await ingest(batch, nowMinute);
          ingesting = false;
        })();
        const instances = [db, second].map(async (instance) => {
          while (ingesting)
            await refreshPendingCycles(instance, { nowMinute, maxWindowMin: 240, lockTimeoutMs: 20 });
        });
        await Promise.all([ingestion, ...instances]);
        await refreshPendingCycles(second, { nowMinute });
        expect(await queuedRows()).toBe(0);
        for (const ch of [0, 1, 2, 3]) {
          expect((await storedCycles(ref(ch))).map(detectedPart)).toEqual(
            await fullDetection(ref(ch), {}, nowMinute),
          );
        }
      } finally {
        await second.close();
      }
    },
    120_000,
  );
});
