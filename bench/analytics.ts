// npm run bench:analytics [-- --devices 10 --days 365 | --scale 0.1 | --days 30] [--json FILE]
//
// Loads a year of simulated per-minute readings of a fleet (10 devices × 4 channels ≈ 21 M rows) into a
// throw-away PostgreSQL database, materialises the pump cycles with the service's refresher, starts the built
// service (PUBLIC_DASHBOARD=true) and times the read endpoints sequentially: /api/cycles (+ summary) for one
// channel over 30 and 365 days, one device over 365 days, the fleet over 30 days; /api/series 24 h / 7 d /
// 30 d. In the same run it times the predecessor's way (readings fetched and cycles detected at request time)
// and prints the ratio. Prints, does not assert: exit 0 when a target is missed, 1 on an error.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { simulateFleet } from "../simulator/index.js";
import { versionsOfChannels } from "../src/admin/config-versions.js";
import { cyclesReport, settingsFromVersions } from "../src/analytics/cycles-report.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import { channelSeries } from "../src/analytics/series.js";
import type { Database, Queryable } from "../src/db/database.js";
import { openAndMigrate } from "../src/db/open.js";
import { activityPerBucket } from "../src/db/queries/channel-activity-hourly.js";
import { closedCycleSpreads } from "../src/db/queries/closed-cycle-spreads.js";
import { cycleTotalsPerChannelDay } from "../src/db/queries/cycle-totals-per-day.js";
import { cyclesInRange } from "../src/db/queries/cycles-in-range.js";
import { enqueueChannelRebuild } from "../src/db/queries/enqueue-cycle-refresh.js";
import type { ChannelRef } from "../src/db/queries/stored-cycle.js";
import { localCalendar, localDateOf, localDays } from "../src/domain/config-versions/index.js";
import { DEFAULT_CYCLE_SETTINGS, detectCycles } from "../src/domain/cycles/index.js";
import { factorSetById } from "../src/domain/impact/index.js";
import { parsePeriod } from "../src/domain/period.js";
import { seriesWindow } from "../src/domain/series/window.js";
import { configureChannels, insertDevices } from "./analytics/fleet.js";
import { type CpuShares, loadAvg1, type Stats, startCpu, timeFn, timeHttp } from "./analytics/measure.js";
import { copyReadings } from "./analytics/readings.js";
import { intOption, parseOptions, positiveOption, UsageError } from "./support/args.js";
import { cpuModel } from "./support/proc.js";
import { buildService, type RunningService, startService } from "./support/service.js";

const HELP = `npm run bench:analytics -- [options]

  --devices N      simulated Shelly Pro 4PM devices (default 10)
  --days D         days of per-minute history, ending now (default 365: ≈ 21 M readings for 10 devices)
  --scale S        multiplies --days (default 1; --scale 0.1 ≈ 37 days, a quick run)
  --seed N         simulator seed (default 1)
  --runs N         measured requests per figure, sequential (default 30)
  --warmups N      unmeasured requests before them (default 3)
  --naive-runs N   runs of the predecessor's way for one channel-year (default 10; one device-year: half)
  --timezone TZ    APP_TIMEZONE of the service (default Europe/Paris)
  --skip-build     use dist/ as it is instead of running npm run build
  --keep-db        do not drop the database at the end (its name is printed)
  --reuse-db NAME  measure a database kept by --keep-db instead of loading one (no load, no cycle build)
  --json FILE      also write the results as JSON

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is the server on which a database
pumpwatch_bench_analytics_<random> is created, and dropped at the end (also on failure or Ctrl-C).`;

const TARGETS = { channelYearMs: 50, fleet30dMs: 100, seriesMs: 50 };
const PREDECESSOR_DEVICE_YEAR_P95_MS = 1300;
const DAY_S = 86_400;

