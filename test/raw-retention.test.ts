import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChannelVersions } from "../src/analytics/cycles-report.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import { periodFigures } from "../src/analytics/report-figures.js";
import { channelSeries } from "../src/analytics/series.js";
import { readingPartitions } from "../src/db/queries/reading-partitions.js";
import { DEFAULT_CYCLE_SETTINGS } from "../src/domain/cycles/types.js";
import { FP_2026 } from "../src/domain/impact/index.js";
import { seriesWindow } from "../src/domain/series/window.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { dropExpiredReadings, retentionStart } from "../src/retention/raw-readings.js";
import {
  createTestApp,
  createTestDatabase,
  FakeClock,
  loginAs,
  SAME_ORIGIN,
  type TestDatabase,
} from "./harness.js";

/*
 * Retention of raw minutes (issue 20 item 3, migration 0019): with a retention of one month, the month
 * partitions wholly older than that are dropped once their hourly sums are complete, and the charts and the
 * monthly report of such a month read the same figures as before, from the hourly sums and the stored cycles.
 */
const DEVICE = "shellypro4pm-7e7e7e000019";
const NOW = new Date("2026-03-20T12:00:00Z");
const NOW_S = NOW.getTime() / 1000;
const NO_VERSIONS: ChannelVersions = { versionsOf: async () => new Map() };
const THRESHOLD = DEFAULT_CYCLE_SETTINGS.activityThresholdW;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});

function frame(channel: number, minute: number, apower: number, mwh: number, current: number) {
  return {
    src: DEVICE,
    timestamp: minute * 60 + 1,
    params: {
      ts: minute * 60 + 1.2,
      [`switch:${channel}`]: {
        apower,
        current,
        voltage: 230,
        aenergy: { by_minute: [mwh, 0, 0], minute_ts: minute * 60, total: 0 },
      },
    },
  };
}

/**
 * January 2026 (wholly older than a month on 20 March), channel 0: from the 5th to the 25th, four pump runs a
 * day (00:30, 06:30, 12:30, 18:30 UTC) of 7 to 12 minutes at 600–700 W between 20 minutes of 6 W idle draw on
 * each side; channel 1: one run on the 28th only. March (kept): a few runs on channel 0.
 */
function history(): unknown[] {
  const out: unknown[] = [];
  const dayMinute = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 60_000;
  const run = (channel: number, start: number, length: number, watts: number) => {
    for (let i = -20; i < length + 20; i++) {
      const on = i >= 0 && i < length;
      out.push(frame(channel, start + i, on ? watts : 6, on ? watts * 16.6 : 100, on ? 2.7 : 0.05));
    }
  };
  for (let d = 5; d <= 25; d++) {
    const day = dayMinute(`2026-01-${String(d).padStart(2, "0")}`);
    for (const [k, hour] of [0, 6, 12, 18].entries())
      run(0, day + hour * 60 + 30, 7 + ((d + k) % 6), 600 + d * 4);
  }
  run(1, dayMinute("2026-01-28") + 9 * 60 + 5, 15, 350);
  for (const d of [2, 9, 16]) run(0, dayMinute(`2026-03-${String(d).padStart(2, "0")}`) + 8 * 60, 10, 640);
  return out;
}

async function charts() {
  const channels = [0, 1].map((channel) => ({ channel, thresholdW: THRESHOLD }));
  const out: unknown[] = [];
  for (const [period, date, zone] of [
    ["30d", "2026-01-31", "Europe/Paris"],
    ["7d", "2026-01-12", "UTC"],
    ["7d", "2026-01-29", "Europe/Paris"],
  ] as const) {
    out.push(await channelSeries(t.db, DEVICE, channels, seriesWindow(period, { kind: "day", date }, zone)));
  }
  return out;
}

async function januaryReport() {
  const figures = await periodFigures(t.db, NO_VERSIONS, {
    channels: [0, 1].map((channel) => ({ deviceId: DEVICE, channel })),
    fromDate: "2026-01-01",
    toDate: "2026-01-31",
    timeZone: "Europe/Paris",
    nowS: NOW_S,
    factorSet: FP_2026,
    gridFactor: null,
  });
  return {
    summary: figures.summary,
    days: figures.channels.map((c) => c.days),
    hasData: figures.hasData,
    refreshing: figures.refreshing,
  };
}

async function rawCount(from: string, to: string) {
  const { rows } = await t.db.query<{ n: string }>(
    "SELECT count(*) AS n FROM readings WHERE ts >= $1 AND ts < $2",
    [from, to],
  );
  return Number(rows[0]?.n);
}

