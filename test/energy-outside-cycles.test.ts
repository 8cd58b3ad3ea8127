import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ChannelVersions, cyclesReport } from "../src/analytics/cycles-report.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import { periodFigures } from "../src/analytics/report-figures.js";
import { FP_2026 } from "../src/domain/impact/index.js";
import { parsePeriod } from "../src/domain/period.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { createTestDatabase, type TestDatabase } from "./harness.js";

/*
 * Every kWh the meter measured belongs in the period's energy total (issue 21, item 2; decision 0020): the
 * cycles' energy and, beside it, the energy measured in minutes no cycle holds. A meter reports the energy of
 * minute m with its reading of minute m + 1 (aenergy.by_minute[0]), so the figures below are counted by hand
 * from the frames, minute by minute.
 */
const DEVICE = "shellypro4pm-e0e0e0000021";
const DAY = "2026-03-10";
const DAY_MIN = Date.parse(`${DAY}T00:00:00Z`) / 60_000;
const NOW_S = (DAY_MIN + 1440 + 120) * 60;
const NO_VERSIONS: ChannelVersions = { versionsOf: async () => new Map() };

function frame(
  channel: number,
  minuteOfDay: number,
  apower: number,
  energy: { mwh?: number; total?: number },
) {
  const minuteTs = (DAY_MIN + minuteOfDay) * 60;
  const status: Record<string, unknown> = { apower };
  if (energy.mwh !== undefined || energy.total !== undefined) {
    status.aenergy = {
      ...(energy.mwh === undefined ? {} : { by_minute: [energy.mwh, 0, 0], minute_ts: minuteTs }),
      total: energy.total ?? 0,
    };
  }
  return {
    src: DEVICE,
    timestamp: minuteTs + 1,
    params: { ts: minuteTs + 1.2, [`switch:${channel}`]: status },
  };
}

/*
 * Channel 0: 6 W of idle draw (0.1 Wh a minute) around one pump run at 600 W that started in minute 9 (5 Wh in
 * it) and ran minutes 10–14 (10 Wh each): the cycle holds 55 Wh. Idle minutes of the day: 0–8 (reported by the
 * readings of 1–9) and 15–29 (16–30), 24 × 0.1 = 2.4 Wh; the reading of 00:00 reports 23:59 of the day before.
 * Channel 1: no cycle at all; three single minutes of 0.15 Wh (9 W), the last one reported by the reading of
 * 00:00 the next day: 0.45 Wh. Channel 2: a counter only (no per-minute energy): 1 000 → 1 000.25 Wh between
 * two readings a minute apart, 0.25 Wh; its next reading comes after a gap and is not counted.
 */
const CYCLE_WH = 55;
const IDLE_WH = 2.4 + 0.45 + 0.25;

function messages() {
  const out: unknown[] = [];
  for (let t = 0; t <= 30; t++) {
    if (t >= 10 && t <= 14) out.push(frame(0, t, 600, { mwh: t === 10 ? 5000 : 10_000 }));
    else if (t === 15) out.push(frame(0, t, 0.5, { mwh: 10_000 }));
    else out.push(frame(0, t, 6, { mwh: 100 }));
  }
  out.push(frame(1, 300, 9, {}), frame(1, 301, 9, { mwh: 150 }));
  out.push(frame(1, 1439, 9, { mwh: 150 }), frame(1, 1440, 9, { mwh: 150 }));
  out.push(frame(2, 600, 4, { total: 1000 }), frame(2, 601, 4, { total: 1000.25 }));
  out.push(frame(2, 603, 4, { total: 1000.5 }));
  return out;
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.db.query(
    "TRUNCATE readings, devices, cycles, cycle_refresh_queue, cycle_refresh_channels, channel_activity_hourly CASCADE",
  );
  await ingestBatch(t.db, messages(), { nowS: NOW_S, receivedAt: new Date(NOW_S * 1000) });
  await refreshPendingCycles(t.db, { nowMinute: NOW_S / 60 });
});

const channels = [0, 1, 2].map((channel) => ({ deviceId: DEVICE, channel }));

