// npm run bench:switch-over -- [--days 365] [--before 20bd003]
//
// Issue 20, item 2, the switch-over: builds the predecessor's database with one meter's filtered year
// (bench/support/predecessor-source.ts, the generator of bench:import), starts the built service on a fresh
// database, and runs `npm run import:predecessor` into that same database while the service runs and a reader
// sends GET /api/cycles (a page of 100 and the summary of the whole year) one after the other. Measures, for the
// code at --before (built from `git archive` in a temporary folder, its own importer too) and for this checkout,
// in the same run and each on its own fresh database: the import's duration, the time from the import's end
// until every queued refresh is done, the reads' latency meanwhile and how many said `refreshing`, the
// service's peak RSS (VmHWM), and whether the stored cycles equal a detection from scratch. Goals of the issue:
// every cycle stored ≤ 60 s after the import's end, no read over 2 s. Prints, does not assert.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openPostgres } from "../src/db/postgres.js";
import { readingsInWindow } from "../src/db/queries/readings-in-window.js";
import { detectCycles } from "../src/domain/cycles/index.js";
import { checkoutOf } from "./analytics/checkout.js";
import { loadAvg1, percentile } from "./analytics/measure.js";
import { intOption, parseOptions } from "./support/args.js";
import { fillPredecessorSource } from "./support/predecessor-source.js";
import { memoryBytes } from "./support/proc.js";
import { buildService, type RunningService, startService } from "./support/service.js";

const HELP = `npm run bench:switch-over -- [options]

  --days D         days of the meter's filtered history (default 365)
  --before REF     git revision measured as "before" (default 20bd003, the start of issue 20); none skips it
  --timeout S      give up waiting for the refreshes after S seconds past the import (default 900)
  --skip-build     use dist/ of both as they are
  --json FILE      also write the results as JSON

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres): the server on which the source database
and one target database per variant (pumpwatch_bench_switch_<random>_…) are created and dropped.`;

const OPTIONS = {
  days: { type: "string", default: "365" },
  before: { type: "string", default: "20bd003" },
  timeout: { type: "string", default: "900" },
  "skip-build": { type: "boolean", default: false },
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const log = (text: string) => process.stderr.write(`${text}\n`);
const START_MS = Date.UTC(2025, 0, 1);
const DEVICE = "shellypro4pm-bench0000000";
const SERVER = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const prefix = `pumpwatch_bench_switch_${randomBytes(4).toString("hex")}`;
const created: string[] = [];

function urlOf(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createDatabase(suffix: string): Promise<string> {
  const name = `${prefix}_${suffix}`;
  await admin(`CREATE DATABASE ${name}`);
  created.push(name);
  return urlOf(name);
}

async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  created.splice(created.indexOf(name), 1);
}

interface Read {
  atS: number;
  ms: number;
  refreshing: boolean;
}

interface VariantResult {
  label: string;
  importS: number;
  importPeakRssMib: number;
  queuedAtImportEnd: number;
  /** from the import's end until the queue is empty; NaN when --timeout passed first */
  settleS: number;
  readsDuring: number;
  readsP50Ms: number;
  readsP95Ms: number;
  readsMaxMs: number;
  readsRefreshing: number;
  /** p50 of five reads once every cycle is stored */
  readsAfterP50Ms: number;
  /** reads answered after the import's end that did not say `refreshing` although windows were queued */
  readsSilentWhilePending: number;
  servicePeakRssMib: number;
  cycles: number;
  equalsFullDetection: boolean;
  loadAvgStart: number;
  loadAvg: number;
}

let running: RunningService | null = null;
process.on("exit", () => running?.kill());

/** `npm run import:predecessor` of `root` as the operator runs it, in its own node process. */
function runImport(root: string, sourceUrl: string, targetUrl: string) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "scripts/import-predecessor.ts"), "--from", sourceUrl],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: targetUrl, LOG_LEVEL: "warn", APP_TIMEZONE: "UTC" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let peak = 0;
  const timer = setInterval(() => {
    const hwm = memoryBytes(child.pid as number, "VmHWM");
    if (hwm !== null && hwm > peak) peak = hwm;
  }, 100);
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const done = new Promise<{ peakRss: number }>((resolveDone, reject) => {
    child.on("exit", (code) => {
      clearInterval(timer);
      if (code === 0) resolveDone({ peakRss: peak });
      else reject(new Error(`the import exited with ${code}: ${stderr}`));
    });
  });
  return { child, done };
}

