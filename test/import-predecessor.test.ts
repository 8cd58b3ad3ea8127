import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { evaluateRound } from "../src/alerts/evaluate.js";
import { backtest } from "../src/alerts/use-cases.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import type { Database } from "../src/db/database.js";
import { openAndMigrate } from "../src/db/open.js";
import { liveVersionsOfChannel } from "../src/db/queries/channel-versions.js";
import { insertPumpModel } from "../src/db/queries/pump-models.js";
import { type ImportReport, importPredecessor } from "../src/import/predecessor.js";
import { createTestApp, createTestDatabase, FakeClock, loginAs, type TestDatabase } from "./harness.js";
import {
  OLD_DEVICE as A,
  UNCONFIGURED_DEVICE as B,
  createPredecessorDatabase,
  fillPredecessor,
  SOURCE_SERVER,
  type SourceDatabase,
} from "./predecessor-db.js";

const NOW = new Date("2026-02-20T12:00:00Z");
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

let source: SourceDatabase;
let t: TestDatabase;

beforeEach(async () => {
  source = await createPredecessorDatabase();
  await fillPredecessor(source.client);
  t = await createTestDatabase();
  // an operator created a model in pumpwatch before the switch-over: it holds id 3
  await insertPumpModel(
    t.db,
    { name: "KSB Ama-Porter", powerKw: 0.9, currentA: 4, nominalFlowM3hHmt8: null },
    NOW,
  );
});
afterEach(async () => {
  await t.drop();
  await source.drop();
});

/** Runs the import the way the CLI does: one read-only snapshot of the source. */
async function runImport(
  target: Database,
  options: { dryRun?: boolean; batchRows?: number; onProgress?: (read: number, total: number) => void } = {},
): Promise<ImportReport> {
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    return await importPredecessor({
      source: client,
      target,
      dryRun: options.dryRun ?? false,
      timeZone: "UTC",
      now: NOW,
      batchRows: options.batchRows ?? 7,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await client.end();
  }
}

/** Everything the import writes, without the times of writing, in a stable order. */
async function contents(db: Database): Promise<Record<string, unknown[]>> {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    readings: await q(
      `SELECT device_id, channel, extract(epoch FROM ts)::int8::text AS ts, apower_w, voltage_v, current_a,
              power_factor, frequency_hz, energy_total_wh, energy_last_minute_wh, temperature_c, output,
              rank_apower, rank_voltage, rank_current, rank_energy_total, rank_energy_minute
       FROM readings ORDER BY device_id, channel, ts`,
    ),
    devices: await q("SELECT device_id, name, model, first_seen, last_seen FROM devices ORDER BY device_id"),
    pump_models: await q(
      "SELECT id, name, power_kw, current_a, nominal_flow_m3h_hmt8 FROM pump_models ORDER BY id",
    ),
    versions: await q(
      `SELECT id, device_id, channel, to_char(effective_from, 'YYYY-MM-DD') AS f, to_char(effective_to, 'YYYY-MM-DD') AS t,
              version, name, pump_type, flow_rate_m3h, pump_model_id, dbo5_mg_l, dco_mg_l, mes_mg_l,
              activity_threshold_w, stop_gap_min, min_cycle_min, created_by, supersedes_id, superseded_at
       FROM channel_config_versions ORDER BY id`,
    ),
    audit: await q("SELECT actor, entity, entity_key, action FROM config_audit ORDER BY id"),
    imported: await q(
      `SELECT device_id, channel, source, from_ts, to_ts, filtered_at_most_w, rows_imported, rows_at_most_w
       FROM imported_history ORDER BY device_id, channel`,
    ),
  };
}

const byKey = (issues: ImportReport["versions"]["repaired"]) =>
  [...issues].map((i) => `${i.device_id}/${i.channel} ${i.problem} [${i.old_ids.join(",")}]`).sort();

/** A live complete per-minute frame of PR1 at 09/02 08:10, received by pumpwatch before the import. */
async function postLiveFrame(db: Database, migrationCount: number): Promise<void> {
  const app = await createTestApp(db, {
    migrationCount,
    clock: new FakeClock(new Date("2026-02-09T08:11:00Z")),
  });
  const minuteTs = at("2026-02-09T08:10:00Z");
  const response = await app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "content-type": "application/json", "x-api-key": "bootstrap-key-for-tests-0123456789" },
    payload: JSON.stringify({
      messages: [
        {
          src: A,
          timestamp: minuteTs + 1,
          params: {
            "switch:0": {
              id: 0,
              output: true,
              apower: 1250,
              voltage: 229.5,
              current: 5.4,
              aenergy: { total: 5000, by_minute: [25000, 0, 0], minute_ts: minuteTs },
            },
          },
        },
      ],
    }),
  });
  expect(response.statusCode).toBe(200);
  await app.close();
}

