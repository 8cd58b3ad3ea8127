// npm run bench:ingest [-- --concurrency 4 --devices 8 --days 7 --json results.json]
//
// Starts the built service on a throw-away PostgreSQL database, posts simulator batches of 1 000 messages
// over HTTP with a few concurrent clients (fresh keys, then half duplicates), then measures the ceiling:
// COPY of the same readings into an identical table without the primary key. Prints, does not assert:
// exit 0 when a target is missed, 1 on an error or when the stored rows do not match what was sent.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { intOption, parseOptions, positiveOption, UsageError } from "./support/args.js";
import { copyChunks, mean, type PostRun, percentile, postBatches } from "./support/load.js";
import { type ActivityShare, sampleActivity } from "./support/pg-activity.js";
import { type CpuSplit, cpuModel, rssSampler, startCpuSplit } from "./support/proc.js";
import { buildService, type RunningService, startService } from "./support/service.js";
import { batchBodies, body, COPY_COLUMNS, copyChunker, generateMessages } from "./support/workload.js";

const HELP = `npm run bench:ingest -- [options]

  --devices N       simulated Shelly Pro 4PM devices (default 8)
  --days D          days of history posted as fresh keys (default 7: ≈ 411 000 readings)
  --scale S         multiplies --days (default 1)
  --seed N          simulator seed (default 1)
  --concurrency N   HTTP clients posting at once (default 4)
  --batch N         messages per request, at most 1000 (default 1000)
  --pool-size N     DB_POOL_SIZE of the service (default: the service's, 10)
  --instances N     run N service processes on the database, clients spread over them (default 1)
  --node-flags="…"  extra flags for the service's node, e.g. --node-flags="--max-old-space-size=128"
  --skip-build      use dist/ as it is instead of running npm run build
  --service-dir DIR build and run the service of another checkout (e.g. a git worktree of another commit)
  --json FILE       also write the results as JSON

DATABASE_URL (default ${"postgres://postgres@127.0.0.1:5432/postgres"}) is the server on which a database
pumpwatch_bench_<random> is created, and dropped at the end.`;

const TARGET_SHARE = 0.5;
const TARGET_RSS_BYTES = 200 * 1024 * 1024;
const PREDECESSOR_READINGS_PER_S = 4_750;
const START_S = Date.UTC(2025, 0, 1) / 1000;
/** each COPY variant runs this many times; the median run is reported */
const COPY_REPEATS = 3;

