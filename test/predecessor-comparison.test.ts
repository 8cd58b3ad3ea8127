import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importPredecessor } from "../src/import/predecessor.js";
import type { App } from "../src/server/app.js";
import { createTestApp, createTestDatabase, FakeClock, type TestDatabase } from "./harness.js";
import {
  OLD_DEVICE as A,
  UNCONFIGURED_DEVICE as B,
  createPredecessorDatabase,
  fillPredecessor,
  type SourceDatabase,
} from "./predecessor-db.js";
import {
  cycleVolume,
  detectCycles,
  findVersion,
  type OldCycle,
  oldRecords,
  oldVersions,
  treatment,
} from "./predecessor-rules.js";

// docs/predecessor-comparison.md: the same imported data, the predecessor's figures (its §2 rules, rewritten
// in test/predecessor-rules.ts) and ours (the API), and each difference explained by its cause.

const NOW = new Date("2026-02-20T12:00:00Z");
const FROM = "2026-02-01";
const TO = "2026-02-15";
/** kg CO₂e per m³ and per mg/L of DBO5: 1/1000 × Bo 0.6 × (MCF 0.5 − 0.03) × PRG 28 (§2.5; our fp-2026) */
const CO2E_PER_M3_MG = (0.6 * (0.5 - 0.03) * 28) / 1000;

interface OurCycle {
  start: string;
  duration_min: number;
  runtime_min: number;
  avg_power_w: number;
  median_voltage_v: number | null;
  flow_rate_m3h: number | null;
  volume_m3: number | null;
  co2e_avoided_kg: number | null;
  energy_kwh: number;
  noise: boolean;
}
interface OurSummary {
  cycles: number;
  treated_volume_m3: number;
  treated_volume_per_day_m3: number;
  whole_days: number;
  monitored_days: number;
  energy_kwh: number;
  co2e_avoided_kg: number;
  reduction_percent: number;
}

let source: SourceDatabase;
let t: TestDatabase;
let app: App;
let old: OldCycle[];
let oldVersionRows: Awaited<ReturnType<typeof oldVersions>>;