describe("import of the predecessor's database", () => {
  it("reports every figure, merges with live data, and repairs or refuses each version", async () => {
    await postLiveFrame(t.db, t.migrationCount);
    const report = await runImport(t.db);

    // 74 rows: 3 unusable, 1 merged into its minute (08:05), 1 minute where the live frame holds every field
    expect(report.readings).toEqual({
      read: 74,
      stored: 69,
      duplicates: 1,
      merged_in_minute: 1,
      zero_volt_as_null: 7,
      skipped: { channel_invalid: 1, no_measurement: 1, timestamp_out_of_range: 1 },
    });
    expect(report.devices).toEqual({ with_readings: 2, registered_from_config: [], named: [A] });
    expect(report.pump_models.read).toBe(4);
    expect(report.pump_models.same_id).toEqual([1, 2]);
    expect(report.pump_models.mapped.map((m) => [m.old_id, m.new_id])).toEqual([
      [3, 4],
      [4, 5],
    ]);
    expect(report.pump_models.refused).toEqual([]);

    expect(report.versions.channels).toBe(5);
    expect(report.versions.imported).toBe(8);
    expect(report.versions.already_present).toBe(0);
    expect(byKey(report.versions.repaired)).toEqual(
      [
        `${A}/0 one_day_hole [1,3]`,
        `${A}/0 same_date [3,2]`,
        `${A}/0 one_day_hole [3,4]`,
        `${A}/1 overlap [5,6]`,
        `${A}/2 closed_last_version [7]`,
        `${A}/3 flow_rate_zero []`,
        `${A}/3 no_version []`,
        `${B}/1 no_version []`,
      ].sort(),
    );
    // each repair tells the operator which days or values it concerns
    const action = (channel: number, problem: string, device = A) =>
      report.versions.repaired
        .filter((i) => i.device_id === device && i.channel === channel && i.problem === problem)
        .map((i) => i.action);
    expect(action(0, "one_day_hole")).toEqual([
      expect.stringMatching(/09\/02\/2026.*01\/02\/2026/),
      expect.stringMatching(/13\/02\/2026.*10\/02\/2026/),
    ]);
    expect(action(0, "same_date")).toEqual([expect.stringMatching(/10\/02\/2026.*version 2/)]);
    expect(action(1, "overlap")).toEqual([expect.stringMatching(/01\/12\/2025.*01\/02\/2026/)]);
    expect(action(3, "no_version")).toEqual([expect.stringMatching(/14\/02\/2026.*device_config/)]);
    expect(action(1, "no_version", B)).toEqual([expect.stringMatching(/10\/02\/2026.*valeurs par défaut/)]);
    expect(report.pump_models.mapped.map((m) => m.name)).toEqual(["Grundfos Unilift AP12", "Flygt 3068"]);
    expect(report.pump_models.mapped[0]?.reason).toContain("KSB Ama-Porter");
    expect(byKey(report.versions.refused)).toEqual([`${A}/2 date_out_of_range [8]`]);
    expect(report.versions.refused[0]?.action).toContain("0206-02-19");

    expect(report.filtered_history).toEqual([
      {
        device_id: A,
        channel: 0,
        from: "2026-02-09T08:00:00.000Z",
        to: "2026-02-14T06:10:00.000Z",
        rows: 44,
        rows_at_most_10_w: 0,
      },
      {
        device_id: A,
        channel: 1,
        from: "2026-02-05T09:00:00.000Z",
        to: "2026-02-05T09:06:00.000Z",
        rows: 6,
        rows_at_most_10_w: 0,
      },
      {
        device_id: A,
        channel: 2,
        from: "2026-02-14T07:35:00.000Z",
        to: "2026-02-14T07:47:00.000Z",
        rows: 12,
        rows_at_most_10_w: 1,
      },
      {
        device_id: A,
        channel: 3,
        from: "2026-02-14T07:35:00.000Z",
        to: "2026-02-14T07:41:00.000Z",
        rows: 2,
        rows_at_most_10_w: 2,
      },
      {
        device_id: B,
        channel: 1,
        from: "2026-02-10T09:00:00.000Z",
        to: "2026-02-10T09:06:00.000Z",
        rows: 6,
        rows_at_most_10_w: 0,
      },
    ]);

    const row = async (channel: number, iso: string) =>
      (
        await t.db.query<{
          apower_w: number;
          voltage_v: number | null;
          current_a: number;
          energy_total_wh: number | null;
        }>(
          "SELECT apower_w, voltage_v, current_a, energy_total_wh FROM readings WHERE device_id = $1 AND channel = $2 AND ts = $3",
          [A, channel, iso],
        )
      ).rows[0];
    // two old rows of one minute: the later one's power and current, the voltage only the earlier one measured
    expect(await row(0, "2026-02-09T08:05:00Z")).toEqual({
      apower_w: 1210,
      voltage_v: 231,
      current_a: 5.3,
      energy_total_wh: null,
    });
    // 0 V is "not measured"
    expect((await row(0, "2026-02-09T08:01:00Z"))?.voltage_v).toBeNull();
    // the live complete frame wins over the imported row
    expect(await row(0, "2026-02-09T08:10:00Z")).toEqual({
      apower_w: 1250,
      voltage_v: 229.5,
      current_a: 5.4,
      energy_total_wh: 5000,
    });

    const versions = await liveVersionsOfChannel(t.db, A, 0);
    expect(
      versions.map((v) => [v.effectiveFrom, v.effectiveTo, v.flowRateM3h, v.version, v.dbo5MgL]),
    ).toEqual([
      ["2026-02-01", "2026-02-10", 18, 1, 570],
      ["2026-02-10", "2026-02-14", 9, 2, 600],
      ["2026-02-14", null, 22, 1, 600],
    ]);
    expect(
      versions.every((v) => v.createdBy === "import:predecessor" && v.name === "PR1" && v.pumpModelId === 1),
    ).toBe(true);
    const pr2 = await liveVersionsOfChannel(t.db, A, 1);
    expect(pr2.map((v) => [v.effectiveFrom, v.effectiveTo, v.flowRateM3h, v.pumpModelId, v.name])).toEqual([
      ["2025-12-01", "2026-02-01", 12, 5, "PR 2"],
      ["2026-02-01", null, 14, 5, "Pompe PR 2"],
    ]);
    const ps = await liveVersionsOfChannel(t.db, A, 2);
    expect(ps.map((v) => [v.effectiveFrom, v.effectiveTo, v.pumpType])).toEqual([
      ["2026-01-01", null, "sortie"],
    ]);
    const surpresseur = await liveVersionsOfChannel(t.db, A, 3);
    expect(surpresseur.map((v) => [v.effectiveFrom, v.pumpType, v.flowRateM3h, v.name])).toEqual([
      ["2026-02-14", "autre", null, "Surpresseur"],
    ]);
    const unconfigured = await liveVersionsOfChannel(t.db, B, 1);
    expect(
      unconfigured.map((v) => [
        v.effectiveFrom,
        v.pumpType,
        v.flowRateM3h,
        v.dbo5MgL,
        v.dcoMgL,
        v.mesMgL,
        v.activityThresholdW,
        v.stopGapMin,
        v.minCycleMin,
      ]),
    ).toEqual([["2026-02-10", "relevage", null, 570, 1250, 650, 10, 4, 2]]);

    const models = (
      await t.db.query<{ id: number; name: string }>("SELECT id, name FROM pump_models ORDER BY id")
    ).rows;
    expect(models).toEqual([
      { id: 1, name: "Pedrollo VXM 10/35" },
      { id: 2, name: "Pedrollo DM/8" },
      { id: 3, name: "KSB Ama-Porter" },
      { id: 4, name: "Grundfos Unilift AP12" },
      { id: 5, name: "Flygt 3068" },
    ]);
    const names = (
      await t.db.query<{ device_id: string; name: string | null }>(
        "SELECT device_id, name FROM devices ORDER BY device_id",
      )
    ).rows;
    expect(names).toEqual([
      { device_id: A, name: "Sagemcom" },
      { device_id: B, name: null },
    ]);
  });

  it("computes the cycles, volumes and CO₂e of the imported period like any other", async () => {
    await runImport(t.db);
    const app = await createTestApp(t.db, {
      migrationCount: t.migrationCount,
      clock: new FakeClock(NOW),
      publicDashboard: true,
    });
    const get = async (device: string, channel: number) => {
      const response = await app.inject({
        url: `/api/cycles?device_id=${device}&channel=${channel}&from=2026-02-01&to=2026-02-15`,
      });
      expect(response.statusCode).toBe(200);
      return response.json() as {
        cycles: {
          start: string;
          duration_min: number;
          runtime_min: number;
          volume_m3: number | null;
          median_voltage_v: number | null;
          ongoing: boolean;
        }[];
        summary: { treated_volume_m3: number };
      };
    };
    const pr1 = await get(A, 0);
    // gaps of filtered history close cycles ("pump off"); none of them is ongoing; 0 V never counts
    expect(pr1.cycles.map((c) => [c.start, c.duration_min, c.runtime_min, c.ongoing])).toEqual([
      ["2026-02-14T06:00:00Z", 9, 10, false],
      ["2026-02-12T10:00:00Z", 20, 21, false],
      ["2026-02-09T08:00:00Z", 14, 15, false],
    ]);
    // runtime (h) × the flow in force: 10/60 × 22, 21/60 × 9 (the corrected version), 15/60 × 18 (the old hole)
    const volumes = pr1.cycles.map((c) => c.volume_m3);
    expect(volumes[0]).toBeCloseTo((10 / 60) * 22, 3);
    expect(volumes[1]).toBeCloseTo((21 / 60) * 9, 3);
    expect(volumes[2]).toBeCloseTo((15 / 60) * 18, 3);
    // six readings at 230 V, four at 231 V, five 0 V artefacts left out
    expect(pr1.cycles[2]?.median_voltage_v).toBe(230);
    expect(pr1.summary.treated_volume_m3).toBeCloseTo((10 / 60) * 22 + (21 / 60) * 9 + (15 / 60) * 18, 2);

    const ps = await get(A, 2);
    expect(ps.cycles.map((c) => [c.start, c.duration_min, c.volume_m3, c.median_voltage_v])).toEqual([
      ["2026-02-14T07:35:00Z", 10, null, null],
    ]);
    expect((await get(A, 3)).cycles).toEqual([]);
    expect((await get(B, 1)).cycles.map((c) => [c.start, c.volume_m3])).toEqual([
      ["2026-02-10T09:00:00Z", null],
    ]);
    await app.close();
  });

  it("a dry run reports the same figures and writes nothing", async () => {
    const before = await contents(t.db);
    const dry = await runImport(t.db, { dryRun: true });
    expect(await contents(t.db)).toEqual(before);
    const real = await runImport(t.db);
    expect(dry.dry_run).toBe(true);
    expect(dry.readings).toEqual(real.readings);
    expect(dry.versions).toEqual(real.versions);
    expect(dry.filtered_history).toEqual(real.filtered_history);
    expect(dry.pump_models).toEqual(real.pump_models);
  });

  it("running it twice stores nothing twice", async () => {
    await runImport(t.db);
    const once = await contents(t.db);
    const again = await runImport(t.db);
    expect(again.readings).toMatchObject({ read: 74, stored: 0, duplicates: 70, merged_in_minute: 1 });
    expect(again.versions).toMatchObject({ channels: 0, imported: 0, already_present: 5 });
    expect(again.pump_models.mapped.map((m) => [m.old_id, m.new_id])).toEqual([
      [3, 4],
      [4, 5],
    ]);
    expect(await contents(t.db)).toEqual(once);
  });

  it("a run cut in the middle and run again ends with the same database as one clean run", async () => {
    const clean = await createTestDatabase();
    try {
      await insertPumpModel(
        clean.db,
        { name: "KSB Ama-Porter", powerKw: 0.9, currentA: 4, nominalFlowM3hHmt8: null },
        NOW,
      );
      await runImport(clean.db, { batchRows: 5 });

      let calls = 0;
      await expect(
        runImport(t.db, {
          batchRows: 5,
          onProgress: () => {
            // cut after a few stored batches, with no chance to clean up (as a kill would)
            if (++calls === 6) throw new Error("killed");
          },
        }),
      ).rejects.toThrow("killed");
      const partial = (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM readings")).rows[0]?.n;
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(69);
      expect((await t.db.query("SELECT 1 FROM channel_config_versions")).rowCount).toBe(0);

      const resumed = await runImport(t.db, { batchRows: 5 });
      expect(resumed.readings.stored + resumed.readings.duplicates).toBe(70);
      expect(await contents(t.db)).toEqual(await contents(clean.db));
    } finally {
      await clean.drop();
    }
  });
});

describe("filtered history after the import", () => {
  it("its gaps are pumps off: no 'meter offline', live or replayed, and its 0 W and standby rows prove nothing", async () => {
    await runImport(t.db);
    // the imported days of meter A hold a 0 W stop row (PS) and 1 W standby rows (Surpresseur): on a
    // per-minute meter such rows prove that silence is an outage; in filtered history they do not
    const replayed = await backtest(t.db, {
      deviceId: A,
      channel: null,
      from: new Date("2026-02-09T00:00:00Z"),
      to: new Date("2026-02-15T00:00:00Z"),
    });
    expect(replayed.filter((a) => a.rule === "meter_offline")).toEqual([]);
    // evaluated live the day after the import's last reading: still nothing to say about the meter
    await evaluateRound(t.db, new Date("2026-02-15T00:00:00Z"), { holder: "test" });
    const open = (await t.db.query<{ rule: string }>("SELECT rule FROM alerts WHERE rule = 'meter_offline'"))
      .rows;
    expect(open).toEqual([]);
  });
});

describe("reads while the import's windows are queued", () => {
  it("the cycles, the backtest and the monthly report say their figures are provisional, then no longer", async () => {
    await runImport(t.db);
    // a read with no time left to refresh (decision 0009): it answers from what is stored
    const app = await createTestApp(t.db, {
      migrationCount: t.migrationCount,
      clock: new FakeClock(NOW),
      publicDashboard: true,
      cycleReadBudget: { budgetMs: 0, minSteps: 0 },
    });
    try {
      const viewer = await loginAs(app, t.db, "viewer@example.org", "viewer");
      const get = (url: string) => app.inject({ method: "GET", url, headers: { cookie: viewer.cookie } });
      const cycles = `/api/cycles?device_id=${A}&channel=0&from=2026-02-01&to=2026-02-15`;
      const replay = `/api/alerts/backtest?device_id=${A}&from=2026-02-01&to=2026-02-15`;
      const report = `/api/reports/monthly.pdf?device_id=${A}&month=2026-02`;
      const provisional = "Chiffres provisoires";

      expect((await t.db.query("SELECT 1 FROM cycle_refresh_queue")).rowCount).toBeGreaterThan(0);
      const staleCycles = (await get(cycles)).json();
      expect(staleCycles.refreshing).toBe(true);
      expect(Date.parse(staleCycles.pending_since)).not.toBeNaN();
      const staleReplay = await get(replay);
      expect(staleReplay.statusCode).toBe(200);
      expect(staleReplay.json().refreshing).toBe(true);
      const staleReport = await get(report);
      expect(staleReport.statusCode).toBe(200);
      expect(await pdfText(staleReport.rawPayload)).toContain(provisional);

      await refreshPendingCycles(t.db, { nowMinute: Math.floor(NOW.getTime() / 60_000) });
      const fresh = (await get(cycles)).json();
      expect(fresh).not.toHaveProperty("refreshing");
      expect(fresh.total).toBe(3);
      expect((await get(replay)).json()).not.toHaveProperty("refreshing");
      expect(await pdfText((await get(report)).rawPayload)).not.toContain(provisional);
    } finally {
      await app.close();
    }
  });
});

/** The PDF's text as pdftotext reads it. */
async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pw-import-report-"));
  const file = join(dir, "report.pdf");
  await writeFile(file, pdf);
  const { stdout } = await promisify(execFile)("pdftotext", ["-enc", "UTF-8", file, "-"]);
  await rm(dir, { recursive: true, force: true });
  return stdout.replace(/\s+/g, " ");
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** `npm run import:predecessor` as an operator runs it: its own process, writing to a PostgreSQL target. */
function startCli(targetUrl: string, args: string[] = []) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "scripts/import-predecessor.ts"), "--from", source.url, ...args],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: targetUrl }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolveExit) => child.on("exit", (code, signal) => resolveExit({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** A migrated pumpwatch database on the PostgreSQL server (the CLI runs in another process). */
async function pgTarget(): Promise<{ url: string; open(): Promise<Database>; drop(): Promise<void> }> {
  const name = `pumpwatch_import_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: SOURCE_SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SOURCE_SERVER);
  url.pathname = `/${name}`;
  const open = async () => (await openAndMigrate({ databaseUrl: url.toString(), dataDir: "" })).db;
  const db = await open();
  await insertPumpModel(
    db,
    { name: "KSB Ama-Porter", powerKw: 0.9, currentA: 4, nominalFlowM3hHmt8: null },
    NOW,
  );
  await db.close();
  return {
    url: url.toString(),
    open,
    async drop() {
      const cleanup = new pg.Client({ connectionString: SOURCE_SERVER });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

describe("the command line", () => {
  it("a run killed (SIGKILL) halfway and run again ends with the same database as one clean run", async () => {
    const clean = await pgTarget();
    const killed = await pgTarget();
    try {
      const once = await startCli(clean.url, ["--batch-rows", "5"]).done;
      expect(once.code).toBe(0);

      // Meter B's readings come after A's: holding B's device row uncommitted makes the import wait there,
      // with A's batches stored and nothing else; then it is killed, as an operator's kill -9 would.
      const blocker = new pg.Client({ connectionString: killed.url });
      // DROP DATABASE … WITH (FORCE) ends it if the test fails before it is closed
      blocker.on("error", () => {});
      await blocker.connect();
      await blocker.query("BEGIN");
      await blocker.query(
        "INSERT INTO devices (device_id, first_seen, last_seen) VALUES ($1, now(), now())",
        [B],
      );
      const run = startCli(killed.url, ["--batch-rows", "5"]);
      let exited = false;
      void run.done.then(() => {
        exited = true;
      });
      // pg_stat_activity is a snapshot within a transaction: the watching happens on its own connection
      const watcher = new pg.Client({ connectionString: killed.url });
      watcher.on("error", () => {});
      await watcher.connect();
      const waiting = async () =>
        (
          await watcher.query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        ).rows as { pid: number }[];
      let blocked = await waiting();
      while (blocked.length === 0 && !exited) {
        await new Promise((r) => setTimeout(r, 50));
        blocked = await waiting();
      }
      expect(exited).toBe(false);
      run.child.kill("SIGKILL");
      expect((await run.done).signal).toBe("SIGKILL");
      // a backend waiting on a lock only notices its client is gone once it runs again: end it, as the
      // server does when a connection drops
      for (const { pid } of blocked) await watcher.query("SELECT pg_terminate_backend($1)", [pid]);
      await watcher.end();
      await blocker.query("ROLLBACK");
      await blocker.end();

      const partialDb = await killed.open();
      try {
        const count = async (sql: string) => (await partialDb.query<{ n: number }>(sql)).rows[0]?.n;
        const partial = await count("SELECT count(*)::int AS n FROM readings");
        expect(partial).toBeGreaterThan(0);
        expect(partial).toBeLessThan(69);
        expect(
          await count(
            "SELECT count(*)::int AS n FROM readings WHERE device_id <> 'shellypro4pm-a0dd6c9ef474'",
          ),
        ).toBe(0);
        expect(await count("SELECT count(*)::int AS n FROM channel_config_versions")).toBe(0);
        expect(await count("SELECT count(*)::int AS n FROM imported_history")).toBe(0);
      } finally {
        await partialDb.close();
      }

      const again = await startCli(killed.url, ["--batch-rows", "5"]).done;
      expect(again.code).toBe(0);
      const report = JSON.parse(again.stdout) as ImportReport;
      expect(report.readings.stored + report.readings.duplicates).toBe(70);
      expect(report.versions).toMatchObject({ channels: 5, imported: 8, already_present: 0 });

      const [a, b] = [await killed.open(), await clean.open()];
      try {
        expect(await contents(a)).toEqual(await contents(b));
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await clean.drop();
      await killed.drop();
    }
  }, 400_000);

  it("--dry-run writes nothing; outside a terminal the progress is plain lines, never a redrawn bar", async () => {
    const target = await pgTarget();
    try {
      const dry = await startCli(target.url, ["--dry-run"]).done;
      expect(dry.code).toBe(0);
      expect((JSON.parse(dry.stdout) as ImportReport).readings).toMatchObject({ read: 74, stored: 70 });
      expect(dry.stderr).toContain("Simulation (rien n'est écrit)");
      expect(dry.stderr).not.toContain("\r");
      expect(dry.stderr).toContain("import : 100 % — 74 / 74 relevés");
      const db = await target.open();
      try {
        expect((await db.query("SELECT 1 FROM readings")).rowCount).toBe(0);
        expect((await db.query("SELECT 1 FROM channel_config_versions")).rowCount).toBe(0);
        expect((await db.query("SELECT 1 FROM imported_history")).rowCount).toBe(0);
        expect((await db.query("SELECT 1 FROM devices")).rowCount).toBe(0);
      } finally {
        await db.close();
      }
      const bad = await startCli(target.url, ["--batch-rows", "zero"]).done;
      expect(bad.code).toBe(2);
    } finally {
      await target.drop();
    }
  }, 200_000);
});