async function summary(refreshBudget?: { budgetMs: number; minSteps: number }) {
  const parsed = parsePeriod(DAY, DAY, "UTC", NOW_S);
  if (!parsed.ok) throw new Error(parsed.error);
  const report = await cyclesReport(t.db, NO_VERSIONS, {
    channels,
    period: parsed.period,
    includeNoise: true,
    nowS: NOW_S,
    timeZone: "UTC",
    factorSet: FP_2026,
    limit: 10,
    ...(refreshBudget ? { refreshBudget } : {}),
  });
  return report;
}

describe("the energy total is every kWh the meter measured", () => {
  it("adds the minutes outside any cycle to the cycles' energy, a single idle minute included", async () => {
    const report = await summary();
    expect(report.cycles.map((c) => [c.cycle.channel, c.cycle.energyWh])).toEqual([[0, CYCLE_WH]]);
    expect(report.summary.energyKwh * 1000).toBeCloseTo(CYCLE_WH + IDLE_WH, 9);
    expect(report.summary.idleEnergyKwh * 1000).toBeCloseTo(IDLE_WH, 9);
  });

  it("keeps them per hour with the activity sums, by the minute the energy was drawn in", async () => {
    const { rows } = await t.db.query<{ channel: number; hour: string; wh: string }>(
      `SELECT channel, to_char(hour_ts AT TIME ZONE 'UTC', 'HH24') AS hour, idle_energy_wh::text AS wh
       FROM channel_activity_hourly WHERE device_id = $1 AND idle_energy_wh > 0 ORDER BY channel, hour_ts`,
      [DEVICE],
    );
    expect(rows.map((r) => [Number(r.channel), r.hour, Number(r.wh)])).toEqual([
      [0, "23", 0.1], // 23:59 of the day before, reported at 00:00
      [0, "00", 2.4],
      [1, "05", 0.15],
      [1, "23", 0.3],
      [2, "10", 0.25],
    ]);
  });

  it("reads the same total from the readings when the hours are not summed (before migration 0018, or queued)", async () => {
    await t.db.query("UPDATE channel_activity_hourly SET idle_energy_wh = NULL WHERE channel = 0");
    await t.db.query(
      `INSERT INTO cycle_refresh_queue (device_id, channel, from_minute, to_minute) VALUES ($1, 1, $2, $2)`,
      [DEVICE, DAY_MIN + 1440],
    );
    // no refresh budget: the queued change stays queued, and the hours it meets are read from the readings
    const report = await summary({ budgetMs: 0, minSteps: 0 });
    expect(report.refreshing).not.toBeNull();
    expect(report.summary.energyKwh * 1000).toBeCloseTo(CYCLE_WH + IDLE_WH, 9);
    expect(report.summary.idleEnergyKwh * 1000).toBeCloseTo(IDLE_WH, 9);
  });

  it("gives the daily CSV and the reports the same energy, day by day and in all", async () => {
    const figures = await periodFigures(t.db, NO_VERSIONS, {
      channels,
      fromDate: DAY,
      toDate: DAY,
      timeZone: "UTC",
      nowS: NOW_S,
      factorSet: FP_2026,
      gridFactor: null,
    });
    const perChannel = figures.channels.map((c) => c.days.reduce((s, d) => s + d.energyKwh * 1000, 0));
    expect(perChannel[0]).toBeCloseTo(CYCLE_WH + 2.4, 9);
    expect(perChannel[1]).toBeCloseTo(0.45, 9);
    expect(perChannel[2]).toBeCloseTo(0.25, 9);
    expect(figures.summary.energyKwh * 1000).toBeCloseTo(CYCLE_WH + IDLE_WH, 9);
  });
});

