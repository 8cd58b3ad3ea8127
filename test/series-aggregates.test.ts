import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import { channelSeries } from "../src/analytics/series.js";
import { type SeriesPeriod, seriesWindow } from "../src/domain/series/window.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { createTestDatabase, type TestDatabase } from "./harness.js";
import { referenceSeries } from "./series-reference.js";

// The hourly activity sums kept by the cycle refresher (decision 0009) must give /api/series what the
// statement over every reading gave: same active minutes and zero buckets, same rounded means — exactly, now
// that both sides add exact numerics; the former floating statement differs only on means lying exactly on a
// rounding half, where its answer depended on its summation order. Random readings around the thresholds, random refresh progress (some
// changes still queued), thresholds changed after the sums were written, zones whose midnight is not on a
// UTC hour, 5-minute, hourly and 6-hour buckets.

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

const DEVICE = "shellypro4pm-5e51e5000001";
const DAY0 = Date.parse("2026-03-20T00:00:00Z") / 60_000; // unix minute
const SPAN_MIN = 9 * 1440;

const powerArb = fc.constantFrom(0, 1.1, 9.9, 10, 10.1, 50.3, 99.9, 100, 100.1, 433.8, 1200.7);
const burstArb = fc.record({
  channel: fc.integer({ min: 0, max: 3 }),
  start: fc.integer({ min: 0, max: SPAN_MIN - 1 }),
  length: fc.integer({ min: 1, max: 200 }),
  power: fc.array(powerArb, { minLength: 1, maxLength: 4 }),
  current: fc.option(fc.constantFrom(0.4, 1.9, 5.1), { nil: null }),
});

function messagesOf(
  bursts: { channel: number; start: number; length: number; power: number[]; current: number | null }[],
) {
  const messages: unknown[] = [];
  for (const b of bursts) {
    for (let i = 0; i < b.length && b.start + i < SPAN_MIN; i++) {
      const apower = b.power[i % b.power.length] as number;
      const status: Record<string, number> = { apower };
      if (b.current !== null && i % 3 !== 1) status.current = b.current;
      messages.push({
        src: DEVICE,
        timestamp: (DAY0 + b.start + i) * 60 + 7,
        params: { [`switch:${b.channel}`]: status },
      });
    }
  }
  return messages;
}

describe("series from the hourly activity sums", () => {
  // 60 runs of ingestion and refresh: about 20 s on an idle machine, over a minute on a busy one.
  it("equals the statement over every reading, whatever is still queued and whatever threshold", {
    timeout: 300_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(burstArb, { minLength: 4, maxLength: 24 }),
        fc.array(burstArb, { maxLength: 3 }),
        fc.constantFrom(10, 100),
        fc.array(fc.constantFrom(10, 100), { minLength: 4, maxLength: 4 }),
        fc.constantFrom(3, 10_000, 10_000),
        fc.constantFrom<SeriesPeriod>("24h", "7d", "7d", "30d", "30d"),
        fc.constantFrom("UTC", "Europe/Paris", "Europe/Paris", "Asia/Kolkata"),
        fc.integer({ min: 3, max: 10 }),
        async (bursts, late, refreshThreshold, readThresholds, maxSteps, period, zone, endDay) => {
          await t.db.query(
            "TRUNCATE readings, devices, cycles, cycle_refresh_queue, cycle_refresh_channels, channel_activity_hourly CASCADE",
          );
          const nowS = (DAY0 + SPAN_MIN + 60) * 60;
          await ingestBatch(t.db, messagesOf(bursts), { nowS, receivedAt: new Date() });
          await refreshPendingCycles(t.db, {
            nowMinute: nowS / 60,
            settingsFor: () => ({ activityThresholdW: refreshThreshold }),
            maxSteps,
            maxWindowMin: 720,
          });
          // changes after the refresh: queued, their hours must come from the readings
          if (late.length > 0) await ingestBatch(t.db, messagesOf(late), { nowS, receivedAt: new Date() });

          const endDate = new Date((DAY0 + endDay * 1440) * 60_000).toISOString().slice(0, 10);
          const window = seriesWindow(period, { kind: "day", date: endDate }, zone);
          const channels = [0, 1, 2, 3].map((channel) => ({
            channel,
            thresholdW: readThresholds[channel] as number,
          }));
          const got = await channelSeries(t.db, DEVICE, channels, window);
          const want = await referenceSeries(t.db, DEVICE, channels, window);
          for (const [i, w] of want.entries()) {
            const g = got[i];
            expect(g?.channel).toBe(w.channel);
            expect(g?.activeMin).toEqual(w.buckets.map((b) => b.activeMin));
            // exact means, rounded half away from zero: the same from the sums and from the readings
            expect(g?.powerW).toEqual(w.buckets.map((b) => b.powerW));
            expect(g?.currentA).toEqual(w.buckets.map((b) => b.currentA));
            // the former floating statement agrees except where the exact mean lies on a rounding half
            for (const b of w.buckets) {
              if (b.floatPowerW !== b.powerW) expect(b.exactPower).toMatch(/\.\d5(0*)$/);
              if (b.floatCurrentA !== b.currentA) expect(b.exactCurrent).toMatch(/\.\d{3}5(0*)$/);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reads whole hours from the sums once the upkeep has written them", async () => {
    await t.db.query(
      "TRUNCATE readings, devices, cycles, cycle_refresh_queue, cycle_refresh_channels, channel_activity_hourly CASCADE",
    );
    const nowS = (DAY0 + SPAN_MIN) * 60;
    await ingestBatch(
      t.db,
      messagesOf([{ channel: 1, start: 60, length: 140, power: [433.8], current: 1.9 }]),
      { nowS, receivedAt: new Date() },
    );
    await refreshPendingCycles(t.db, { nowMinute: nowS / 60 });
    const { rows } = await t.db.query<{ hours: number; active: number }>(
      `SELECT count(*)::int AS hours, sum(active_n)::int AS active FROM channel_activity_hourly
       WHERE device_id = $1 AND channel = 1 AND threshold_w = 10`,
      [DEVICE],
    );
    // 01h00–03h19 of the first day: hours 1, 2 and 3 (60 + 60 + 20 active minutes), and hour 0, whose last
    // minute's energy the reading of 01h00 reports (its energy outside cycles, migration 0018)
    expect(rows[0]).toEqual({ hours: 4, active: 140 });
    // one change queued in the third hour: that hour comes from the readings, the others from the sums
    await ingestBatch(
      t.db,
      messagesOf([{ channel: 1, start: 230, length: 1, power: [1200.7], current: null }]),
      { nowS, receivedAt: new Date() },
    );
    const window = seriesWindow("7d", { kind: "day", date: "2026-03-22" }, "UTC");
    const [series] = await channelSeries(t.db, DEVICE, [{ channel: 1, thresholdW: 10 }], window);
    const hour = (iso: string) => series?.t.indexOf(Date.parse(iso) / 1000) ?? -1;
    expect(series?.activeMin[hour("2026-03-20T01:00:00Z")]).toBe(60);
    expect(series?.activeMin[hour("2026-03-20T03:00:00Z")]).toBe(21);
    // (20 × 433,8 + 1 200,7) / 21 = 9 876,7 / 21 = 470,319… W
    expect(series?.powerW[hour("2026-03-20T03:00:00Z")]).toBe(470.3);
    expect(series?.currentA[hour("2026-03-20T02:00:00Z")]).toBe(1.9);
    expect(series?.powerW[hour("2026-03-20T04:00:00Z")]).toBe(0);
  });
});