beforeAll(async () => {
  source = await createPredecessorDatabase();
  await fillPredecessor(source.client);
  t = await createTestDatabase();
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await importPredecessor({ source: client, target: t.db, dryRun: false, timeZone: "UTC", now: NOW });
  } finally {
    await client.end();
  }
  old = detectCycles(await oldRecords(source.client, FROM, TO), NOW.getTime());
  oldVersionRows = await oldVersions(source.client);
  app = await createTestApp(t.db, {
    migrationCount: t.migrationCount,
    clock: new FakeClock(NOW),
    publicDashboard: true,
    timeZone: "UTC",
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await t?.drop();
  await source?.drop();
});

async function ours(device: string, channel: number): Promise<{ cycles: OurCycle[]; summary: OurSummary }> {
  const response = await app.inject({
    url: `/api/cycles?device_id=${device}&channel=${channel}&from=${FROM}&to=${TO}`,
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

const oldOf = (device: string, channel: string) =>
  old.filter((c) => c.deviceId === device && c.channel === channel);
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const oldVolume = (c: OldCycle) =>
  cycleVolume(c, findVersion(oldVersionRows, c.deviceId, c.channel, dateOf(c.start)));

describe("the predecessor's figures and ours, on the same imported data", () => {
  it("PR1: same cycles; runtime one minute longer than the old duration; the one-day hole had no volume", async () => {
    const before = oldOf(A, "switch:0");
    const now = await ours(A, 0);
    expect(before.map((c) => new Date(c.start).toISOString().replace(".000Z", "Z"))).toEqual(
      now.cycles.map((c) => c.start),
    );
    // the 4-minute gap rule is the same: the 3-minute hole of 12/02 does not split its cycle
    expect(before.map((c) => c.durationMin)).toEqual([9, 20, 14]);
    expect(now.cycles.map((c) => c.duration_min)).toEqual([9, 20, 14]);
    // no per-minute energy in the old data: runtime = duration + the one minute the last reading covers
    expect(now.cycles.map((c) => c.runtime_min)).toEqual([10, 21, 15]);

    // 14/02: 22 m³/h in both; 12/02: the same-date correction (9 m³/h) in both; 09/02: no version there
    expect(findVersion(oldVersionRows, A, "switch:0", "2026-02-09")).toBeNull();
    expect(before.map(oldVolume)).toEqual([3.3, 3, null]);
    expect(now.cycles.map((c) => c.flow_rate_m3h)).toEqual([22, 9, 18]);
    expect(now.cycles.map((c) => c.volume_m3 as number)).toEqual([
      expect.closeTo((10 / 60) * 22, 3),
      expect.closeTo((21 / 60) * 9, 3),
      expect.closeTo((15 / 60) * 18, 3),
    ]);

    // 09/02 holds two rows in minute 08:05 (1200 W then 1210 W): the old mean counts both, ours keeps the
    // minute's later value; five 0 V artefacts (and the sixth, in the extra row) are left out by both medians
    expect(before[2]?.records).toBe(16);
    expect(before[2]?.avgPowerW).toBe(Math.round(((15 * 1200 + 1210) / 16) * 10) / 10);
    expect(now.cycles[2]?.avg_power_w).toBeCloseTo((14 * 1200 + 1210) / 15, 1);
    expect(before[2]?.avgVoltageV).toBe(230);
    expect(now.cycles[2]?.median_voltage_v).toBe(230);

    // CO₂e: the old banner used the device's DBO5 (570) on the period's volume; ours each cycle's version's
    // (570 on 09/02, 600 from the 10/02 correction on)
    expect(now.summary.co2e_avoided_kg).toBeCloseTo(
      CO2E_PER_M3_MG * ((15 / 60) * 18 * 570 + (21 / 60) * 9 * 600 + (10 / 60) * 22 * 600),
      1,
    );
    // energy: the old service had none (energy_total_wh unused); ours, without counter values, is mean power
    // × runtime
    expect(now.summary.energy_kwh).toBeCloseTo(
      now.cycles.reduce((a, c) => a + (c.avg_power_w * c.runtime_min) / 60 / 1000, 0),
      3,
    );
  });

  it("PR 2 (deleted channel): the overlap is read the same way; ours adds the last minute", async () => {
    const before = oldOf(A, "switch:1");
    const now = await ours(A, 1);
    expect(before.map((c) => [c.durationMin, oldVolume(c)])).toEqual([
      [5, Math.round((5 / 60) * 14 * 1000) / 1000],
    ]);
    expect(now.cycles.map((c) => [c.duration_min, c.runtime_min, c.flow_rate_m3h])).toEqual([[5, 6, 14]]);
    expect(now.cycles[0]?.volume_m3).toBeCloseTo((6 / 60) * 14, 3);
  });

  it("PS: the old cycle ran into its 0 W stop row; ours stops at the last active reading", async () => {
    const before = oldOf(A, "switch:2");
    const now = await ours(A, 2);
    expect(before.map((c) => [c.durationMin, c.records, c.avgPowerW, c.avgVoltageV, oldVolume(c)])).toEqual([
      [11, 12, Math.round(((11 * 430) / 12) * 10) / 10, null, null],
    ]);
    expect(
      now.cycles.map((c) => [c.duration_min, c.runtime_min, c.avg_power_w, c.median_voltage_v, c.volume_m3]),
    ).toEqual([[10, 11, 430, null, null]]);
  });

  it("Surpresseur and the unconfigured meter: the same outcome for different reasons", async () => {
    // standby rows 5 minutes apart: two 0-minute cycles, dropped; ours: below the 10 W activity threshold
    expect(oldOf(A, "switch:3")).toEqual([]);
    expect((await ours(A, 3)).cycles).toEqual([]);
    // a stray "switch:7" row: a 0-minute cycle, dropped; ours refused it at import
    expect(oldOf(A, "switch:7")).toEqual([]);
    // no configuration: no volume in either
    const before = oldOf(B, "switch:1");
    const now = await ours(B, 1);
    expect(before.map((c) => [c.durationMin, oldVolume(c)])).toEqual([[5, null]]);
    expect(now.cycles.map((c) => [c.duration_min, c.runtime_min, c.volume_m3])).toEqual([[5, 6, null]]);
  });

  it("the period's banner: treated volume, per day, CO₂e", async () => {
    const volumes = old.map(oldVolume);
    const banner = treatment(volumes, FROM, TO, 570);
    // 3.3 + 3 + 1.167 m³; 14 days (the last day of the period is dropped even though it is in the past)
    expect(banner).toEqual({
      treatedM3: 7.47,
      perDayM3: Math.round((7.47 / 14) * 100) / 100,
      days: 14,
      co2eKg: Math.round(7.47 * 570 * CO2E_PER_M3_MG * 100) / 100,
      reductionPercent: 94,
    });

    const channels = [
      await ours(A, 0),
      await ours(A, 1),
      await ours(A, 2),
      await ours(A, 3),
      await ours(B, 1),
    ];
    const sum = (f: (s: OurSummary) => number) => channels.reduce((a, c) => a + f(c.summary), 0);
    const treated = sum((s) => s.treated_volume_m3);
    // the old 7.467 m³ + the 09/02 cycle of the hole (15/60 × 18) + one minute per counted cycle at its flow
    expect(treated).toBeCloseTo(7.467 + (15 / 60) * 18 + (1 / 60) * (22 + 9 + 14), 2);
    expect(channels.every((c) => c.summary.whole_days === 15)).toBe(true);
    // 15 days: both ends included, today (20/02) is not in the period; the per-day figure divides by the days
    // each channel was monitored (issue 21): PR1's imported history runs from 09/02 to 14/02, 6 days
    expect(channels[0]?.summary.monitored_days).toBe(6);
    for (const c of channels) {
      expect(c.summary.monitored_days).toBeLessThanOrEqual(15);
      expect(c.summary.treated_volume_per_day_m3).toBeCloseTo(
        c.summary.monitored_days > 0 ? c.summary.treated_volume_m3 / c.summary.monitored_days : 0,
        2,
      );
    }
    expect(sum((s) => s.cycles)).toBe(old.length);
    expect(channels[0]?.summary.reduction_percent).toBe(94);
  });
});
