// npm run bench:fleet [-- --meters 1000 --history-meters 20 --history-days 365 --runs 20]
//
// Issue 20 item 5: a fleet on one PostgreSQL and on a Citus cluster, same data, same run (PostgreSQL is the
// baseline). For each target: a fresh database (a schema on Citus, whose extension must be in every database
// of every node), the built service started on it, then
//   1. ingestion headroom: a day of `--meters` simulated meters (every frame the Worker forwards), posted as
//      fast as the service takes it in batches of 100 messages (the queue consumer's `max_batch_size`), 4 clients;
//      readings/s sustained ÷ the rate those meters produce live; service and PostgreSQL CPU per 1,000 readings;
//      then the wait until the service's refresh queue has computed their cycles;
//   2. storage: table + index bytes per meter-day of that day;
//   3. history: `--history-meters` meters × `--history-days` days COPY'd into `readings` (as the importer
//      does: faster than HTTP, the same rows), each channel queued for a rebuild; the service's upkeep
//      computes the cycles, timed until the queue is empty;
//   4. reads, sequential, p50/p95 of `--runs`: the fleet page (what the dashboard's fleet view asks:
//      /api/devices, /api/sites and today's cycles of every meter, in parallel), a cycles page (100 + summary)
//      of a history channel over 30 days and over the whole history, the series of a history meter for a day
//      and for a month;
//   5. with the service stopped: alert rounds over every meter (`evaluateRound`, as bench/alerts.ts times it)
//      and the monthly PDF of a site of four history meters (as bench/reports.ts).
// On Citus also: per-shard task times of a fleet-wide query (EXPLAIN ANALYZE with every task shown), the
// input of the paper projection in docs/benchmarks.md. Prints, does not assert.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { simulateFleet } from "../simulator/index.js";
import { versionsOfChannels } from "../src/admin/config-versions.js";
import { makeSettingsReader } from "../src/admin/settings.js";
import { type EvaluatorCache, evaluateRound } from "../src/alerts/evaluate.js";
import { loadMigrations, migrate } from "../src/db/migrate.js";
import { migrationsDir } from "../src/db/open.js";
import { openPostgres } from "../src/db/postgres.js";
import { enqueueChannelRebuild } from "../src/db/queries/enqueue-cycle-refresh.js";
import { createReadingPartitionsFor } from "../src/db/queries/reading-partitions.js";
import { addDays, localDateOf } from "../src/domain/config-versions/index.js";
import { EVERY_METER } from "../src/domain/meter-scope.js";
import type { MeterDirectory } from "../src/journal/meter-directory.js";
import { monthlyDocument } from "../src/reports/document.js";
import { monthlyReport } from "../src/reports/monthly.js";
import { renderPdf } from "../src/reports/pdf.js";
import { configureChannels, insertDevices } from "./analytics/fleet.js";
import { loadAvg1, percentile } from "./analytics/measure.js";
import { copyReadings } from "./analytics/readings.js";
import { intOption, parseOptions, UsageError } from "./support/args.js";
import { type PostRun, postBatches } from "./support/load.js";
import { type CpuSplit, cpuModel, startCpuSplit } from "./support/proc.js";
import { buildService, type RunningService, startService } from "./support/service.js";

const HELP = `npm run bench:fleet -- [options]

  --meters N          meters posting a day of real-rate traffic over HTTP (default 1000)
  --history-meters N  meters with a stored history (default 20)
  --history-days D    days of that history, ending now (default 365)
  --runs N            sequential requests per read figure (default 20)
  --rounds N          alert rounds timed, the hour's cache kept (default 5)
  --concurrency N     HTTP clients posting at once (default 4)
  --seed N            simulator seed (default 1)
  --postgres URL      the PostgreSQL server or "none" (default DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
  --citus URL         the Citus coordinator, or "none" (default postgres://postgres@127.0.0.1:9810/postgres)
  --slow-log MS       diagnosis: log the PostgreSQL database's statements slower than MS to the server's log
  --skip-build        use dist/ as it is
  --json FILE         also write the results as JSON`;