const OPTIONS = {
  devices: { type: "string", default: "8" },
  days: { type: "string", default: "7" },
  scale: { type: "string", default: "1" },
  seed: { type: "string", default: "1" },
  concurrency: { type: "string", default: "4" },
  batch: { type: "string", default: "1000" },
  "pool-size": { type: "string" },
  instances: { type: "string", default: "1" },
  "node-flags": { type: "string", default: "" },
  "skip-build": { type: "boolean", default: false },
  "service-dir": { type: "string" },
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

function options() {
  const values = parseOptions(OPTIONS, HELP);
  return {
    devices: intOption("devices", values.devices, 1, 1000),
    days: positiveOption("days", values.days) * positiveOption("scale", values.scale),
    seed: intOption("seed", values.seed, 0, 2 ** 31),
    concurrency: intOption("concurrency", values.concurrency, 1, 64),
    batch: intOption("batch", values.batch, 2, 1000),
    instances: intOption("instances", values.instances, 1, 8),
    poolSize:
      values["pool-size"] === undefined ? undefined : intOption("pool-size", values["pool-size"], 1, 100),
    nodeFlags: values["node-flags"].split(/\s+/).filter(Boolean),
    build: !values["skip-build"],
    serviceDir: values["service-dir"],
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
let interrupted = false;
const services: RunningService[] = [];

/** A client whose connection may be cut by DROP DATABASE … WITH (FORCE) on Ctrl-C without crashing the bench. */
function client(connectionString: string): pg.Client {
  const c = new pg.Client({ connectionString });
  c.on("error", (error) => {
    if (!interrupted) log(`database connection lost: ${error.message}`);
  });
  return c;
}
const killServices = () => {
  for (const s of services) s.kill();
};
process.on("exit", killServices);
// After Ctrl-C, requests and queries in flight fail as the service and the database go away: expected.
process.on("unhandledRejection", (error) => {
  if (!interrupted) throw error;
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`\n${signal}: stopping the service and dropping the database…`);
    killServices();
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------
// Workload

function prepare(opts: Options) {
  const freshRange = { seed: opts.seed, devices: opts.devices, days: opts.days, startS: START_S };
  const copy = copyChunker(opts.batch);
  const fresh = generateMessages(freshRange, (reading) => copy.add(reading));
  const freshBodies = batchBodies(fresh.json, opts.batch);

  // Half duplicates: each batch replays `half` messages of the fresh phase and adds `half` new ones,
  // the same fleet continuing a day after the fresh range (so no new key touches a fresh row).
  const half = Math.floor(opts.batch / 2);
  const freshEndS = START_S + Math.round(opts.days * 1440) * 60;
  const newer = generateMessages({ ...freshRange, days: opts.days / 2, startS: freshEndS + 86_400 });
  if (newer.json.length > fresh.json.length) throw new Error("the half-duplicates phase needs more replays");
  const halfBodies: Buffer<ArrayBuffer>[] = [];
  let halfReadings = 0;
  for (let i = 0; i < newer.json.length; i += half) {
    const fresh_ = fresh.json.slice(i, i + half);
    const new_ = newer.json.slice(i, i + half);
    const replayed = fresh_.slice(0, new_.length);
    for (let j = i; j < i + replayed.length; j++) halfReadings += fresh.readingsPerMessage[j] ?? 0;
    halfBodies.push(body([...replayed, ...new_]));
  }
  halfReadings += newer.readings;

  const warm = generateMessages({
    seed: opts.seed + 1000,
    devices: 2,
    days: 0.5,
    startS: START_S - 30 * 86_400,
  });
  return {
    fresh: {
      bodies: freshBodies,
      messages: fresh.json.length,
      readings: fresh.readings,
      rows: fresh.keys.size,
    },
    half: {
      bodies: halfBodies,
      messages: newer.json.length * 2,
      readings: halfReadings,
      rowsAfter: fresh.keys.size + newer.keys.size,
    },
    warm: batchBodies(warm.json, opts.batch),
    copyChunks: copy.finish(),
    copyRows: fresh.readings,
  };
}

// ---------------------------------------------------------------------------------------------------
// Measurements

interface PhaseResult {
  name: string;
  batches: number;
  messages: number;
  /** readings carried by the posted messages = inserted + duplicates */
  readings: number;
  inserted: number;
  duplicates: number;
  newRows: number;
  wallS: number;
  readingsPerS: number;
  insertedPerS: number;
  newRowsPerS: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  serviceProcessingMeanMs: number;
  rssPeakBytes: number;
  cpu: CpuSplit;
  connections: ActivityShare;
  checks: string[];
}

interface CopyResult {
  table: string;
  connections: number;
  rows: number;
  wallS: number;
  rowsPerS: number;
  chunkP50Ms: number;
  chunkP99Ms: number;
  cpu: CpuSplit;
  /** every repetition, sorted; the other fields are the median run's */
  allRowsPerS?: number[];
}

async function countRows(db: pg.Client, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

async function checkpoint(db: pg.Client): Promise<void> {
  // Each measurement starts without dirty pages left by the previous one (needs superuser or pg_checkpoint).
  await db.query("CHECKPOINT").catch(() => {});
}

function phaseResult(
  name: string,
  run: PostRun,
  newRows: number,
  rssPeakBytes: number,
  cpu: CpuSplit,
  connections: ActivityShare,
  expected: { messages: number; readings: number; rows: number; rowsFound: number },
): PhaseResult {
  const readings = run.inserted + run.duplicates;
  const checks: string[] = [];
  if (run.messages !== expected.messages)
    checks.push(`messages answered ${run.messages} ≠ sent ${expected.messages}`);
  if (readings !== expected.readings)
    checks.push(`readings answered ${readings} ≠ sent ${expected.readings}`);
  if (run.errors !== 0) checks.push(`${run.errors} messages rejected`);
  if (expected.rowsFound !== expected.rows)
    checks.push(`rows in readings ${expected.rowsFound} ≠ keys sent ${expected.rows}`);
  return {
    name,
    batches: run.batches,
    messages: run.messages,
    readings,
    inserted: run.inserted,
    duplicates: run.duplicates,
    newRows,
    wallS: run.wallS,
    readingsPerS: readings / run.wallS,
    insertedPerS: run.inserted / run.wallS,
    newRowsPerS: newRows / run.wallS,
    latencyP50Ms: percentile(run.latenciesMs, 0.5),
    latencyP99Ms: percentile(run.latenciesMs, 0.99),
    serviceProcessingMeanMs: mean(run.processingMs),
    rssPeakBytes,
    cpu,
    connections,
    checks,
  };
}

// ---------------------------------------------------------------------------------------------------
// Report

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 100 ? 1 : 0) : "–");
const pct = (n: number) => `${(n * 100).toFixed(n < 0.1 ? 1 : 0)} %`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

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

function copyLabel(c: CopyResult): string {
  const connections = `${c.connections} connection${c.connections > 1 ? "s" : ""}`;
  return c.table === "readings_copy"
    ? `COPY, no dedup, ${connections}`
    : `COPY + key btree (not unique), ${connections}`;
}

function cpuCells(cpu: CpuSplit): string[] {
  const share = (s: number) => pct(s / cpu.capacityS);
  const idle = Math.max(0, cpu.capacityS - cpu.serverS - cpu.postgresS - cpu.benchS - cpu.otherS);
  return [share(cpu.serverS), share(cpu.postgresS), share(cpu.benchS), share(cpu.otherS), share(idle)];
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = options();
  const root = opts.serviceDir
    ? resolve(opts.serviceDir)
    : resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const serverUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";

  const code = codeVersion(root);
  if (opts.build) {
    log("building the service (npm run build)…");
    buildService(root);
  }
  log(`simulating ${opts.devices} devices × ${opts.days} days…`);
  const work = prepare(opts);
  log(
    `fresh: ${int(work.fresh.messages)} messages, ${int(work.fresh.readings)} readings, ${int(work.fresh.rows)} rows; ` +
      `half duplicates: ${int(work.half.messages)} messages`,
  );

  // a throw-away database
  const dbName = `pumpwatch_bench_${randomBytes(5).toString("hex")}`;
  const benchUrl = new URL(serverUrl);
  benchUrl.pathname = `/${dbName}`;
  const admin = client(serverUrl);
  await admin.connect();
  const pgVersion =
    (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? "?";
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  cleanups.push(async () => {
    const dropper = client(serverUrl);
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await dropper.end();
    log(`dropped database ${dbName}`);
  });
  const db = client(benchUrl.toString());
  await db.connect();
  cleanups.push(() => db.end());
  const monitor = client(benchUrl.toString());
  await monitor.connect();
  cleanups.push(() => monitor.end());

  // the service (several instances on one database with --instances, each client sticking to one)
  const apiKey = randomBytes(24).toString("base64url");
  log(`starting the service on database ${dbName}…`);
  for (let i = 0; i < opts.instances; i++) {
    const started = await startService({
      root,
      databaseUrl: benchUrl.toString(),
      apiKey,
      poolSize: opts.poolSize,
      nodeFlags: opts.nodeFlags,
    });
    services.push(started);
    cleanups.push(() => started.stop());
  }
  const pids = services.map((s) => s.pid);
  const samplers = pids.map((pid) => rssSampler(pid));
  const rssPeakNow = () => Math.max(...samplers.map((r) => r.peak()));
  const rssAtStart = rssPeakNow();
  const ingestUrls = services.map((s) => `${s.baseUrl}/api/ingest/batch`);

  log(`warm-up: ${work.warm.length} batches…`);
  await postBatches(ingestUrls, apiKey, work.warm, opts.concurrency);
  await db.query("TRUNCATE readings, devices CASCADE");
  await checkpoint(db);

  // Other work on the machine skews every figure: measure it while the service is idle.
  const stopQuiet = startCpuSplit(pids);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const quiet = stopQuiet();
  const backgroundShare = (quiet.otherS + quiet.postgresS + quiet.serverS) / quiet.capacityS;
  if (backgroundShare > 0.05) {
    log(
      `warning: ${pct(backgroundShare)} of the CPU is busy with other work before the run; figures will be low`,
    );
  }

  const phase = async (
    name: string,
    bodies: Buffer<ArrayBuffer>[],
    expected: { messages: number; readings: number; rowsAfter: number },
  ) => {
    log(`${name}: ${bodies.length} batches, ${opts.concurrency} clients…`);
    const before = await countRows(db, "readings");
    for (const r of samplers) r.reset();
    const stopCpu = startCpuSplit(pids);
    const stopActivity = sampleActivity(monitor);
    const run = await postBatches(ingestUrls, apiKey, bodies, opts.concurrency);
    const cpu = stopCpu();
    const activity = await stopActivity();
    const peak = rssPeakNow();
    const after = await countRows(db, "readings");
    return phaseResult(name, run, after - before, peak, cpu, activity, {
      messages: expected.messages,
      readings: expected.readings,
      rows: expected.rowsAfter,
      rowsFound: after,
    });
  };
  const fresh = await phase("fresh keys", work.fresh.bodies, { ...work.fresh, rowsAfter: work.fresh.rows });
  await checkpoint(db);
  const half = await phase("half duplicates", work.half.bodies, work.half);
  for (const r of samplers) r.stop();
  const rssPeak = Math.max(...services.map((s) => s.peakRss() ?? 0), rssPeakNow());
  for (const s of services) await s.stop();

  // The ceiling: the same readings, one row each, COPY'd into the same table without its primary key
  // (LIKE … copies neither the key nor the indexes; the BRIN index is cheap and added back). For scale, the
  // same COPY into a table that keeps the key's btree, not unique: the cost of the index alone.
  await db.query("CREATE TABLE readings_copy (LIKE readings INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
  await db.query("CREATE INDEX ON readings_copy USING brin (received_at)");
  await db.query("CREATE TABLE readings_copy_btree (LIKE readings_copy INCLUDING ALL)");
  await db.query("CREATE INDEX ON readings_copy_btree (device_id, channel, ts)");
  const copies: CopyResult[] = [];
  const variants = [
    { table: "readings_copy", connections: 1 },
    { table: "readings_copy", connections: 2 },
    { table: "readings_copy_btree", connections: 2 },
  ];
  for (const { table: target, connections } of variants) {
    const runs: CopyResult[] = [];
    for (let repeat = 0; repeat < COPY_REPEATS; repeat++) {
      log(`COPY into ${target}, ${connections} connection(s), run ${repeat + 1}/${COPY_REPEATS}…`);
      await db.query(`TRUNCATE ${target}`);
      await checkpoint(db);
      const clients = Array.from({ length: connections }, () => client(benchUrl.toString()));
      await Promise.all(clients.map((c) => c.connect()));
      const stopCpu = startCpuSplit([]);
      const run = await copyChunks(clients, target, COPY_COLUMNS, work.copyChunks);
      const cpu = stopCpu();
      await Promise.all(clients.map((c) => c.end()));
      const stored = await countRows(db, target);
      if (stored !== work.copyRows || run.rows !== work.copyRows) {
        throw new Error(`COPY stored ${stored} rows (reported ${run.rows}), expected ${work.copyRows}`);
      }
      runs.push({
        table: target,
        connections,
        rows: run.rows,
        wallS: run.wallS,
        rowsPerS: run.rows / run.wallS,
        chunkP50Ms: percentile(run.latenciesMs, 0.5),
        chunkP99Ms: percentile(run.latenciesMs, 0.99),
        cpu,
      });
    }
    runs.sort((a, b) => a.rowsPerS - b.rowsPerS);
    const median = runs[Math.floor(runs.length / 2)];
    if (median) copies.push({ ...median, allRowsPerS: runs.map((r) => r.rowsPerS) });
  }
  await cleanup();

  // ---- report
  const plainCopies = copies.filter((c) => c.table === "readings_copy");
  const ceiling = Math.max(...plainCopies.map((c) => c.rowsPerS));
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const machine = `${availableParallelism()} cores (${cpuModel()}), Node ${process.version}, PostgreSQL ${pgVersion}`;
  const phases = [fresh, half];
  const out: string[] = [];
  out.push(`pumpwatch ingestion benchmark — ${date} UTC — ${machine}`);
  out.push(
    `service code: ${opts.serviceDir ? `${root}: ` : ""}${code}${opts.build ? "" : " (dist/ not rebuilt: --skip-build)"}`,
  );
  out.push(
    `workload: ${opts.devices} devices × ${opts.days} days (seed ${opts.seed}), batches of ${opts.batch} messages, ` +
      `${opts.concurrency} HTTP clients, DB_POOL_SIZE ${opts.poolSize ?? process.env.DB_POOL_SIZE ?? "10 (default)"}` +
      (opts.instances > 1 ? `, ${opts.instances} service instances` : "") +
      (opts.nodeFlags.length > 0 ? `, service node flags: ${opts.nodeFlags.join(" ")}` : ""),
  );
  out.push("");
  out.push(
    table(
      [
        "run",
        "batches",
        "readings",
        "readings/s",
        "new rows/s",
        "p50 ms",
        "p99 ms",
        `vs COPY ${int(ceiling)}/s`,
        `target ≥ ${pct(TARGET_SHARE)}`,
      ],
      [
        ...phases.map((p) => [
          `HTTP ingest, ${p.name}`,
          int(p.batches),
          int(p.readings),
          int(p.readingsPerS),
          int(p.newRowsPerS),
          ms(p.latencyP50Ms),
          ms(p.latencyP99Ms),
          pct(p.readingsPerS / ceiling),
          verdict(p.readingsPerS >= TARGET_SHARE * ceiling),
        ]),
        ...copies.map((c) => [
          copyLabel(c),
          int(c.rows / opts.batch),
          int(c.rows),
          int(c.rowsPerS),
          int(c.rowsPerS),
          ms(c.chunkP50Ms),
          ms(c.chunkP99Ms),
          pct(c.rowsPerS / ceiling),
          "",
        ]),
        [
          "predecessor (issue: 1 INSERT/reading)",
          "",
          "",
          int(PREDECESSOR_READINGS_PER_S),
          "",
          "",
          "",
          pct(PREDECESSOR_READINGS_PER_S / ceiling),
          "",
        ],
      ],
    ),
  );
  out.push(
    `COPY: median of ${COPY_REPEATS} runs each (${copies
      .map((c) => `${copyLabel(c)}: ${(c.allRowsPerS ?? []).map(int).join(", ")}`)
      .join("; ")} rows/s)`,
  );
  out.push("");
  out.push(
    `service peak RSS${opts.instances > 1 ? " (largest instance)" : ""}: ${mb(rssPeak)} (VmHWM; ${mb(rssAtStart)} when ready; sampled peak ` +
      `${phases.map((p) => `${p.name} ${mb(p.rssPeakBytes)}`).join(", ")}) — target < ${mb(TARGET_RSS_BYTES)}: ` +
      verdict(rssPeak < TARGET_RSS_BYTES),
  );
  out.push("");
  out.push("where the CPU went (share of all cores during the run):");
  out.push(
    table(
      [
        "run",
        "wall s",
        "service",
        "postgres",
        "bench",
        "other",
        "idle",
        "service ms/1k rd",
        "postgres ms/1k rd",
      ],
      [
        ...phases.map((p) => [
          p.name,
          p.wallS.toFixed(1),
          ...cpuCells(p.cpu),
          ms((p.cpu.serverS * 1e6) / p.readings),
          ms((p.cpu.postgresS * 1e6) / p.readings),
        ]),
        ...copies.map((c) => [
          copyLabel(c),
          c.wallS.toFixed(1),
          ...cpuCells(c.cpu),
          "",
          ms((c.cpu.postgresS * 1e6) / c.rows),
        ]),
      ],
    ),
  );
  out.push("");
  out.push("the service's database connections (average number in each state, pg_stat_activity):");
  out.push(
    table(
      ["run", "running", "lock wait", "IO/WAL wait", "other wait", "idle in tx", "idle"],
      phases.map((p) => [
        p.name,
        ...[
          p.connections.running,
          p.connections.lockWait,
          p.connections.ioWait,
          p.connections.otherWait,
          p.connections.idleInTransaction,
          p.connections.idle,
        ].map((n) => n.toFixed(2)),
      ]),
    ),
  );
  out.push(
    `CPU busy with other work in the 2 s before the run: ${pct(backgroundShare)}` +
      (backgroundShare > 0.05 ? " — the machine was not quiet, the figures are low" : ""),
  );
  out.push("");
  for (const p of phases) {
    out.push(
      `${p.name}: ${int(p.messages)} messages, ${int(p.inserted)} readings inserted + ${int(p.duplicates)} duplicates ` +
        `(responses), ${int(p.newRows)} new rows (table); service processing_time mean ${ms(p.serviceProcessingMeanMs)} ms` +
        ` — cross-check ${p.checks.length === 0 ? "ok" : `FAILED: ${p.checks.join("; ")}`}`,
    );
  }
  out.push(
    "readings/s = readings carried by the posted messages (inserted + duplicates) per wall-clock second; " +
      "COPY stores the same readings, one row each.",
  );
  console.log(out.join("\n"));

  if (opts.json) {
    const results = {
      date: new Date().toISOString(),
      code,
      machine: { cores: availableParallelism(), cpu: cpuModel(), node: process.version, postgres: pgVersion },
      options: opts,
      ingest: phases,
      copy: copies,
      ceilingRowsPerS: ceiling,
      predecessorReadingsPerS: PREDECESSOR_READINGS_PER_S,
      backgroundCpuShare: backgroundShare,
      rss: { peakBytes: rssPeak, readyBytes: rssAtStart, targetBytes: TARGET_RSS_BYTES },
      targets: {
        freshShare: fresh.readingsPerS / ceiling,
        halfDuplicatesShare: half.readingsPerS / ceiling,
        share: TARGET_SHARE,
        pass:
          fresh.readingsPerS >= TARGET_SHARE * ceiling &&
          half.readingsPerS >= TARGET_SHARE * ceiling &&
          rssPeak < TARGET_RSS_BYTES,
      },
    };
    writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${opts.json}`);
  }
  return phases.some((p) => p.checks.length > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    if (interrupted) return; // the signal handler cleans up and exits 130
    if (error instanceof UsageError) {
      log(`${error.message}\n\n${HELP}`);
      await cleanup();
      process.exit(2);
    }
    log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanup();
    process.exit(1);
  },
);
