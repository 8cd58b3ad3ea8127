import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addChannelVersion } from "../src/admin/config-versions.js";
import { evaluateRound } from "../src/alerts/evaluate.js";
import { backtest, rulesOf, setRule } from "../src/alerts/use-cases.js";
import { insertJournalEntry } from "../src/db/queries/insert-journal-entry.js";
import { upsertCycles } from "../src/db/queries/replace-cycles.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { createTestDatabase, type TestDatabase } from "./harness.js";
import { DAY, type Simulated, START, simulateWetWell } from "./wet-well.js";

// pump_wear and inflow_high through the service: the simulator's wet well (two pumps of one sump, V = 2.4 m³)
// turned into stored cycles with their run edges, the channels configured with the sump's volume, then the
// live evaluator's rounds, the backtest and the rules screen. Expected from the simulator's truth: pump 2
// (channel 1) wears from 20 to 16 m³/h over 150 days and its real flow crosses −10 % of its first 14 days
// around day 81 (test/pump-health-alerts.test.ts prints it); day 100 is rainy (inflow × 3).

const WORN = "shellypro4pm-wetwell-worn";
const NORMAL = "shellypro4pm-wetwell-normal";
const start = Date.parse(START) / 1000;
const at = (day: number, hour = 0) => new Date((start + day * DAY + hour * 3600) * 1000);

let t: TestDatabase;

async function store(deviceId: string, s: Simulated) {
  // one idle reading makes the meter known (first seen on day 0)
  const summary = await ingestBatch(
    t.db,
    [{ src: deviceId, timestamp: start, params: { "switch:0": { apower: 0, current: 0, voltage: 230 } } }],
    { nowS: start, receivedAt: new Date(start * 1000) },
  );
  expect(summary.errors).toBe(0);
  for (const own of s.stored) {
    await upsertCycles(t.db, { deviceId, channel: own.channel }, own.cycles, at(0), own.edges);
    await addChannelVersion(
      t.db,
      {
        deviceId,
        channel: own.channel,
        effectiveFrom: START.slice(0, 10),
        flowRateM3h: 20,
        pumpType: "relevage",
        sump: "1",
        sumpVolumeM3: s.truth.volumeM3,
      },
      "test",
      at(0),
    );
  }
}

async function openHealth(deviceId: string) {
  const { rows } = await t.db.query<{
    rule: string;
    channel: number;
    ended_at: Date | null;
    started_at: Date;
  }>(
    `SELECT rule, channel, started_at, ended_at FROM alerts
     WHERE device_id = $1 AND rule IN ('pump_wear', 'inflow_high') ORDER BY started_at`,
    [deviceId],
  );
  return rows;
}

const round = (now: Date) => evaluateRound(t.db, now, { holder: "test", emails: false, timeZone: "UTC" });

beforeAll(async () => {
  t = await createTestDatabase();
  await store(WORN, simulateWetWell({ days: 150, wear: true, rainyDays: [100], seed: 17 }));
  await store(NORMAL, simulateWetWell({ days: 104, wear: false, rainyDays: [], seed: 23 }));
}, 120_000);
afterAll(async () => {
  await t?.drop();
});

describe("pump-health rules in the live evaluator", () => {
  it("raise pump_wear for the wearing pump only, within a week of its flow crossing −10 %", async () => {
    await round(at(75, 12));
    expect(await openHealth(WORN)).toEqual([]);
    await round(at(88, 12));
    const wear = (await openHealth(WORN)).filter((a) => a.rule === "pump_wear");
    expect(wear.map((a) => a.channel)).toEqual([1]);
    expect(wear[0]?.ended_at).toBeNull();
  });

  it("raise inflow_high on the rainy day only, resolved once the rain is over", async () => {
    await round(at(99, 12));
    expect((await openHealth(WORN)).filter((a) => a.rule === "inflow_high")).toEqual([]);
    await round(at(100, 22));
    const rain = (await openHealth(WORN)).filter((a) => a.rule === "inflow_high");
    expect(rain).toHaveLength(1);
    // reported on the sump's first pump
    expect(rain[0]?.channel).toBe(0);
    await round(at(102, 12));
    await round(new Date(at(102, 12).getTime() + 10 * 60_000));
    const after = (await openHealth(WORN)).filter((a) => a.rule === "inflow_high");
    expect(after).toHaveLength(1);
    expect(after[0]?.ended_at).not.toBeNull();
  });

  it("restart the baseline after a pump overhaul noted in the journal: the wear alert resolves", async () => {
    await insertJournalEntry(t.db, {
      deviceId: WORN,
      channel: 1,
      at: at(103, 9),
      kind: "pump_overhaul",
      text: "Roue changée",
      author: "test",
      authorId: null,
      now: at(103, 10),
    });
    await round(at(104, 12));
    await round(new Date(at(104, 12).getTime() + 10 * 60_000));
    const wear = (await openHealth(WORN)).filter((a) => a.rule === "pump_wear");
    expect(wear).toHaveLength(1);
    expect(wear[0]?.ended_at).not.toBeNull();
    // the new baseline (days 104 to 117) is the worn pump's flow: nothing to raise after it either
    await round(at(125, 12));
    expect((await openHealth(WORN)).filter((a) => a.rule === "pump_wear")).toHaveLength(1);
  });

  it("raise nothing over 90 normal days", async () => {
    for (let day = 14; day <= 104; day += 6) await round(at(day, 15));
    expect(await openHealth(NORMAL)).toEqual([]);
  });
});