async function measure(
  label: string,
  root: string,
  sourceUrl: string,
  timeoutS: number,
  fromDate: string,
  toDate: string,
  nowMinute: number,
): Promise<VariantResult> {
  const url = await createDatabase(label.startsWith("before") ? "before" : "after");
  try {
    const service = await startService({
      root,
      databaseUrl: url,
      env: { PUBLIC_DASHBOARD: "true", APP_TIMEZONE: "UTC" },
    });
    running = service;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const queued = async () =>
      Number((await db.query("SELECT count(*) AS n FROM cycle_refresh_queue")).rows[0]?.n ?? 0);
    try {
      const loadAvgStart = loadAvg1();
      const t0 = performance.now();
      const elapsedS = () => (performance.now() - t0) / 1000;
      const importer = runImport(root, sourceUrl, url);
      const reads: Read[] = [];
      let reading = true;
      let importEndS = Number.POSITIVE_INFINITY;
      let silentWhilePending = 0;
      const reader = (async () => {
        // the device exists once the importer's first batch is stored
        while (reading) {
          const { rowCount } = await db.query("SELECT 1 FROM devices WHERE device_id = $1", [DEVICE]);
          if (rowCount) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const query = `device_id=${DEVICE}&from=${fromDate}&to=${toDate}&limit=100`;
        while (reading) {
          const start = performance.now();
          const response = await fetch(`${service.baseUrl}/api/cycles?${query}`);
          const body = (await response.json()) as { refreshing?: boolean };
          if (response.status !== 200) throw new Error(`GET /api/cycles: ${response.status}`);
          const read = {
            atS: elapsedS(),
            ms: performance.now() - start,
            refreshing: body.refreshing === true,
          };
          reads.push(read);
          // a read that started after the import ended, while windows were still queued once it answered
          if (!read.refreshing && start / 1000 - t0 / 1000 > importEndS && reading && (await queued()) > 0)
            silentWhilePending++;
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const { peakRss: importPeak } = await importer.done;
      importEndS = elapsedS();
      const queuedAtImportEnd = await queued();
      log(
        `${label}: import done in ${importEndS.toFixed(1)} s, ${queuedAtImportEnd} refresh windows queued, ${reads.length} reads so far`,
      );
      let lastLog = importEndS;
      let settleS = Number.NaN;
      for (;;) {
        const n = await queued();
        if (n === 0) {
          settleS = elapsedS() - importEndS;
          break;
        }
        if (elapsedS() - importEndS > timeoutS) break;
        if (elapsedS() - lastLog > 30) {
          lastLog = elapsedS();
          log(`${label}: ${n} windows still queued ${(lastLog - importEndS).toFixed(0)} s after the import`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const settledAtS = importEndS + (Number.isNaN(settleS) ? timeoutS : settleS);
      // the same read once every cycle is stored: what a read costs without a backlog, on the same machine
      while (reads.filter((r) => r.atS > settledAtS).length < 5) await new Promise((r) => setTimeout(r, 100));
      reading = false;
      await reader;
      log(`${label}: every refresh done ${settleS.toFixed(1)} s after the import's end`);
      const servicePeak = service.peakRss() ?? 0;

      // the stored cycles against a detection from scratch
      const check = openPostgres({ connectionString: url, maxConnections: 1 });
      let equal = true;
      let cycles = 0;
      try {
        for (const channel of [0, 1, 2, 3]) {
          const samples = await readingsInWindow(check, { deviceId: DEVICE, channel }, 0, nowMinute + 1);
          const expected = detectCycles(samples, {}, nowMinute).map(
            (c) => `${c.startMinute}/${c.lastActiveMinute}/${c.ongoing}/${c.noise}/${c.samples}`,
          );
          const { rows } = await check.query<{ k: string }>(
            `SELECT (date_part('epoch', start_ts) / 60)::int8 || '/' || (date_part('epoch', last_active_ts) / 60)::int8
                    || '/' || ongoing || '/' || noise || '/' || samples AS k
             FROM cycles WHERE device_id = $1 AND channel = $2 ORDER BY start_ts`,
            [DEVICE, channel],
          );
          cycles += rows.length;
          if (JSON.stringify(rows.map((r) => r.k)) !== JSON.stringify(expected)) equal = false;
        }
      } finally {
        await check.close();
      }
      const during = reads.filter((r) => r.atS <= settledAtS).map((r) => r.ms);
      return {
        label,
        importS: importEndS,
        importPeakRssMib: Math.round(importPeak / 2 ** 20),
        queuedAtImportEnd,
        settleS,
        readsDuring: during.length,
        readsP50Ms: percentile(during, 0.5),
        readsP95Ms: percentile(during, 0.95),
        readsMaxMs: during.length ? Math.max(...during) : Number.NaN,
        readsAfterP50Ms: percentile(
          reads.filter((r) => r.atS > settledAtS).map((r) => r.ms),
          0.5,
        ),
        readsRefreshing: reads.filter((r) => r.atS <= settledAtS && r.refreshing).length,
        readsSilentWhilePending: silentWhilePending,
        servicePeakRssMib: Math.round(servicePeak / 2 ** 20),
        cycles,
        equalsFullDetection: equal,
        loadAvgStart,
        loadAvg: loadAvg1(),
      };
    } finally {
      await db.end();
      await service.stop();
      running = null;
    }
  } finally {
    await dropDatabase(url);
  }
}

async function main(): Promise<number> {
  const o = parseOptions(OPTIONS, HELP);
  const days = intOption("days", o.days, 1, 3650);
  const timeoutS = intOption("timeout", o.timeout, 1, 86_400);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const before = o.before === "none" ? null : checkoutOf(root, o.before);
  if (!o["skip-build"]) {
    if (before) buildService(before);
    buildService(root);
  }
  const sourceUrl = await createDatabase("source");
  const started = performance.now();
  const source = await fillPredecessorSource(sourceUrl, {
    meters: 1,
    days,
    filtered: true,
    startMs: START_MS,
  });
  log(
    `source: 1 meter, ${days} days filtered > 10 W, ${source.rows.toLocaleString("en")} rows, built in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const fromDate = new Date(START_MS).toISOString().slice(0, 10);
  const toDate = new Date(START_MS + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const nowMinute = Math.floor(Date.now() / 60_000) + 60;

  const results: VariantResult[] = [];
  if (before)
    results.push(
      await measure(`before (${o.before})`, before, sourceUrl, timeoutS, fromDate, toDate, nowMinute),
    );
  results.push(
    await measure("after (this checkout)", root, sourceUrl, timeoutS, fromDate, toDate, nowMinute),
  );

  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 100 ? 1 : 0) : "–");
  console.log(
    `\nswitch-over of ${source.rows.toLocaleString("en")} predecessor rows (1 meter, ${days} days, filtered); load average (1 min) at the start → end of each variant\n`,
  );
  console.log(
    "| variant | import s | windows queued at its end | all cycles stored after the import, s | reads | p50 ms | p95 ms | max ms | of them `refreshing` | p50 ms once settled | silent while pending | service peak RSS | import peak RSS | cycles | = full detection | load |",
  );
  console.log("|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:--:|--:|");
  for (const r of results) {
    console.log(
      `| ${r.label} | ${f(r.importS)} | ${r.queuedAtImportEnd} | ${f(r.settleS)} | ${r.readsDuring} | ${f(r.readsP50Ms)} | ${f(r.readsP95Ms)} | ${f(r.readsMaxMs)} | ${r.readsRefreshing} | ${f(r.readsAfterP50Ms)} | ${r.readsSilentWhilePending} | ${r.servicePeakRssMib} MiB | ${r.importPeakRssMib} MiB | ${r.cycles} | ${r.equalsFullDetection ? "yes" : "NO"} | ${r.loadAvgStart.toFixed(1)} → ${r.loadAvg.toFixed(1)} |`,
    );
  }
  if (o.json) writeFileSync(o.json, JSON.stringify({ days, rows: source.rows, results }, null, 2));
  return 0;
}

main()
  .catch((error: unknown) => {
    running?.kill();
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  })
  .then(async (code) => {
    for (const name of [...created])
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    process.exit(code);
  });