const OPTIONS = {
  meters: { type: "string", default: "1000" },
  "history-meters": { type: "string", default: "20" },
  "history-days": { type: "string", default: "365" },
  runs: { type: "string", default: "20" },
  rounds: { type: "string", default: "5" },
  concurrency: { type: "string", default: "4" },
  seed: { type: "string", default: "1" },
  postgres: { type: "string" },
  citus: { type: "string", default: "postgres://postgres@127.0.0.1:9810/postgres" },
  "slow-log": { type: "string" },
  "skip-build": { type: "boolean", default: false },
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The queue consumer's max_batch_size (worker/wrangler.toml): one POST per queue batch. */
const BATCH = 100;
const ZONE = "Europe/Paris";
const log = (text: string) => process.stderr.write(`${text}\n`);

interface Stats {
  p50: number;
  p95: number;
}
const stats = (xs: number[]): Stats => ({ p50: percentile(xs, 0.5), p95: percentile(xs, 0.95) });

interface TargetResult {
  target: string;
  ingest: {
    readings: number;
    wallS: number;
    readingsPerS: number;
    headroom: number;
    batchP50Ms: number;
    batchP95Ms: number;
    processingP50Ms: number;
    serviceMsPer1k: number;
    postgresMsPer1k: number;
    nodeMsPer1k: { node: string; ms: number }[];
    cpu: CpuSplit;
    settleS: number;
    load: number;
  };
  storage: { readingsBytesPerMeterDay: number; allBytesPerMeterDay: number };
  history: { rows: number; copyS: number; cyclesS: number; cycles: number };
  reads: Record<string, Stats>;
  alerts: { coldMs: number; warm: Stats; devices: number; statements: number };
  report: Stats & { bytes: number };
  shards?: { tasks: number; taskMs: number[]; totalMs: number; rows: number };
  load: number;
}

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** A fresh place for the schema: a database on PostgreSQL, a schema of `postgres` on Citus. */
async function freshDatabase(
  server: string,
  citus: boolean,
  slowLogMs?: number,
): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `pumpwatch_fleet_${randomBytes(4).toString("hex")}`;
  const url = new URL(server);
  if (citus) {
    await sql(server, "CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public");
    await sql(server, `CREATE SCHEMA ${name}`);
    url.searchParams.set("options", `-c search_path=${name},public`);
    return { name, url: url.toString(), drop: () => sql(server, `DROP SCHEMA IF EXISTS ${name} CASCADE`) };
  }
  await sql(server, `CREATE DATABASE ${name}`);
  if (slowLogMs !== undefined)
    await sql(server, `ALTER DATABASE ${name} SET log_min_duration_statement = ${slowLogMs}`);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => sql(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function waitForQueue(client: pg.Client): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM cycle_refresh_queue");
    if (rows[0]?.n === 0) return (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function timeRuns(runs: number, f: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < 2; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    xs.push(performance.now() - t0);
  }
  return stats(xs);
}

async function getOk(url: string): Promise<void> {
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  if (response.status !== 200)
    throw new Error(`${url}: HTTP ${response.status} ${Buffer.from(body).toString().slice(0, 300)}`);
}

/** Bytes of the schema's tables with their indexes (on Citus, of their shards on every node). */
async function tableBytes(client: pg.Client, citus: boolean, only?: string): Promise<number> {
  const size = citus
    ? "CASE WHEN EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) THEN citus_total_relation_size(c.oid) ELSE pg_total_relation_size(c.oid) END"
    : "pg_total_relation_size(c.oid)";
  const { rows } = await client.query<{ b: string }>(
    `SELECT coalesce(sum(${size}), 0)::text AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')
       AND ($1::text IS NULL OR c.oid IN (SELECT relid FROM pg_partition_tree($1::regclass)))`,
    [only ?? null],
  );
  return Number(rows[0]?.b ?? 0);
}

interface ProcInfo {
  ppid: number;
  cpuS: number;
  title: string;
}

/** Every postgres process: parent, CPU seconds, process title (a backend's names its database). */
function postgresProcesses(): Map<number, ProcInfo> {
  const out = new Map<number, ProcInfo>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      if (stat.slice(stat.indexOf("(") + 1, close) !== "postgres") continue;
      const fields = stat.slice(close + 2).split(" ");
      const title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      out.set(Number(entry), {
        ppid: Number(fields[1]),
        cpuS: (Number(fields[11]) + Number(fields[12])) / CLK_TCK,
        title,
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
// getconf CLK_TCK is 100 on Linux (bench/support/proc.ts asks it)
const CLK_TCK = 100;

/**
 * The target's PostgreSQL processes, by node: on Citus every process of each node's postmaster (the cluster
 * is the bench's alone); on the shared PostgreSQL only the backends of the bench's database, not those of
 * other work on the server (its shared WAL writer and checkpointer are left out too).
 */
async function nodesOf(client: pg.Client, citus: boolean, dbName: string) {
  // a node's postmaster: the first line of postmaster.pid in its data directory (the bench runs as root or postgres)
  const postmasterOf = (dataDirectory: string) =>
    Number(readFileSync(`${dataDirectory}/postmaster.pid`, "utf8").split("\n")[0]);
  const nodes: { name: string; match: (pid: number, p: ProcInfo) => boolean }[] = [];
  if (!citus) {
    nodes.push({ name: "postgres", match: (_, p) => p.title.includes(` ${dbName} `) });
    return nodes;
  }
  const own = await client.query<{ d: string }>("SELECT current_setting('data_directory') AS d");
  const coordinator = postmasterOf(own.rows[0]?.d ?? "");
  nodes.push({ name: "coordinator", match: (pid, p) => pid === coordinator || p.ppid === coordinator });
  const { rows } = await client.query<{ nodeport: number; result: string }>(
    "SELECT nodeport, result FROM run_command_on_workers($$SELECT current_setting('data_directory')$$) ORDER BY nodeport",
  );
  for (const r of rows) {
    const postmaster = postmasterOf(r.result);
    nodes.push({
      name: `worker ${r.nodeport}`,
      match: (pid, p) => pid === postmaster || p.ppid === postmaster,
    });
  }
  return nodes;
}

/** Starts counting the CPU of each node's processes; processes that end meanwhile are missed (pools stay open). */
function startNodeCpu(nodes: Awaited<ReturnType<typeof nodesOf>>) {
  const before = postgresProcesses();
  return () => {
    const after = postgresProcesses();
    return nodes.map((n) => {
      let cpuS = 0;
      for (const [pid, p] of after) if (n.match(pid, p)) cpuS += p.cpuS - (before.get(pid)?.cpuS ?? 0);
      return { node: n.name, cpuS };
    });
  };
}

/** Every "Execution Time" of the tasks of a Citus EXPLAIN ANALYZE in JSON. */
function taskTimes(plan: unknown): number[] {
  const out: number[] = [];
  const walk = (node: unknown, inTask: boolean) => {
    if (Array.isArray(node)) for (const x of node) walk(x, inTask);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === "Tasks") for (const task of v as unknown[]) walk(task, true);
        else if (inTask && k === "Execution Time" && typeof v === "number") out.push(v);
        else walk(v, inTask);
      }
    }
  };
  walk(plan, false);
  return out;
}

interface Workload {
  bodies: Buffer<ArrayBuffer>[];
  messages: number;
  liveMessagesPerS: number;
  endS: number;
}

function dayWorkload(meters: number, seed: number, endS: number): Workload {
  const sim = simulateFleet({ seed, devices: meters, days: 1, start: endS - 86_400 });
  const bodies: Buffer<ArrayBuffer>[] = [];
  let batch: string[] = [];
  let messages = 0;
  for (const message of sim.messages()) {
    batch.push(JSON.stringify(message));
    messages++;
    if (batch.length === BATCH) {
      bodies.push(Buffer.from(`{"messages":[${batch.join(",")}]}`));
      batch = [];
    }
  }
  if (batch.length > 0) bodies.push(Buffer.from(`{"messages":[${batch.join(",")}]}`));
  return { bodies, messages, liveMessagesPerS: messages / 86_400, endS };
}

async function runTarget(
  label: string,
  server: string,
  citus: boolean,
  root: string,
  work: Workload,
  o: {
    meters: number;
    historyMeters: number;
    historyDays: number;
    runs: number;
    rounds: number;
    seed: number;
    concurrency: number;
    slowLogMs?: number | undefined;
  },
): Promise<TargetResult> {
  log(`== ${label}: ${server}`);
  const place = await freshDatabase(server, citus, o.slowLogMs);
  const db = openPostgres({ connectionString: place.url, maxConnections: 4 });
  const client = new pg.Client({ connectionString: place.url });
  let service: RunningService | null = null;
  try {
    await migrate(db, await loadMigrations(migrationsDir()));
    await client.connect();
    const apiKey = randomBytes(24).toString("base64url");
    service = await startService({
      root,
      databaseUrl: place.url,
      apiKey,
      env: { PUBLIC_DASHBOARD: "true", APP_TIMEZONE: ZONE },
      readyTimeoutMs: 120_000,
    });
    const running = service;
    process.on("exit", () => running.kill());

    // 1. ingestion headroom
    log(`${label}: posting ${work.bodies.length} batches…`);
    const load0 = loadAvg1();
    const nodes = await nodesOf(client, citus, place.name);
    const stopNodes = startNodeCpu(nodes);
    const stopCpu = startCpuSplit([service.pid]);
    const run: PostRun = await postBatches(
      [`${service.baseUrl}/api/ingest/batch`],
      apiKey,
      work.bodies,
      o.concurrency,
    );
    const cpu = stopCpu();
    const nodeCpu = stopNodes();
    if (run.errors > 0 || run.messages !== work.messages)
      throw new Error(
        `${label}: ${run.errors} rejected, ${run.messages} of ${work.messages} messages answered`,
      );
    const readings = run.inserted + run.duplicates;
    const readingsPerS = readings / run.wallS;
    const liveReadingsPerS = (work.liveMessagesPerS * readings) / work.messages;
    log(`${label}: ${readings} readings in ${run.wallS.toFixed(1)} s; waiting for the refresh queue…`);
    const settleS = await waitForQueue(client);
    await client.query("VACUUM ANALYZE");
    const readingsBytes = await tableBytes(client, citus, "readings");
    const allBytes = await tableBytes(client, citus);

    // 3. history
    const historyEndS = work.endS;
    const sim = simulateFleet({
      seed: o.seed + 1000,
      devices: o.historyMeters,
      days: o.historyDays,
      start: historyEndS - o.historyDays * 86_400,
    });
    const known = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM devices WHERE device_id = ANY($1::text[])",
      [sim.devices.map((d) => d.id)],
    );
    if (known.rows[0]?.n !== 0)
      throw new Error("history meters collide with the day's meters: change --seed");
    log(`${label}: COPY of ${o.historyMeters} meters × ${o.historyDays} days…`);
    const c0 = performance.now();
    // the month partitions the service creates as readings arrive (COPY does not)
    const instants: Date[] = [];
    for (let t = sim.startS; t < sim.endS + 86_400 * 15; t += 86_400 * 15)
      instants.push(new Date(Math.min(t, sim.endS) * 1000));
    await createReadingPartitionsFor(db, instants);
    const rows = await copyReadings(client, sim, {
      nowS: historyEndS,
      chunkRows: 20_000,
      segmentRows: 500_000,
    });
    await insertDevices(db, sim.devices, sim.startS, sim.endS);
    await configureChannels(db, sim.devices, sim.startS, sim.endS, ZONE);
    const copyS = (performance.now() - c0) / 1000;
    const q0 = performance.now();
    for (const device of sim.devices)
      for (const ch of device.channels)
        await enqueueChannelRebuild(db, { deviceId: device.id, channel: ch.channel });
    await waitForQueue(client);
    const cyclesS = (performance.now() - q0) / 1000;
    const cycleCount = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM cycles WHERE device_id = ANY($1::text[])",
      [sim.devices.map((d) => d.id)],
    );
    await client.query("VACUUM ANALYZE");
    log(`${label}: ${rows} rows in ${copyS.toFixed(0)} s, cycles computed in ${cyclesS.toFixed(0)} s`);

    // 4. reads
    const base = service.baseUrl;
    const today = localDateOf(historyEndS, ZONE);
    const last = addDays(today, -1);
    const first = addDays(localDateOf(sim.startS, ZONE), 1);
    const device = sim.devices[0]?.id ?? "";
    const channel = sim.devices[0]?.channels.find((c) => c.role === "lift")?.channel ?? 0;
    const figures: Record<string, string[]> = {
      "fleet page (devices + sites + today's cycles, parallel)": [
        "/api/devices",
        "/api/sites",
        `/api/cycles?from=${addDays(today, -1)}&to=${addDays(today, 1)}&limit=10000`,
      ],
      "/api/devices alone": ["/api/devices"],
      "cycles page 100 + summary, 1 channel, 30 d": [
        `/api/cycles?device_id=${device}&channel=${channel}&from=${addDays(last, -29)}&to=${last}&limit=100`,
      ],
      [`cycles page 100 + summary, 1 channel, ${o.historyDays} d`]: [
        `/api/cycles?device_id=${device}&channel=${channel}&from=${first}&to=${last}&limit=100`,
      ],
      "series, 1 meter (4 ch), 24 h": [`/api/series?device_id=${device}&period=24h&end=${last}`],
      "series, 1 meter (4 ch), 30 d": [`/api/series?device_id=${device}&period=30d&end=${last}`],
    };
    const reads: Record<string, Stats> = {};
    for (const [name, paths] of Object.entries(figures)) {
      reads[name] = await timeRuns(o.runs, () => Promise.all(paths.map((p) => getOk(`${base}${p}`))));
      log(`${label}: ${name}: p50 ${reads[name]?.p50.toFixed(1)} p95 ${reads[name]?.p95.toFixed(1)} ms`);
    }
    await service.stop();
    service = null;

    // 5. alert rounds (the stopped service's lease released) and the monthly PDF
    await client.query("UPDATE alert_evaluator_lease SET expires_at = '-infinity'");
    const at = new Date(historyEndS * 1000);
    const c1 = performance.now();
    const cold = await evaluateRound(db, at, { holder: "bench", emails: false });
    const coldMs = performance.now() - c1;
    const cache: EvaluatorCache = new Map();
    await evaluateRound(db, at, { holder: "bench", cache, emails: false });
    const warmXs: number[] = [];
    for (let i = 1; i <= o.rounds; i++) {
      const t0 = performance.now();
      await evaluateRound(db, new Date(at.getTime() + i * 1000), { holder: "bench", cache, emails: false });
      warmXs.push(performance.now() - t0);
    }
    log(
      `${label}: alert round cold ${coldMs.toFixed(0)} ms, warm p50 ${percentile(warmXs, 0.5).toFixed(0)} ms`,
    );

    const siteIds = sim.devices.slice(0, 4).map((d) => d.id);
    const directory: MeterDirectory = {
      defaultTimeZone: ZONE,
      async meters() {
        return siteIds.map((d) => ({ deviceId: d, name: d, timeZone: ZONE, siteId: "bench" }));
      },
      async sites() {
        return [
          {
            id: "bench",
            name: "Station de banc",
            timeZone: ZONE,
            sandreCode: "0400000S0001",
            populationEquivalent: 400,
            deviceIds: siteIds,
          },
        ];
      },
    };
    const versions = {
      versionsOf: (c: Parameters<typeof versionsOfChannels>[1]) => versionsOfChannels(db, c),
    };
    const deps = { db, directory, versions, settings: makeSettingsReader(db, { gridFactor: null }) };
    const admin = { userId: 1, email: "bench@example.org", role: "admin" as const, scope: EVERY_METER };
    // the last whole month of the history (the current one when the history is shorter than a month)
    const month = (o.historyDays > 45 ? addDays(`${today.slice(0, 7)}-01`, -1) : today).slice(0, 7);
    let bytes = 0;
    const report = await timeRuns(Math.max(3, Math.floor(o.runs / 4)), async () => {
      bytes = (
        await renderPdf(monthlyDocument(await monthlyReport(deps, admin, { siteId: "bench", month }, at)))
      ).length;
    });

    // per-shard costs on Citus
    let shards: TargetResult["shards"];
    if (citus) {
      await client.query("SET citus.explain_all_tasks = on");
      const { rows: plan } = await client.query<{ "QUERY PLAN": unknown }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) SELECT device_id, channel, count(*), max(apower_w) FROM readings
         WHERE ts >= to_timestamp($1) GROUP BY device_id, channel`,
        [historyEndS - 86_400],
      );
      const json = plan[0]?.["QUERY PLAN"] as { "Execution Time": number; Plan: { "Actual Rows": number } }[];
      const tasks = taskTimes(json);
      shards = {
        tasks: tasks.length,
        taskMs: tasks,
        totalMs: json[0]?.["Execution Time"] ?? Number.NaN,
        rows: json[0]?.Plan["Actual Rows"] ?? 0,
      };
      log(
        `${label}: fleet-day scan ${shards.totalMs.toFixed(0)} ms over ${tasks.length} tasks: ${tasks.map((t) => t.toFixed(0)).join(", ")} ms`,
      );
    }

    return {
      target: label,
      ingest: {
        readings,
        wallS: run.wallS,
        readingsPerS,
        headroom: readingsPerS / liveReadingsPerS,
        batchP50Ms: percentile(run.latenciesMs, 0.5),
        batchP95Ms: percentile(run.latenciesMs, 0.95),
        processingP50Ms: percentile(run.processingMs, 0.5),
        serviceMsPer1k: (cpu.serverS * 1e6) / readings,
        postgresMsPer1k: (nodeCpu.reduce((a, n) => a + n.cpuS, 0) * 1e6) / readings,
        nodeMsPer1k: nodeCpu.map((n) => ({ node: n.node, ms: (n.cpuS * 1e6) / readings })),
        cpu,
        settleS,
        load: load0,
      },
      storage: {
        readingsBytesPerMeterDay: readingsBytes / o.meters,
        allBytesPerMeterDay: allBytes / o.meters,
      },
      history: { rows, copyS, cyclesS, cycles: cycleCount.rows[0]?.n ?? 0 },
      reads,
      alerts: {
        coldMs,
        warm: stats(warmXs),
        devices: cold?.devices ?? 0,
        statements: cold?.reads ?? 0,
      },
      report: { ...report, bytes },
      shards,
      load: loadAvg1(),
    };
  } finally {
    await service?.stop().catch(() => {});
    await client.end().catch(() => {});
    await db.close().catch(() => {});
    await place.drop().catch((e: unknown) => log(`drop: ${String(e)}`));
  }
}

async function main(): Promise<number> {
  const v = parseOptions(OPTIONS, HELP);
  const o = {
    meters: intOption("meters", v.meters, 1, 100_000),
    historyMeters: intOption("history-meters", v["history-meters"], 1, 1000),
    historyDays: intOption("history-days", v["history-days"], 2, 3650),
    runs: intOption("runs", v.runs, 1, 10_000),
    rounds: intOption("rounds", v.rounds, 1, 1000),
    concurrency: intOption("concurrency", v.concurrency, 1, 64),
    seed: intOption("seed", v.seed, 0, 2 ** 31),
    slowLogMs: v["slow-log"] === undefined ? undefined : intOption("slow-log", v["slow-log"], 0, 3_600_000),
  };
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  if (!v["skip-build"]) buildService(root);
  const postgresUrl = v.postgres ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const targets: [string, string, boolean][] =
    postgresUrl === "none" ? [] : [["PostgreSQL", postgresUrl, false]];
  if (v.citus !== "none") {
    const check = new pg.Client({ connectionString: v.citus });
    await check.connect();
    const { rows } = await check.query<{ n: number; s: string }>(
      `SELECT (SELECT count(*)::int FROM pg_dist_node WHERE noderole = 'primary' AND isactive AND shouldhaveshards AND nodeport <> inet_server_port()) AS n,
              current_setting('citus.shard_count') AS s`,
    );
    await check.end();
    targets.push([`Citus (${rows[0]?.n} workers, ${rows[0]?.s} shards)`, v.citus, true]);
  }
  const endS = Math.floor(Date.now() / 60_000) * 60;
  log(`simulating ${o.meters} meters × 1 day…`);
  const work = dayWorkload(o.meters, o.seed, endS);
  log(
    `${work.messages} messages in ${work.bodies.length} batches (${work.liveMessagesPerS.toFixed(1)} messages/s live)`,
  );

  const results: TargetResult[] = [];
  for (const [label, url, citus] of targets) results.push(await runTarget(label, url, citus, root, work, o));

  const f = (n: number | undefined, digits = 1) =>
    n === undefined || !Number.isFinite(n)
      ? "–"
      : n.toLocaleString("en-US", { maximumFractionDigits: digits });
  const out: string[] = [];
  out.push(
    `fleet benchmark — ${new Date().toISOString().slice(0, 16)} UTC — ${availableParallelism()} cores (${cpuModel()}), Node ${process.version}`,
  );
  out.push(
    `workload: ${o.meters} meters × 1 day over HTTP (${work.messages} messages, ${f(work.liveMessagesPerS)} messages/s live, batches of ${BATCH}, ${o.concurrency} clients) + ${o.historyMeters} meters × ${o.historyDays} days by COPY; ${o.runs} runs per read`,
  );
  out.push("");
  const head = ["figure", ...results.map((r) => r.target)];
  const rows: string[][] = [
    ["readings posted", ...results.map((r) => f(r.ingest.readings, 0))],
    ["ingestion, readings/s sustained", ...results.map((r) => f(r.ingest.readingsPerS, 0))],
    ["headroom (× the live rate of these meters)", ...results.map((r) => f(r.ingest.headroom, 0))],
    [
      "batch of 100 messages p50 / p95 ms",
      ...results.map((r) => `${f(r.ingest.batchP50Ms)} / ${f(r.ingest.batchP95Ms)}`),
    ],
    ["service CPU ms / 1,000 readings", ...results.map((r) => f(r.ingest.serviceMsPer1k))],
    [
      "PostgreSQL CPU ms / 1,000 readings (the bench's backends; all nodes)",
      ...results.map((r) => f(r.ingest.postgresMsPer1k)),
    ],
    ["… by node", ...results.map((r) => r.ingest.nodeMsPer1k.map((n) => `${n.node} ${f(n.ms)}`).join(", "))],
    ["cycles of the day settled after posting, s", ...results.map((r) => f(r.ingest.settleS))],
    ["readings bytes per meter-day", ...results.map((r) => f(r.storage.readingsBytesPerMeterDay, 0))],
    ["all tables bytes per meter-day", ...results.map((r) => f(r.storage.allBytesPerMeterDay, 0))],
    ["history: rows COPY'd / s", ...results.map((r) => `${f(r.history.rows, 0)} / ${f(r.history.copyS)}`)],
    [
      "history: cycles computed by the service / s",
      ...results.map((r) => `${f(r.history.cycles, 0)} / ${f(r.history.cyclesS)}`),
    ],
    ...Object.keys(results[0]?.reads ?? {}).map((k) => [
      `${k}, p50 / p95 ms`,
      ...results.map((r) => `${f(r.reads[k]?.p50)} / ${f(r.reads[k]?.p95)}`),
    ]),
    ["alert round, first of the hour, ms", ...results.map((r) => f(r.alerts.coldMs, 0))],
    [
      "alert round, hour's cache kept, p50 / p95 ms",
      ...results.map((r) => `${f(r.alerts.warm.p50, 0)} / ${f(r.alerts.warm.p95, 0)}`),
    ],
    [
      "alert round: devices / statements",
      ...results.map((r) => `${r.alerts.devices} / ${r.alerts.statements}`),
    ],
    [
      `monthly PDF of a ${Math.min(4, o.historyMeters)}-meter site, p50 / p95 ms`,
      ...results.map((r) => `${f(r.report.p50, 0)} / ${f(r.report.p95, 0)}`),
    ],
    [
      "load average (1 min) at posting / at the end",
      ...results.map((r) => `${f(r.ingest.load, 2)} / ${f(r.load, 2)}`),
    ],
  ];
  out.push(`| ${head.join(" | ")} |`);
  out.push(`|:--|${results.map(() => "--:").join("|")}|`);
  for (const row of rows) out.push(`| ${row.join(" | ")} |`);
  for (const r of results)
    if (r.shards)
      out.push(
        `\n${r.target}: fleet-day scan (GROUP BY device, channel over the last 24 h) ${f(r.shards.totalMs)} ms, ${r.shards.rows} groups, ${r.shards.tasks} tasks: ${r.shards.taskMs.map((t) => f(t)).join(", ")} ms`,
      );
  console.log(out.join("\n"));
  if (v.json) writeFileSync(v.json, `${JSON.stringify({ options: o, results }, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      log(`${error.message}\n\n${HELP}`);
      process.exit(2);
    }
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
