// npm run bench:import [-- --meters 10 --days 365 --json results.json]
//
// Builds the predecessor's database on the PostgreSQL server (its schema, predecessor-spec §1), fills
// power_logs by COPY with `--meters` Shelly Pro 4PM over `--days` days, one row per channel and minute in
// arrival order (unfiltered: every minute, idle ones included; filtered: only rows above 10 W, as the old
// Worker forwarded them), then runs `npm run import:predecessor` as a child process into a fresh migrated
// database and measures rows read per second and the child's peak RSS (VmHWM, sampled from /proc). Baseline,
// in the same run: a plain COPY of the same rows from the source into a table of the same shape on the
// target server. Three sources: unfiltered over a quarter of --days and over --days (two sizes: memory must
// not grow with the source), and filtered over --days. Prints, does not assert; exit 1 on an error or when
// the import's report does not account for every source row.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { openAndMigrate } from "../src/db/open.js";
import { intOption, parseOptions, UsageError } from "./support/args.js";
import { fillPredecessorSource } from "./support/predecessor-source.js";
import { cpuModel, memoryBytes } from "./support/proc.js";

const HELP = `npm run bench:import -- [options]

  --meters N     Shelly Pro 4PM meters (default 10)
  --days D       days of history of the large sources (default 365: 10 meters ≈ 21 M unfiltered rows)
  --small-days D days of the small unfiltered source, for the memory comparison (default: --days / 4)
  --batch-rows N rows per batch of the import (default: the importer's, 5000)
  --json FILE    also write the results as JSON

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is the server on which the source and
target databases (bench_import_<random>_…) are created, and dropped at the end.`;

