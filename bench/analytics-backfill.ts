// npm run bench:analytics:backfill -- [--days 365] [--batches 351] [--before main]
//
// Issue 10, item 4: "backfills must not stall reads". Posts the running minutes of one simulated meter
// (what a filtered history holds: the complete minute frames of the minutes a pump ran) over --days days in
// --batches batches to the built service, as an import or a Worker catching up does, while a reader sends
// GET /api/cycles (a page of 100 and the summary of the whole period) one after the other. Measures, for the
// code at --before (default: main, built from `git archive` in a temporary folder) and for this checkout, in
// the same run and each on its own fresh database: the time until every queued refresh is done (all cycles
// stored), and the latency of the reads meanwhile. Then checks that the stored cycles equal a detection from
// scratch. Prints, does not assert.
import { writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { SimMessage } from "../simulator/index.js";
import { openPostgres } from "../src/db/postgres.js";
import { readingsInWindow } from "../src/db/queries/readings-in-window.js";
import { detectCycles } from "../src/domain/cycles/index.js";
import { checkoutOf } from "./analytics/checkout.js";
import { loadAvg1, percentile } from "./analytics/measure.js";
import { intOption, parseOptions } from "./support/args.js";
import { buildService, type RunningService, startService } from "./support/service.js";
import { withThrowawayDatabase } from "./support/throwaway-database.js";
import { meterYearMessages } from "./support/workload.js";

const HELP = `npm run bench:analytics:backfill -- [options]

  --days D        days of one meter's running minutes (default 365)
  --batches N     POST /api/ingest/batch requests they are sent in (default 351)
  --before REF    git revision measured as "before" (default main); --before none skips it
  --skip-build    use dist/ of both as they are
  --json FILE     also write the results as JSON

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres): the server on which two databases
pumpwatch_bench_backfill_<random> are created and dropped.`;

const OPTIONS = {
  days: { type: "string", default: "365" },
  batches: { type: "string", default: "351" },
  before: { type: "string", default: "main" },
  "skip-build": { type: "boolean", default: false },
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const log = (text: string) => process.stderr.write(`${text}\n`);
const API_KEY = "bench-backfill-key-0123456789";

interface Read {
  atS: number;
  ms: number;
  refreshing: boolean;
}

interface VariantResult {
  label: string;
  root: string;
  postS: number;
  queuedAfterPost: number;
  drainedS: number;
  reads: Read[];
  readsDuringP50Ms: number;
  readsDuringP95Ms: number;
  readsDuringMaxMs: number;
  readsRefreshing: number;
  cycles: number;
  equalsFullDetection: boolean;
  loadAvg: number;
}

let running: RunningService | null = null;
process.on("exit", () => running?.kill());

async function measure(
  label: string,
  root: string,
  server: string,
  messages: SimMessage[],
  batches: number,
  fromDate: string,
  toDate: string,
  nowMinute: number,
): Promise<VariantResult> {
  return withThrowawayDatabase(server, "pumpwatch_bench_backfill", async (url) => {
    const service = await startService({
      root,
      databaseUrl: url,
      apiKey: API_KEY,
      env: { PUBLIC_DASHBOARD: "true", APP_TIMEZONE: "UTC" },
    });
    running = service;
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const queued = async () =>
      Number((await db.query("SELECT count(*) AS n FROM cycle_refresh_queue")).rows[0]?.n ?? 0);
    try {
      const deviceId = messages[0]?.src ?? "";
      const t0 = performance.now();
      const elapsedS = () => (performance.now() - t0) / 1000;
      const reads: Read[] = [];
      let readingUntilDrained = true;
      // the first read is sent once the first batch is stored (the device exists)
      let firstPosted: () => void = () => {};
      const posted = new Promise<void>((r) => {
        firstPosted = r;
      });
      const reader = (async () => {
        await posted;
        const query = `device_id=${deviceId}&from=${fromDate}&to=${toDate}&limit=100`;
        while (readingUntilDrained) {
          const start = performance.now();
          const response = await fetch(`${service.baseUrl}/api/cycles?${query}`);
          const body = (await response.json()) as { refreshing?: boolean };
          if (response.status !== 200) throw new Error(`GET /api/cycles: ${response.status}`);
          reads.push({
            atS: elapsedS(),
            ms: performance.now() - start,
            refreshing: body.refreshing === true,
          });
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const size = Math.ceil(messages.length / batches);
      for (let i = 0; i < messages.length; i += size) {
        const response = await fetch(`${service.baseUrl}/api/ingest/batch`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": API_KEY },
          body: JSON.stringify({ messages: messages.slice(i, i + size) }),
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`POST batch: HTTP ${response.status}`);
        if (i === 0) firstPosted();
      }
      const postS = elapsedS();
      const queuedAfterPost = await queued();
      log(
        `${label}: ${messages.length} messages posted in ${postS.toFixed(1)} s; ${queuedAfterPost} refresh windows queued`,
      );
      let lastLog = 0;
      for (;;) {
        const n = await queued();
        if (n === 0) break;
        if (elapsedS() - lastLog > 30) {
          lastLog = elapsedS();
          log(
            `${label}: ${n} windows still queued at ${lastLog.toFixed(0)} s, ${reads.length} reads answered`,
          );
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      const drainedS = elapsedS();
      readingUntilDrained = false;
      await reader;
      log(`${label}: every refresh done after ${drainedS.toFixed(1)} s`);

      // the stored cycles against a detection from scratch
      const check = openPostgres({ connectionString: url, maxConnections: 1 });
      let equal = true;
      let cycles = 0;
      try {
        for (const channel of [0, 1, 2, 3]) {
          const ref = { deviceId, channel };
          const samples = await readingsInWindow(check, ref, 0, nowMinute + 1);
          const expected = detectCycles(samples, {}, nowMinute).map(
            (c) => `${c.startMinute}/${c.lastActiveMinute}/${c.ongoing}/${c.noise}/${c.samples}`,
          );
          const { rows } = await check.query<{ k: string }>(
            `SELECT (date_part('epoch', start_ts) / 60)::int8 || '/' || (date_part('epoch', last_active_ts) / 60)::int8
                    || '/' || ongoing || '/' || noise || '/' || samples AS k
             FROM cycles WHERE device_id = $1 AND channel = $2 ORDER BY start_ts`,
            [deviceId, channel],
          );
          const stored = rows.map((r) => r.k);
          cycles += stored.length;
          if (JSON.stringify(stored) !== JSON.stringify(expected)) equal = false;
        }
      } finally {
        await check.close();
      }
      const during = reads.filter((r) => r.atS <= drainedS).map((r) => r.ms);
      return {
        label,
        root,
        postS,
        queuedAfterPost,
        drainedS,
        reads,
        readsDuringP50Ms: percentile(during, 0.5),
        readsDuringP95Ms: percentile(during, 0.95),
        readsDuringMaxMs: during.length ? Math.max(...during) : Number.NaN,
        readsRefreshing: reads.filter((r) => r.refreshing).length,
        cycles,
        equalsFullDetection: equal,
        loadAvg: loadAvg1(),
      };
    } finally {
      await db.end();
      await service.stop();
      running = null;
    }
  });
}

async function main(): Promise<number> {
  const o = parseOptions(OPTIONS, HELP);
  const days = intOption("days", o.days, 1, 3650);
  const batches = intOption("batches", o.batches, 1, 100_000);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const server = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const before = o.before === "none" ? null : checkoutOf(root, o.before);
  if (!o["skip-build"]) {
    if (before) buildService(before);
    buildService(root);
  }
  const endS = Math.floor(Date.now() / 60_000) * 60 - 3600;
  const messages = meterYearMessages(days, endS);
  const fromDate = new Date((endS - days * 86_400) * 1000).toISOString().slice(0, 10);
  const toDate = new Date(endS * 1000).toISOString().slice(0, 10);
  const nowMinute = Math.floor(Date.now() / 60_000) + 60; // the check runs a little later than the service
  log(`${messages.length} running-minute messages over ${days} days, in ${batches} batches`);

  const results: VariantResult[] = [];
  if (before)
    results.push(
      await measure(`before (${o.before})`, before, server, messages, batches, fromDate, toDate, nowMinute),
    );
  results.push(
    await measure("after (this checkout)", root, server, messages, batches, fromDate, toDate, nowMinute),
  );

  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 100 ? 1 : 0) : "–");
  console.log(
    `\n${messages.length} messages, ${days} days, ${batches} batches; load average at the end per variant\n`,
  );
  console.log(
    "| variant | posting s | windows queued | all cycles stored after s | reads during | p50 ms | p95 ms | max ms | answered `refreshing` | cycles | = full detection | load |",
  );
  console.log("|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|:--:|--:|");
  for (const r of results) {
    const during = r.reads.filter((x) => x.atS <= r.drainedS).length;
    console.log(
      `| ${r.label} | ${f(r.postS)} | ${r.queuedAfterPost} | ${f(r.drainedS)} | ${during} | ${f(r.readsDuringP50Ms)} | ${f(r.readsDuringP95Ms)} | ${f(r.readsDuringMaxMs)} | ${r.readsRefreshing} | ${r.cycles} | ${r.equalsFullDetection ? "yes" : "NO"} | ${r.loadAvg.toFixed(1)} |`,
    );
  }
  if (o.json)
    writeFileSync(o.json, JSON.stringify({ days, batches, messages: messages.length, results }, null, 2));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    running?.kill();
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