const OPTIONS = {
  devices: { type: "string", default: "10" },
  days: { type: "string", default: "365" },
  scale: { type: "string", default: "1" },
  seed: { type: "string", default: "1" },
  runs: { type: "string", default: "30" },
  warmups: { type: "string", default: "3" },
  "naive-runs": { type: "string", default: "10" },
  timezone: { type: "string", default: "Europe/Paris" },
  "skip-build": { type: "boolean", default: false },
  "keep-db": { type: "boolean", default: false },
  "reuse-db": { type: "string" },
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

function options() {
  const values = parseOptions(OPTIONS, HELP);
  const days = positiveOption("days", values.days) * positiveOption("scale", values.scale);
  if (days < 2 || days > 3000) throw new UsageError("--days × --scale: 2 to 3000 days");
  const reuse = values["reuse-db"];
  if (reuse !== undefined && !/^pumpwatch_bench_analytics_[0-9a-f]+$/.test(reuse)) {
    throw new UsageError("--reuse-db: a database name printed by --keep-db");
  }
  return {
    devices: intOption("devices", values.devices, 1, 200),
    days,
    seed: intOption("seed", values.seed, 0, 2 ** 31),
    runs: intOption("runs", values.runs, 1, 10_000),
    warmups: intOption("warmups", values.warmups, 0, 1000),
    naiveRuns: intOption("naive-runs", values["naive-runs"], 1, 1000),
    timeZone: values.timezone,
    build: !values["skip-build"],
    keepDb: values["keep-db"],
    reuseDb: reuse,
    json: values.json,
  };
}
type Options = ReturnType<typeof options>;

const log = (text: string) => process.stderr.write(`${text}\n`);

// ---------------------------------------------------------------------------------------------------
// Clean-up: the child service and the database go away on success, error and Ctrl-C alike.

const cleanups: (() => unknown)[] = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        log(`clean-up: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}
let service: RunningService | null = null;
let interrupted = false;
process.on("exit", () => service?.kill());
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    interrupted = true;
    log(`\n${signal}: stopping the service and dropping the database…`);
    service?.kill();
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------
// Formatting

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0) : "–");
const pct = (n: number) => `${(n * 100).toFixed(0)} %`;
const mb = (bytes: number) => `${int(bytes / 1024 / 1024)} MB`;
const secs = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** The commit the service was built from, and whether src/ or migrations/ differ from it. */
function codeVersion(root: string): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
    const dirty = git("status", "--porcelain", "--", "src", "migrations") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted changes in src/ or migrations/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

const isoMinute = (unixS: number) => new Date(unixS * 1000).toISOString().replace(/:\d\d\.\d{3}Z$/, ":00Z");

// ---------------------------------------------------------------------------------------------------
// The database

interface Dataset {
  devices: string[];
  /** unix seconds: first and last minute of readings */
  startS: number;
  endS: number;
  readings: number;
}

interface BuildReport {
  load?: { rows: number; wallS: number; rowsPerS: number; cpu: CpuShares };
  configVersions?: number;
  cycles?: { wallS: number; steps: number; written: number; channels: number; cpu: CpuShares };
  truth?: { simulated: number; stored: number; noise: number };
  vacuumS?: number;
}

async function loadDataset(
  db: Database,
  copyClient: pg.Client,
  opts: Options,
  report: BuildReport,
  ourBackends: () => Set<number>,
  refreshBackends: () => Promise<void>,
): Promise<Dataset> {
  const nowS = Math.floor(Date.now() / 1000);
  const endS = Math.floor(nowS / 60) * 60;
  const startS = endS - Math.round(opts.days * 1440) * 60;
  const sim = simulateFleet({ seed: opts.seed, devices: opts.devices, days: opts.days, start: startS });
  const expected = opts.devices * 4 * Math.round(opts.days * 1440);
  log(
    `loading ${opts.devices} devices × ${opts.days} days (≈ ${int(expected)} readings, ` +
      `${isoMinute(sim.startS)} → ${isoMinute(sim.endS)})…`,
  );

  // Autovacuum would scan the table again and again while it grows; one VACUUM ANALYZE follows the load.
  await db.query("ALTER TABLE readings SET (autovacuum_enabled = false)");
  const loadCpu = startCpu(
    () => null,
    () => ourBackends(),
  );
  const t0 = performance.now();
  let lastLog = 0;
  const rows = await copyReadings(copyClient, sim, {
    nowS,
    chunkRows: 20_000,
    segmentRows: 500_000,
    onProgress: (p) => {
      if (p.elapsedS - lastLog < 10 && p.done < 1) return;
      lastLog = p.elapsedS;
      log(
        `  ${int(p.rows)} rows, ${pct(p.done)} of the range, ${int(p.rows / p.elapsedS)} rows/s, ` +
          `${secs(p.elapsedS)} (load average ${loadAvg1().toFixed(2)})`,
      );
    },
  });
  const wallS = (performance.now() - t0) / 1000;
  await refreshBackends();
  report.load = { rows, wallS, rowsPerS: rows / wallS, cpu: loadCpu() };
  log(`loaded ${int(rows)} readings in ${secs(wallS)}: ${int(rows / wallS)} rows/s`);
  await db.query("ALTER TABLE readings RESET (autovacuum_enabled)");

  await insertDevices(db, sim.devices, sim.startS, sim.endS);
  report.configVersions = await configureChannels(db, sim.devices, sim.startS, sim.endS, opts.timeZone);

  // The one-off cost of materialisation: every channel's whole history queued and re-detected.
  const channels: ChannelRef[] = sim.devices.flatMap((d) =>
    [0, 1, 2, 3].map((channel) => ({ deviceId: d.id, channel })),
  );
  for (const ref of channels) await enqueueChannelRebuild(db, ref);
  log(`building the cycles of ${channels.length} channels (refreshPendingCycles)…`);
  const buildNowS = Math.floor(Date.now() / 1000);
  const versions = await versionsOfChannels(db, channels);
  const cyclesCpu = startCpu(
    () => null,
    () => ourBackends(),
  );
  const t1 = performance.now();
  const summary = await refreshPendingCycles(db, {
    nowMinute: Math.floor(buildNowS / 60),
    settingsFor: settingsFromVersions(versions, localDateOf(buildNowS, opts.timeZone)),
  });
  const buildS = (performance.now() - t1) / 1000;
  await refreshBackends();
  if (summary.failed.length > 0) {
    throw new Error(
      `cycle refresh failed for ${summary.failed.length} channels: ${String(summary.failed[0]?.error)}`,
    );
  }
  report.cycles = {
    wallS: buildS,
    steps: summary.steps,
    written: summary.written,
    channels: summary.channels,
    cpu: cyclesCpu(),
  };
  log(`cycles built in ${secs(buildS)}: ${int(summary.written)} cycles, ${int(summary.steps)} steps`);

  // Cross-check with the simulator's ground truth (cycles of at least the noise threshold).
  const counts = await db.query<{ stored: number; noise: number }>(
    "SELECT count(*) FILTER (WHERE NOT noise)::int AS stored, count(*) FILTER (WHERE noise)::int AS noise FROM cycles",
  );
  report.truth = {
    simulated: sim.truth.length,
    stored: counts.rows[0]?.stored ?? 0,
    noise: counts.rows[0]?.noise ?? 0,
  };
  log(`ground truth: ${int(report.truth.simulated)} simulated cycles, ${int(report.truth.stored)} stored`);

  log("VACUUM ANALYZE…");
  const t2 = performance.now();
  await copyClient.query("VACUUM ANALYZE");
  report.vacuumS = (performance.now() - t2) / 1000;
  log(`VACUUM ANALYZE took ${secs(report.vacuumS)}`);
  return { devices: sim.devices.map((d) => d.id), startS: sim.startS, endS: sim.endS, readings: rows };
}

async function existingDataset(db: Database): Promise<Dataset> {
  const devices = await db.query<{ device_id: string }>("SELECT device_id FROM devices ORDER BY device_id");
  const range = await db.query<{ lo: number; hi: number; n: number }>(
    "SELECT extract(epoch FROM min(ts))::int8 AS lo, extract(epoch FROM max(ts))::int8 AS hi, count(*)::int8 AS n FROM readings",
  );
  const r = range.rows[0];
  if (!r || devices.rows.length === 0) throw new Error("the reused database holds no readings");
  return { devices: devices.rows.map((d) => d.device_id), startS: r.lo, endS: r.hi, readings: r.n };
}

// ---------------------------------------------------------------------------------------------------
// Measurements

interface Figure {
  id: string;
  label: string;
  url: string;
  targetMs: number | null;
  stats: Stats;
  bytes: number;
  /** what the answer held, e.g. "1 000 of 5 512 cycles" */
  content: string;
}

interface Part {
  label: string;
  stats: Stats;
}

interface Explained {
  label: string;
  executionMs: number;
  planningMs: number;
  plan: string;
}

/** A Queryable that remembers the statements it ran, so they can be EXPLAINed afterwards. */
function recording(db: Queryable) {
  const calls: { sql: string; params: readonly unknown[] }[] = [];
  const q: Queryable = {
    query: (sql, params) => {
      calls.push({ sql, params: params ?? [] });
      return db.query(sql, params);
    },
  };
  return { q, calls };
}

async function explain(db: Database, label: string, sql: string, params: readonly unknown[]) {
  const { rows } = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
  const num = (re: RegExp) => Number(re.exec(plan)?.[1] ?? Number.NaN);
  return {
    label,
    executionMs: num(/Execution Time: ([\d.]+) ms/),
    planningMs: num(/Planning Time: ([\d.]+) ms/),
    plan,
  } satisfies Explained;
}

const NAIVE_SQL = `SELECT ts, apower_w, current_a, voltage_v, energy_total_wh, energy_last_minute_wh
  FROM readings WHERE device_id = $1 AND channel = $2 AND ts >= $3 AND ts < $4 ORDER BY ts`;

/** The predecessor's way: every reading of the period fetched, cycles detected at request time. */
async function naiveCycles(db: Database, ref: ChannelRef, fromS: number, toS: number, nowMinute: number) {
  const { rows } = await db.query<{
    ts: Date;
    apower_w: number | null;
    current_a: number | null;
    voltage_v: number | null;
    energy_total_wh: number | null;
    energy_last_minute_wh: number | null;
  }>(NAIVE_SQL, [ref.deviceId, ref.channel, new Date(fromS * 1000), new Date(toS * 1000)]);
  const samples = rows.map((r) => ({
    minute: Math.floor(r.ts.getTime() / 60_000),
    apowerW: r.apower_w,
    currentA: r.current_a,
    voltageV: r.voltage_v,
    energyTotalWh: r.energy_total_wh,
    energyLastMinuteWh: r.energy_last_minute_wh,
  }));
  return { readings: rows.length, cycles: detectCycles(samples, DEFAULT_CYCLE_SETTINGS, nowMinute) };
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = options();
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const serverUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const code = codeVersion(root);
  const startedAt = new Date();
  const wall0 = performance.now();

  if (opts.build) {
    log("building the service (npm run build)…");
    buildService(root);
  }

  // a throw-away database (or a kept one)
  const dbName = opts.reuseDb ?? `pumpwatch_bench_analytics_${randomBytes(5).toString("hex")}`;
  const benchUrl = new URL(serverUrl);
  benchUrl.pathname = `/${dbName}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const pgVersion =
    (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? "?";
  const settings = (
    await admin.query<{ name: string; value: string }>(
      "SELECT name, current_setting(name) AS value FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'jit', 'random_page_cost', 'effective_cache_size') ORDER BY name",
    )
  ).rows
    .map((s) => `${s.name}=${s.value}`)
    .join(", ");
  if (!opts.reuseDb) await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  if (opts.keepDb || opts.reuseDb) {
    cleanups.push(() => log(`database kept: ${dbName} (drop it with: DROP DATABASE ${dbName})`));
  } else {
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await client.end();
      log(`dropped database ${dbName}`);
    });
  }

  const { db } = await openAndMigrate({ databaseUrl: benchUrl.toString(), dataDir: ".", poolSize: 4 });
  cleanups.push(() => db.close());
  const copyClient = new pg.Client({ connectionString: benchUrl.toString() });
  await copyClient.connect();
  cleanups.push(() => copyClient.end());

  let backends = new Set<number>();
  const refreshBackends = async () => {
    const { rows } = await copyClient.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
    );
    backends = new Set(rows.map((r) => r.pid));
  };
  await refreshBackends();

  const build: BuildReport = {};
  const dataset = opts.reuseDb
    ? await existingDataset(db)
    : await loadDataset(db, copyClient, opts, build, () => backends, refreshBackends);

  const sizes = (
    await db.query<{ readings: number; readings_pkey: number; cycles: number; cycles_rows: number }>(
      `SELECT pg_total_relation_size('readings')::int8 AS readings, pg_relation_size('readings_pkey')::int8 AS readings_pkey,
              pg_total_relation_size('cycles')::int8 AS cycles, (SELECT count(*) FROM cycles)::int8 AS cycles_rows`,
    )
  ).rows[0];

  // The channel measured alone: the fleet's busiest (most cycles), the worst case for a channel-year.
  const busiest = (
    await db.query<{ device_id: string; channel: number; n: number }>(
      `SELECT device_id, channel, count(*)::int AS n FROM cycles WHERE NOT noise
       GROUP BY device_id, channel ORDER BY n DESC, device_id, channel LIMIT 1`,
    )
  ).rows[0];
  if (!busiest) throw new Error("no cycles were detected");
  const ref: ChannelRef = { deviceId: busiest.device_id, channel: busiest.channel };
  const device = ref.deviceId;
  log(`measured channel: ${device} channel ${ref.channel} (${int(busiest.n)} cycles in the data)`);

  log("starting the service…");
  service = await startService({
    root,
    databaseUrl: benchUrl.toString(),
    env: { PUBLIC_DASHBOARD: "true", APP_TIMEZONE: opts.timeZone },
  });
  const running = service;
  cleanups.push(() => running.stop());
  const servicePid = () => service?.pid ?? null;

  // Other work on the machine skews every figure: measure it while the service is idle.
  await refreshBackends();
  const quietCpu = startCpu(servicePid, () => backends);
  await new Promise((r) => setTimeout(r, 3_000));
  const quiet = quietCpu();
  if (quiet.other + quiet.postgresOther > 0.1) {
    log(
      `warning: ${pct(quiet.other + quiet.postgresOther)} of the CPU is busy with other work before the run`,
    );
  }

  // ---- HTTP figures: now = the service's clock; the data ends at the minute the load started.
  const nowS = Math.floor(Date.now() / 1000);
  const toS = Math.floor(nowS / 60) * 60 + 60;
  const to = isoMinute(toS);
  const from30 = isoMinute(toS - 30 * DAY_S);
  const from365 = isoMinute(toS - 365 * DAY_S);
  const base = service.baseUrl;
  const q = (params: Record<string, string | number>) =>
    new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  const one = { device_id: device, channel: ref.channel };
  const requests: { id: string; label: string; url: string; targetMs: number | null }[] = [
    {
      id: "cycles-channel-30d",
      label: "cycles + summary, 1 channel, 30 d",
      url: `/api/cycles?${q({ ...one, from: from30, to })}`,
      targetMs: null,
    },
    {
      id: "cycles-channel-30d-limit100",
      label: "… same, limit=100",
      url: `/api/cycles?${q({ ...one, from: from30, to, limit: 100 })}`,
      targetMs: null,
    },
    {
      id: "cycles-channel-365d",
      label: "cycles + summary, 1 channel, 365 d",
      url: `/api/cycles?${q({ ...one, from: from365, to })}`,
      targetMs: TARGETS.channelYearMs,
    },
    {
      id: "cycles-channel-365d-limit100",
      label: "… same, limit=100",
      url: `/api/cycles?${q({ ...one, from: from365, to, limit: 100 })}`,
      targetMs: TARGETS.channelYearMs,
    },
    {
      id: "cycles-device-365d",
      label: "cycles + summary, 1 device (4 ch), 365 d",
      url: `/api/cycles?${q({ device_id: device, from: from365, to })}`,
      targetMs: null,
    },
    {
      id: "cycles-fleet-30d",
      label: `cycles + summary, fleet (${dataset.devices.length * 4} ch), 30 d`,
      url: `/api/cycles?${q({ from: from30, to })}`,
      targetMs: TARGETS.fleet30dMs,
    },
    {
      id: "cycles-fleet-30d-limit100",
      label: "… same, limit=100",
      url: `/api/cycles?${q({ from: from30, to, limit: 100 })}`,
      targetMs: TARGETS.fleet30dMs,
    },
    ...(["24h", "7d", "30d"] as const).map((period) => ({
      id: `series-${period}`,
      label: `series, 1 device (4 ch), ${period}`,
      url: `/api/series?${q({ device_id: device, period })}`,
      targetMs: TARGETS.seriesMs,
    })),
  ];

  const figures: Figure[] = [];
  await refreshBackends();
  const httpCpu = startCpu(servicePid, () => backends);
  for (const r of requests) {
    log(`timing ${r.label} (${opts.warmups} warm-ups + ${opts.runs} runs)…`);
    const timing = await timeHttp(`${base}${r.url}`, opts.warmups, opts.runs);
    const body = timing.body as {
      cycles?: unknown[];
      total?: number;
      summary?: { cycles: number };
      series?: { t: unknown[] }[];
    };
    const content = body.series
      ? `${body.series.length} × ${body.series[0]?.t.length ?? 0} points`
      : `${int(body.cycles?.length ?? 0)} listed of ${int(body.total ?? 0)}; summary of ${int(body.summary?.cycles ?? 0)}`;
    figures.push({ ...r, stats: timing.stats, bytes: timing.bytes, content });
  }
  await refreshBackends();
  const httpShares = httpCpu();

  // ---- The service's parts, in this process with the service's own functions (no HTTP, no JSON).
  log("timing the parts in-process…");
  const nowMinute = Math.floor(nowS / 60);
  const allChannels: ChannelRef[] = dataset.devices.flatMap((d) =>
    [0, 1, 2, 3].map((channel) => ({ deviceId: d, channel })),
  );
  const versions = { versionsOf: (c: readonly ChannelRef[]) => versionsOfChannels(db, c) };
  const period = (fromIso: string) => {
    const parsed = parsePeriod(fromIso, to, opts.timeZone, nowS);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.period;
  };
  const report = (channels: ChannelRef[], fromIso: string, limit: number) =>
    cyclesReport(db, versions, {
      channels,
      period: period(fromIso),
      includeNoise: false,
      limit,
      nowS,
      timeZone: opts.timeZone,
      factorSet: factorSetById("fp-2026"),
      gridFactor: null,
    });
  const listing = (channels: ChannelRef[], fromIso: string, db_: Queryable = db) => {
    const p = period(fromIso);
    return cyclesInRange(db_, {
      channels,
      fromMinute: Math.ceil(p.fromS / 60),
      toMinute: Math.ceil(p.toS / 60),
      limit: Number.MAX_SAFE_INTEGER,
      includeNoise: true,
    });
  };
  // The two statements the summary is made of, as cyclesReport issues them.
  const summarySql = (channels: ChannelRef[], fromIso: string, db_: Queryable = db) => {
    const p = period(fromIso);
    const range = { channels, fromMinute: Math.ceil(p.fromS / 60), toMinute: Math.ceil(p.toS / 60) };
    const days = localDays(localCalendar(opts.timeZone), p.fromDate, p.toDate);
    return {
      totals: () => cycleTotalsPerChannelDay(db_, { ...range, days }),
      spreads: () => closedCycleSpreads(db_, range),
    };
  };
  const seriesOf = (periodName: "24h" | "7d" | "30d") => {
    const window = seriesWindow(periodName, { kind: "now", nowS }, opts.timeZone);
    const thresholds = [0, 1, 2, 3].map((channel) => ({
      channel,
      thresholdW: DEFAULT_CYCLE_SETTINGS.activityThresholdW,
    }));
    return { window, thresholds, run: () => channelSeries(db, device, thresholds, window) };
  };
  const deviceChannels = [0, 1, 2, 3].map((channel) => ({ deviceId: device, channel }));
  const partRuns = Math.max(5, Math.min(opts.runs, 20));
  const parts: Part[] = [];
  const part = async (label: string, fn: () => Promise<unknown>) => {
    const t = await timeFn(fn, 2, partRuns);
    parts.push({ label, stats: t.stats });
  };
  await part("1 channel, 365 d: cyclesReport (SQL + versions + summary), limit 1000", () =>
    report([ref], from365, 1000),
  );
  await part("1 channel, 365 d: cyclesInRange SQL alone (all cycles, row parsing incl.)", () =>
    listing([ref], from365),
  );
  await part("1 channel, 365 d: cyclesReport, limit 100", () => report([ref], from365, 100));
  await part("1 channel, 365 d: cycleTotalsPerChannelDay (summary sums)", summarySql([ref], from365).totals);
  await part("1 channel, 365 d: closedCycleSpreads (medians, ranges)", summarySql([ref], from365).spreads);
  await part("fleet, 30 d: cyclesReport, limit 1000", () => report(allChannels, from30, 1000));
  await part("fleet, 30 d: cyclesInRange SQL alone", () => listing(allChannels, from30));
  await part("fleet, 30 d: cycleTotalsPerChannelDay", summarySql(allChannels, from30).totals);
  await part("fleet, 30 d: closedCycleSpreads", summarySql(allChannels, from30).spreads);
  await part("1 device, 365 d: cyclesReport, limit 1000", () => report(deviceChannels, from365, 1000));
  for (const p of ["24h", "7d", "30d"] as const) {
    const s = seriesOf(p);
    await part(`series ${p}: channelSeries (SQL + filling)`, s.run);
  }

  // ---- EXPLAIN ANALYZE of the heaviest statements, captured as the service's functions issue them.
  const explained: Explained[] = [];
  {
    const rec = recording(db);
    await listing([ref], from365, rec.q);
    const call = rec.calls.at(-1);
    if (call) explained.push(await explain(db, "cyclesInRange, 1 channel, 365 d", call.sql, call.params));
  }
  {
    const rec = recording(db);
    await listing(allChannels, from30, rec.q);
    const call = rec.calls.at(-1);
    if (call) explained.push(await explain(db, "cyclesInRange, fleet, 30 d", call.sql, call.params));
  }
  for (const [label, channels, from] of [
    ["1 channel, 365 d", [ref], from365],
    ["fleet, 30 d", allChannels, from30],
  ] as const) {
    const rec = recording(db);
    const sql = summarySql([...channels], from, rec.q);
    await sql.totals();
    await sql.spreads();
    const [totals, spreads] = rec.calls.slice(-2);
    if (totals)
      explained.push(await explain(db, `cycleTotalsPerChannelDay, ${label}`, totals.sql, totals.params));
    if (spreads)
      explained.push(await explain(db, `closedCycleSpreads, ${label}`, spreads.sql, spreads.params));
  }
  {
    const s = seriesOf("30d");
    const rec = recording(db);
    // the whole hours of the window from the sums (no change queued once the upkeep is done)
    const hourS = 3600;
    await activityPerBucket(rec.q, {
      deviceId: device,
      sumRanges: s.thresholds.map((t) => ({
        channel: t.channel,
        thresholdW: t.thresholdW,
        fromS: Math.ceil(s.window.startS / hourS) * hourS,
        toS: Math.floor(s.window.endS / hourS) * hourS,
      })),
      rawRanges: [],
      bucketSeconds: s.window.bucketSeconds,
      originS: s.window.originS,
    });
    const call = rec.calls.at(-1);
    if (call) explained.push(await explain(db, "activityPerBucket, 1 device, 30 d", call.sql, call.params));
  }
  explained.push(
    await explain(db, "naive readings fetch, 1 channel, 365 d", NAIVE_SQL, [
      ref.deviceId,
      ref.channel,
      new Date((toS - 365 * DAY_S) * 1000),
      new Date(toS * 1000),
    ]),
  );

  // ---- The predecessor's way, in the same run.
  log(`timing the naive way (${opts.naiveRuns} runs for a channel-year)…`);
  const naiveChannel = await timeFn(
    () => naiveCycles(db, ref, toS - 365 * DAY_S, toS, nowMinute),
    1,
    opts.naiveRuns,
  );
  const deviceRuns = Math.max(3, Math.ceil(opts.naiveRuns / 2));
  log(`timing the naive way for a device-year (${deviceRuns} runs)…`);
  const naiveDevice = await timeFn(
    async () => {
      let cycles = 0;
      for (const c of deviceChannels) {
        cycles += (await naiveCycles(db, c, toS - 365 * DAY_S, toS, nowMinute)).cycles.length;
      }
      return cycles;
    },
    1,
    deviceRuns,
  );
  const naiveFetchOnly = await timeFn(
    () =>
      db.query(NAIVE_SQL, [
        ref.deviceId,
        ref.channel,
        new Date((toS - 365 * DAY_S) * 1000),
        new Date(toS * 1000),
      ]),
    1,
    Math.min(5, opts.naiveRuns),
  );

  if (service) await service.stop();
  service = null;
  await cleanup();
  const totalWallS = (performance.now() - wall0) / 1000;

  // ---- Report
  const find = (id: string) => figures.find((f) => f.id === id);
  const channelYear = find("cycles-channel-365d");
  const deviceYear = find("cycles-device-365d");
  const verdict = (f: Figure) => (f.targetMs === null ? "" : f.stats.p95Ms <= f.targetMs ? "PASS" : "MISS");
  const machine = `${availableParallelism()} cores (${cpuModel()}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, PostgreSQL ${pgVersion}`;
  const out: string[] = [];
  out.push(
    `pumpwatch analytics benchmark — ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC — ${machine}`,
  );
  out.push(
    `service code: ${code}${opts.build ? "" : " (dist/ not rebuilt: --skip-build)"}; started with node dist/src/main.js; ${settings}`,
  );
  out.push(
    `data: ${dataset.devices.length} devices × 4 channels, ${isoMinute(dataset.startS)} → ${isoMinute(dataset.endS)} ` +
      `(${((dataset.endS - dataset.startS) / DAY_S).toFixed(1)} days), ${int(dataset.readings)} readings, ` +
      `${int(sizes?.cycles_rows ?? 0)} cycles; readings ${mb(sizes?.readings ?? 0)} (pkey ${mb(sizes?.readings_pkey ?? 0)}), ` +
      `cycles ${mb(sizes?.cycles ?? 0)}; APP_TIMEZONE=${opts.timeZone}`,
  );
  if (build.load) {
    out.push(
      `load: ${int(build.load.rows)} readings COPY'd in ${secs(build.load.wallS)} = ${int(build.load.rowsPerS)} rows/s ` +
        `(simulator + parseMessage + COPY, 1 connection, primary key in place)`,
    );
  }
  if (build.cycles) {
    out.push(
      `cycles materialised (enqueueChannelRebuild × ${build.cycles.channels} + refreshPendingCycles): ` +
        `${secs(build.cycles.wallS)}, ${int(build.cycles.written)} cycles, ${int(build.cycles.steps)} steps` +
        (build.truth
          ? ` — simulator truth ${int(build.truth.simulated)} cycles, stored ${int(build.truth.stored)} (+ ${int(build.truth.noise)} flagged noise)`
          : ""),
    );
  }
  if (build.vacuumS !== undefined) out.push(`VACUUM ANALYZE: ${secs(build.vacuumS)}`);
  out.push(
    `measured channel: ${device} switch:${ref.channel} (the fleet's busiest: ${int(busiest.n)} cycles); ` +
      `${opts.warmups} warm-ups then ${opts.runs} sequential requests per figure, time to the last byte`,
  );
  out.push("");
  out.push(
    table(
      ["figure", "answer", "KB", "p50 ms", "p95 ms", "max ms", "target p95", "verdict"],
      figures.map((f) => [
        f.label,
        f.content,
        (f.bytes / 1024).toFixed(0),
        ms(f.stats.p50Ms),
        ms(f.stats.p95Ms),
        ms(f.stats.maxMs),
        f.targetMs === null ? "" : `≤ ${f.targetMs} ms`,
        verdict(f),
      ]),
    ),
  );
  out.push("");
  const naiveRows: string[][] = [
    [
      "naive 1 channel, 365 d (fetch + detectCycles)",
      `${int(naiveChannel.last.readings)} readings → ${int(naiveChannel.last.cycles.length)} cycles`,
      ms(naiveChannel.stats.p50Ms),
      ms(naiveChannel.stats.p95Ms),
      ms(naiveChannel.stats.maxMs),
      channelYear ? `${(naiveChannel.stats.p95Ms / channelYear.stats.p95Ms).toFixed(0)} ×` : "",
    ],
    [
      "  of which the readings fetch alone",
      "",
      ms(naiveFetchOnly.stats.p50Ms),
      ms(naiveFetchOnly.stats.p95Ms),
      ms(naiveFetchOnly.stats.maxMs),
      "",
    ],
    [
      "naive 1 device (4 ch), 365 d",
      `${int(naiveDevice.last)} cycles`,
      ms(naiveDevice.stats.p50Ms),
      ms(naiveDevice.stats.p95Ms),
      ms(naiveDevice.stats.maxMs),
      deviceYear ? `${(naiveDevice.stats.p95Ms / deviceYear.stats.p95Ms).toFixed(0)} ×` : "",
    ],
    [
      "predecessor, 1 device, 365 d (issue)",
      "",
      "",
      ms(PREDECESSOR_DEVICE_YEAR_P95_MS),
      "",
      deviceYear ? `${(PREDECESSOR_DEVICE_YEAR_P95_MS / deviceYear.stats.p95Ms).toFixed(0)} ×` : "",
    ],
  ];
  out.push(
    `the naive way, in this process (${opts.naiveRuns} / ${deviceRuns} runs; no HTTP, no JSON, no summary: a lower bound):`,
  );
  out.push(
    table(["naive", "work", "p50 ms", "p95 ms", "max ms", "naive p95 / materialised p95 (HTTP)"], naiveRows),
  );
  out.push("");
  out.push(`the service's parts, in this process (${partRuns} runs each, same database):`);
  out.push(
    table(
      ["part", "p50 ms", "p95 ms"],
      parts.map((p) => [p.label, ms(p.stats.p50Ms), ms(p.stats.p95Ms)]),
    ),
  );
  out.push("");
  out.push("EXPLAIN (ANALYZE, BUFFERS), server-side time of the statements:");
  out.push(
    table(
      ["statement", "planning ms", "execution ms"],
      explained.map((e) => [e.label, ms(e.planningMs), ms(e.executionMs)]),
    ),
  );
  out.push("");
  const cpuRow = (label: string, c: CpuShares) => [
    label,
    secs(c.wallS),
    pct(c.bench),
    pct(c.service),
    pct(c.postgres),
    pct(c.postgresOther),
    pct(c.other),
    pct(c.idle),
    c.loadAvg1.toFixed(2),
  ];
  out.push("CPU (share of all cores; 'other' = processes outside this benchmark, e.g. other test runs):");
  out.push(
    table(
      [
        "phase",
        "wall",
        "bench",
        "service",
        "postgres (bench db)",
        "postgres (other)",
        "other",
        "idle",
        "load 1 min",
      ],
      [
        ...(build.load ? [cpuRow("load (COPY)", build.load.cpu)] : []),
        ...(build.cycles ? [cpuRow("cycle build", build.cycles.cpu)] : []),
        cpuRow("idle service, before timing", quiet),
        cpuRow("HTTP timing", httpShares),
      ],
    ),
  );
  out.push(`total wall time: ${secs(totalWallS)}`);
  console.log(out.join("\n"));
  for (const e of explained) log(`\n---- ${e.label}\n${e.plan}`);

  if (opts.json) {
    const results = {
      date: startedAt.toISOString(),
      code,
      machine: {
        cores: availableParallelism(),
        cpu: cpuModel(),
        memoryBytes: totalmem(),
        node: process.version,
        postgres: pgVersion,
        settings,
      },
      options: opts,
      dataset: { ...dataset, sizes },
      build,
      measuredChannel: { ...ref, cycles: busiest.n },
      figures,
      naive: {
        channelYear: { ...naiveChannel.stats, readings: naiveChannel.last.readings },
        fetchOnly: naiveFetchOnly.stats,
        deviceYear: naiveDevice.stats,
        ratioChannelYear: channelYear ? naiveChannel.stats.p95Ms / channelYear.stats.p95Ms : null,
        ratioDeviceYear: deviceYear ? naiveDevice.stats.p95Ms / deviceYear.stats.p95Ms : null,
        predecessorDeviceYearP95Ms: PREDECESSOR_DEVICE_YEAR_P95_MS,
      },
      parts,
      explained,
      cpu: { quiet, http: httpShares },
      totalWallS,
    };
    writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${opts.json}`);
  }
  return 0;
}

main().then(
  (exitCode) => process.exit(exitCode),
  async (error: unknown) => {
    service?.kill();
    if (error instanceof UsageError) {
      log(`${error.message}\n\n${HELP}`);
      await cleanup();
      process.exit(2);
    }
    // after Ctrl-C, the errors of the connections being closed are expected: the signal handler exits
    if (!interrupted) {
      log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    await cleanup();
    process.exit(interrupted ? 130 : 1);
  },
);