describe("pump-health rules in the backtest and on the rules screen", () => {
  it("the backtest replays them hour by hour: pump_wear for channel 1, inflow_high on day 100", async () => {
    const found = await backtest(t.db, { deviceId: WORN, channel: 0, from: at(95), to: at(102) });
    const health = found.filter((a) => a.rule === "pump_wear" || a.rule === "inflow_high");
    expect(health.map((a) => a.rule)).toEqual(["inflow_high"]);
    expect(Math.floor((health[0]?.startedMinute as number) / 1440 - start / DAY)).toBe(100);
    const worn = await backtest(t.db, { deviceId: WORN, channel: 1, from: at(78), to: at(90) });
    const wear = worn.filter((a) => a.rule === "pump_wear");
    expect(wear).toHaveLength(1);
    const day = (wear[0]?.startedMinute as number) / 1440 - start / DAY;
    expect(day).toBeGreaterThan(80);
    expect(day).toBeLessThan(89);
  });

  it("shows their learned limits: 90 % of the baseline flow, 1.5 × the p20 of the daily inflow", async () => {
    const rules = await rulesOf(t.db, NORMAL, at(104), "UTC");
    const wear = rules.filter((r) => r.rule === "pump_wear");
    expect(wear.map((r) => r.channel)).toEqual([0, 1]);
    for (const r of wear) {
      expect(r.unit).toBe("m³/h");
      expect(r.source).toBe("learned");
      // the simulator's pumps move 20 m³/h: the limit is 18 m³/h, to the method's accuracy
      expect(r.learned_threshold as number).toBeGreaterThan(0.9 * 20 * 0.97);
      expect(r.learned_threshold as number).toBeLessThan(0.9 * 20 * 1.03);
    }
    const inflow = rules.filter((r) => r.rule === "inflow_high");
    expect(inflow.map((r) => r.channel)).toEqual([0]);
    // mean inflow 2 m³/h: about 48 m³ a day
    expect(inflow[0]?.learned_threshold as number).toBeGreaterThan(1.5 * 48 * 0.7);
    expect(inflow[0]?.learned_threshold as number).toBeLessThan(1.5 * 48 * 1.1);
  });
});

describe("pump-health rules and the operator", () => {
  it("take an operator's threshold in m³/h, and resolve once the sump's volume is removed", async () => {
    // 25 m³/h: above what the pumps move, so pump_wear holds for both
    for (const channel of [0, 1])
      await setRule(t.db, {
        deviceId: NORMAL,
        channel,
        rule: "pump_wear",
        enabled: true,
        threshold: 25,
        at: at(105),
        by: "test",
      });
    await round(at(105, 12));
    const raised = await openHealth(NORMAL);
    expect(raised.map((a) => `${a.rule}:${a.channel}:${a.ended_at === null}`)).toEqual([
      "pump_wear:0:true",
      "pump_wear:1:true",
    ]);
    for (const channel of [0, 1])
      await addChannelVersion(
        t.db,
        { deviceId: NORMAL, channel, effectiveFrom: at(106).toISOString().slice(0, 10), sumpVolumeM3: null },
        "test",
        at(106),
      );
    await round(at(106, 12));
    await round(new Date(at(106, 12).getTime() + 10 * 60_000));
    expect((await openHealth(NORMAL)).every((a) => a.ended_at !== null)).toBe(true);
  });
});