describe("changes still queued (a backfill being absorbed)", () => {
  it("reads every hour a queued change meets from the readings, whatever its stored sum says", async () => {
    const powerArb = fc.constantFrom(0, 6, 6, 6, 600);
    const changeArb = fc.tuple(fc.integer({ min: -90, max: 1500 }), fc.integer({ min: 0, max: 300 }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(powerArb, { minLength: 1440, maxLength: 1440 }),
        fc.array(changeArb, { minLength: 1, maxLength: 8 }),
        async (powers, changes) => {
          await t.db.query(
            "TRUNCATE readings, devices, cycles, cycle_refresh_queue, cycle_refresh_channels, channel_activity_hourly CASCADE",
          );
          // a reading every minute of the day, so that the day's hours are summed from its start
          const frames = powers.map((apower, m) => frame(0, m, apower, { mwh: (apower * 1000) / 60 }));
          await ingestBatch(t.db, frames, { nowS: NOW_S, receivedAt: new Date(NOW_S * 1000) });
          await refreshPendingCycles(t.db, { nowMinute: NOW_S / 60 });
          const before = await summary();
          for (const [from, length] of changes) {
            await t.db.query(
              "INSERT INTO cycle_refresh_queue (device_id, channel, from_minute, to_minute) VALUES ($1, 0, $2, $3)",
              [DEVICE, DAY_MIN + from, DAY_MIN + from + length],
            );
          }
          // The hours the changes meet (a reading reports the minute before it: a change at the first minute
          // of the next hour meets this one too) get a wrong sum: one taken from them would show.
          await t.db.query(
            `UPDATE channel_activity_hourly a SET idle_energy_wh = idle_energy_wh + 1000
             WHERE a.device_id = $1 AND EXISTS (
               SELECT 1 FROM cycle_refresh_queue q
               WHERE q.device_id = a.device_id AND q.channel = a.channel
                 AND q.from_minute <= date_part('epoch', a.hour_ts) / 60 + 60
                 AND q.to_minute >= date_part('epoch', a.hour_ts) / 60)`,
            [DEVICE],
          );
          const queued = await summary({ budgetMs: 0, minSteps: 0 });
          expect(queued.summary.energyKwh).toBeCloseTo(before.summary.energyKwh, 9);
          expect(queued.summary.idleEnergyKwh).toBeCloseTo(before.summary.idleEnergyKwh, 9);
        },
      ),
      { numRuns: 15 },
    );
  }, 300_000);
});

describe("cycles and the minutes outside them share every minute's energy", () => {
  it("adds up to every energy the readings reported, whichever way the day is read", async () => {
    const powerArb = fc.constantFrom(0, 1.1, 6, 10, 10.1, 50, 600, 600, 1200);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1200 }),
        fc.array(fc.tuple(powerArb, fc.integer({ min: 0, max: 20_000 })), { minLength: 2, maxLength: 200 }),
        async (first, minutes) => {
          await t.db.query(
            "TRUNCATE readings, devices, cycles, cycle_refresh_queue, cycle_refresh_channels, channel_activity_hourly CASCADE",
          );
          // one reading a minute, the first and the last ones idle: every minute up to the last reading is
          // reported by the reading after it, and no cycle reaches past them
          const frames = minutes.map(([apower, mwh], i) =>
            frame(0, first + i, i === 0 || i === minutes.length - 1 ? 0 : apower, { mwh }),
          );
          await ingestBatch(t.db, frames, { nowS: NOW_S, receivedAt: new Date(NOW_S * 1000) });
          await refreshPendingCycles(t.db, { nowMinute: NOW_S / 60 });
          // the first reading reports the minute before it: the day before's last one when it is at 00:00
          const reported = minutes.slice(first === 0 ? 1 : 0).reduce((s, [, mwh]) => s + mwh / 1000, 0);
          const stored = await summary();
          expect(stored.summary.energyKwh * 1000).toBeCloseTo(reported, 6);
          await t.db.query("UPDATE channel_activity_hourly SET idle_energy_wh = NULL");
          const raw = await summary();
          expect(raw.summary.energyKwh * 1000).toBeCloseTo(reported, 6);
          expect(raw.summary.idleEnergyKwh).toBeCloseTo(stored.summary.idleEnergyKwh, 9);
        },
      ),
      { numRuns: 25 },
    );
  }, 300_000);
});