describe("retention of raw minutes", () => {
  it("keeps everything by default, and never drops a month whose hourly sums are not complete", async () => {
    await ingestBatch(t.db, history(), { nowS: NOW_S, receivedAt: NOW });
    expect(await dropExpiredReadings(t.db, NOW, null)).toEqual({ dropped: [], waiting: null });
    // the readings are stored but not refreshed yet: the queue still meets January
    const run = await dropExpiredReadings(t.db, NOW, 1);
    expect(run).toEqual({ dropped: [], waiting: "readings_y2026m01" });
    expect(await rawCount("2026-01-01", "2026-02-01")).toBeGreaterThan(0);
  });

  it("drops January once summed; its charts and its monthly report stay the same", async () => {
    await refreshPendingCycles(t.db, { nowMinute: NOW_S / 60, detectedAt: NOW });
    const chartsBefore = await charts();
    const reportBefore = await januaryReport();
    // the figures are those of the history: 84 runs on channel 0 and one on channel 1, 22 monitored days
    expect(reportBefore.summary.cycles).toBe(85);
    expect(reportBefore.refreshing).toBe(false);
    // the charts have something to lose: January's 84 runs of 7 to 12 minutes on channel 0, ten days of them
    // in the 7-day window ending on the 12th
    const active = (c: unknown) =>
      (c as { activeMin: number[] }[])[0]?.activeMin.reduce((a, b) => a + b, 0) ?? 0;
    expect(active(chartsBefore[0])).toBeGreaterThan(84 * 7);
    expect(active(chartsBefore[1])).toBeGreaterThan(0);
    const januaryReadings = await rawCount("2026-01-01", "2026-02-01");
    const marchReadings = await rawCount("2026-03-01", "2026-04-01");

    expect(retentionStart(NOW, 1).toISOString()).toBe("2026-02-01T00:00:00.000Z");
    const run = await dropExpiredReadings(t.db, NOW, 1);
    expect(run).toEqual({ dropped: ["readings_y2026m01"], waiting: null });
    const names = (await readingPartitions(t.db)).map((p) => p.name);
    expect(names).not.toContain("readings_y2026m01");
    expect(names).toContain("readings_y2026m03");
    expect(await rawCount("2026-01-01", "2026-02-01")).toBe(0);
    expect(await rawCount("2026-03-01", "2026-04-01")).toBe(marchReadings);
    const { rows } = await t.db.query<{ month_start: Date; readings_n: string }>(
      "SELECT month_start, readings_n FROM reading_months_dropped",
    );
    expect(rows.map((r) => [r.month_start.toISOString(), Number(r.readings_n)])).toEqual([
      ["2026-01-01T00:00:00.000Z", januaryReadings],
    ]);

    expect(await charts()).toEqual(chartsBefore);
    expect(await januaryReport()).toEqual(reportBefore);

    // a second run has nothing left to drop: February is not wholly older than a month yet
    expect(await dropExpiredReadings(t.db, NOW, 1)).toEqual({ dropped: [], waiting: null });
  });

  it("old history stored again into a dropped month changes neither its cycles nor its sums, and goes at the next run", async () => {
    const chartsBefore = await charts();
    const reportBefore = await januaryReport();
    const jan10 = Date.parse("2026-01-10T03:00:00Z") / 60_000;
    const late = Array.from({ length: 30 }, (_, i) => frame(0, jan10 + i, 900, 15_000, 3.9));
    expect((await ingestBatch(t.db, late, { nowS: NOW_S, receivedAt: NOW })).inserted).toBe(30);
    await refreshPendingCycles(t.db, { nowMinute: NOW_S / 60, detectedAt: NOW });
    expect(await charts()).toEqual(chartsBefore);
    expect(await januaryReport()).toEqual(reportBefore);
    expect(await dropExpiredReadings(t.db, NOW, 1)).toEqual({
      dropped: ["readings_y2026m01"],
      waiting: null,
    });
    expect(await rawCount("2026-01-01", "2026-02-01")).toBe(0);
    expect(await januaryReport()).toEqual(reportBefore);
  });
});

describe("the setting", () => {
  it("is null (keep everything) by default; shorter than a month is refused in French, naming the field", async () => {
    const app = await createTestApp(t.db, {
      migrationCount: t.migrationCount,
      clock: new FakeClock(NOW),
    });
    try {
      const headers = {
        ...(await loginAs(app, t.db, "retention@filtreplante.test", "admin")),
        ...SAME_ORIGIN,
        "content-type": "application/json",
      };
      const initial = await app.inject({ url: "/api/admin/settings", headers });
      expect(initial.json()).toMatchObject({ raw_retention_months: null });
      for (const bad of [0, -3, 0.5]) {
        const refused = await app.inject({
          method: "PUT",
          url: "/api/admin/settings",
          headers,
          payload: JSON.stringify({ raw_retention_months: bad }),
        });
        expect(refused.statusCode).toBe(422);
        const body = refused.json() as { error: { field?: string; message: string } };
        expect(body.error.field).toBe("raw_retention_months");
        expect(JSON.stringify(body)).toMatch(/conservation des relevés minute/);
      }
      const saved = await app.inject({
        method: "PUT",
        url: "/api/admin/settings",
        headers,
        payload: JSON.stringify({ raw_retention_months: 13 }),
      });
      expect(saved.statusCode).toBe(200);
      expect(saved.json()).toMatchObject({ raw_retention_months: 13 });
      const back = await app.inject({
        method: "PUT",
        url: "/api/admin/settings",
        headers,
        payload: JSON.stringify({ raw_retention_months: null }),
      });
      expect(back.json()).toMatchObject({ raw_retention_months: null });
    } finally {
      await app.close();
    }
  });
});