const OPTIONS = {
  meters: { type: "string", default: "10" },
  days: { type: "string", default: "365" },
  "small-days": { type: "string" },
  "batch-rows": { type: "string" },
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const SERVER = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const START_MS = Date.UTC(2025, 0, 1);

let opts: { meters: number; days: number; smallDays: number; batchRows: number | null; json?: string };
try {
  const v = parseOptions(OPTIONS, HELP);
  const days = intOption("days", v.days, 1, 3660);
  opts = {
    meters: intOption("meters", v.meters, 1, 1000),
    days,
    smallDays: v["small-days"]
      ? intOption("small-days", v["small-days"], 1, 3660)
      : Math.max(1, Math.round(days / 4)),
    batchRows: v["batch-rows"] ? intOption("batch-rows", v["batch-rows"], 1, 100_000) : null,
    ...(v.json ? { json: v.json } : {}),
  };
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${HELP}`);
    process.exit(2);
  }
  throw error;
}

const log = (text: string) => process.stderr.write(`${text}\n`);
const prefix = `bench_import_${randomBytes(4).toString("hex")}`;
const created: string[] = [];

function urlOf(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function createDatabase(suffix: string): Promise<string> {
  const name = `${prefix}_${suffix}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  created.push(name);
  return urlOf(name);
}

async function dropAll(): Promise<void> {
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

async function buildSource(name: string, days: number, filtered: boolean) {
  const url = await createDatabase(name);
  const started = performance.now();
  const { rows, bytes } = await fillPredecessorSource(url, {
    meters: opts.meters,
    days,
    filtered,
    startMs: START_MS,
  });
  log(
    `source ${name}: ${rows.toLocaleString("en")} rows, ${(bytes / 2 ** 20).toFixed(0)} MiB, built in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  return { url, rows, bytes };
}

/** The ceiling: the same rows, COPY out of the source and COPY into a bare table of the same shape. */
async function baselineCopy(
  sourceUrl: string,
  targetUrl: string,
): Promise<{ seconds: number; rows: number }> {
  const from = new pg.Client({ connectionString: sourceUrl });
  const into = new pg.Client({ connectionString: targetUrl });
  await from.connect();
  await into.connect();
  await into.query(
    `CREATE TABLE IF NOT EXISTS baseline_power_logs (
       "timestamp" TIMESTAMPTZ NOT NULL, device_id VARCHAR(100) NOT NULL, channel VARCHAR(20) NOT NULL,
       apower_w DOUBLE PRECISION, voltage_v DOUBLE PRECISION, current_a DOUBLE PRECISION,
       energy_total_wh DOUBLE PRECISION, idempotency_key TEXT)`,
  );
  await into.query("TRUNCATE baseline_power_logs");
  const started = performance.now();
  await pipeline(
    from.query(
      copyTo(
        `COPY (SELECT "timestamp", device_id, channel, apower_w, voltage_v, current_a, energy_total_wh, idempotency_key
               FROM power_logs) TO STDOUT`,
      ),
    ),
    into.query(copyFrom("COPY baseline_power_logs FROM STDIN")),
  );
  const seconds = (performance.now() - started) / 1000;
  const rows = Number((await into.query("SELECT count(*) AS n FROM baseline_power_logs")).rows[0].n);
  await into.query("DROP TABLE baseline_power_logs");
  await from.end();
  await into.end();
  return { seconds, rows };
}

interface ImportRun {
  seconds: number;
  peakRssBytes: number;
  report: { readings: { read: number; stored: number; duplicates: number; merged_in_minute: number } };
  readingsInTarget: number;
}

/** `npm run import:predecessor` as the operator runs it, in its own node process (the one /proc is read for). */
async function runImport(sourceUrl: string, targetUrl: string): Promise<ImportRun> {
  const reportFile = join(tmpdir(), `${prefix}-report-${randomBytes(3).toString("hex")}.json`);
  const args = ["--import", "tsx", join(ROOT, "scripts/import-predecessor.ts"), "--from", sourceUrl];
  args.push("--report", reportFile);
  if (opts.batchRows !== null) args.push("--batch-rows", String(opts.batchRows));
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: targetUrl, LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let peak = 0;
  const sample = () => {
    const hwm = memoryBytes(child.pid as number, "VmHWM");
    if (hwm !== null && hwm > peak) peak = hwm;
  };
  const timer = setInterval(sample, 100);
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const code = await new Promise<number | null>((done) => {
    child.on("exit", (c) => done(c));
  });
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`the import exited with ${code}: ${stderr}`);
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as ImportRun["report"];
  rmSync(reportFile, { force: true });
  const target = new pg.Client({ connectionString: targetUrl });
  await target.connect();
  const readingsInTarget = Number((await target.query("SELECT count(*) AS n FROM readings")).rows[0].n);
  await target.end();
  return { seconds, peakRssBytes: peak, report, readingsInTarget };
}

async function migratedTarget(name: string): Promise<string> {
  const url = await createDatabase(name);
  const { db } = await openAndMigrate({ databaseUrl: url, dataDir: "" });
  await db.close();
  return url;
}

const results: Record<string, unknown>[] = [];
let failed = false;
const stop = async () => {
  await dropAll().catch(() => {});
  process.exit(130);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

try {
  log(
    `bench:import: ${opts.meters} meters, ${opts.smallDays} and ${opts.days} days; ${cpuModel()}; node ${process.version}`,
  );
  const cases: { label: string; days: number; filtered: boolean }[] = [
    { label: `unfiltered, ${opts.smallDays} d`, days: opts.smallDays, filtered: false },
    { label: `unfiltered, ${opts.days} d`, days: opts.days, filtered: false },
    { label: `filtered > 10 W, ${opts.days} d`, days: opts.days, filtered: true },
  ];
  for (const [i, c] of cases.entries()) {
    const source = await buildSource(`src${i}`, c.days, c.filtered);
    const target = await migratedTarget(`dst${i}`);
    const copy = await baselineCopy(source.url, target);
    log(`  COPY baseline: ${copy.rows.toLocaleString("en")} rows in ${copy.seconds.toFixed(1)} s`);
    const run = await runImport(source.url, target);
    const r = run.report.readings;
    const accounted = r.read === source.rows && r.stored + r.duplicates + r.merged_in_minute === r.read;
    if (!accounted || run.readingsInTarget !== r.stored) failed = true;
    const row = {
      case: c.label,
      source_rows: source.rows,
      source_mib: Math.round(source.bytes / 2 ** 20),
      import_s: Number(run.seconds.toFixed(1)),
      import_rows_per_s: Math.round(source.rows / run.seconds),
      copy_s: Number(copy.seconds.toFixed(1)),
      copy_rows_per_s: Math.round(copy.rows / copy.seconds),
      import_vs_copy: Number((copy.seconds / run.seconds).toFixed(3)),
      peak_rss_mib: Math.round(run.peakRssBytes / 2 ** 20),
      readings_stored: r.stored,
      readings_in_target: run.readingsInTarget,
      accounted,
    };
    results.push(row);
    log(`  import: ${JSON.stringify(row)}`);
    // each case's databases go as soon as they are measured: the disk holds one case at a time
    const admin = new pg.Client({ connectionString: SERVER });
    await admin.connect();
    for (const name of created.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  console.log(
    "| source | rows | import s | import rows/s | COPY s | COPY rows/s | import ÷ COPY speed | import peak RSS |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    console.log(
      `| ${r.case} | ${(r.source_rows as number).toLocaleString("en")} | ${r.import_s} | ${(r.import_rows_per_s as number).toLocaleString("en")} | ${r.copy_s} | ${(r.copy_rows_per_s as number).toLocaleString("en")} | ${((r.import_vs_copy as number) * 100).toFixed(1)} % | ${r.peak_rss_mib} MiB |`,
    );
  }
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ options: opts, results }, null, 2)}\n`);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await dropAll().catch(() => {});
}
process.exit(failed ? 1 : 0);
