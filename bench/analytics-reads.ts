// npm run bench:analytics:reads -- [--days 365] [--devices 1] [--before main]
//
// Issue 8 ("Speed"): the read endpoints on a year of one device, the code at --before and this checkout in the
// same run, on the same data. Loads the simulated readings into a throw-away database migrated with the
// migrations of --before, starts the --before service and lets its upkeep build the cycles, then starts this
// checkout's service on the same database too (its new migrations apply; 0009 queues every channel once so
// the hourly sums get written) and waits for its upkeep; times each request on both, alternating, and checks
// that both answered the same thing. Prints, does not assert.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { simulateFleet } from "../simulator/index.js";
import { loadMigrations, migrate } from "../src/db/migrate.js";
import { openPostgres } from "../src/db/postgres.js";
import { checkoutOf } from "./analytics/checkout.js";
import { configureChannels, insertDevices } from "./analytics/fleet.js";
import { type HttpTiming, loadAvg1, stats, timeHttp } from "./analytics/measure.js";
import { copyReadings } from "./analytics/readings.js";
import { intOption, parseOptions } from "./support/args.js";
import { buildService, type RunningService, startService } from "./support/service.js";

const HELP = `npm run bench:analytics:reads -- [options]

  --devices N     simulated devices (default 1)
  --days D        days of per-minute history, ending now (default 365)
  --runs N        measured requests per figure, sequential (default 30)
  --before REF    git revision measured as "before" (default main)
  --timezone TZ   APP_TIMEZONE of both services (default Europe/Paris)
  --skip-build    use dist/ of both as they are
  --json FILE     also write the results as JSON

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres): the server on which a database
pumpwatch_bench_reads_<random> is created and dropped.`;

const OPTIONS = {
  devices: { type: "string", default: "1" },
  days: { type: "string", default: "365" },
  runs: { type: "string", default: "30" },
  before: { type: "string", default: "main" },
  timezone: { type: "string", default: "Europe/Paris" },
  "skip-build": { type: "boolean", default: false },
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const log = (text: string) => process.stderr.write(`${text}\n`);

async function waitForUpkeep(db: pg.Client, label: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const { rows } = await db.query("SELECT count(*)::int AS n FROM cycle_refresh_queue");
    if (rows[0]?.n === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const s = (performance.now() - t0) / 1000;
  log(`${label}: upkeep done after ${s.toFixed(1)} s`);
  return s;
}

/** The answer without what only one of the two versions sends. */
function comparable(body: unknown): string {
  return JSON.stringify(body, (key, value) =>
    key === "active_min" || key === "refreshing" || key === "pending_since" ? undefined : value,
  );
}

async function main(): Promise<number> {
  const o = parseOptions(OPTIONS, HELP);
  const devices = intOption("devices", o.devices, 1, 100);
  const days = intOption("days", o.days, 2, 3650);
  const runs = intOption("runs", o.runs, 1, 10_000);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const before = checkoutOf(root, o.before);
  if (!o["skip-build"]) {
    buildService(before);
    buildService(root);
  }
  const server = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `pumpwatch_bench_reads_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const db = openPostgres({ connectionString: dbUrl, maxConnections: 2 });
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await migrate(db, await loadMigrations(join(before, "migrations")));
    const nowS = Math.floor(Date.now() / 1000);
    const endS = Math.floor(nowS / 60) * 60;
    const startS = endS - days * 86_400;
    const sim = simulateFleet({ seed: 1, devices, days, start: startS });
    log(`loading ${devices} device(s) × ${days} days…`);
    const rows = await copyReadings(client, sim, { nowS, chunkRows: 20_000, segmentRows: 500_000 });
    await insertDevices(db, sim.devices, sim.startS, sim.endS);
    await configureChannels(db, sim.devices, sim.startS, sim.endS, o.timezone);
    await client.query("VACUUM ANALYZE");
    log(`${rows} readings loaded`);

    const device = sim.devices[0]?.id ?? "";
    const date = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
    const lastDay = date(endS - 86_400);
    const figures = [
      {
        id: "cycles-year-100",
        label: "cycles + summary, 1 channel, 365 d, limit=100",
        path: `/api/cycles?device_id=${device}&channel=0&from=${date(startS + 86_400)}&to=${lastDay}&limit=100`,
      },
      {
        id: "cycles-year-1000",
        label: "cycles + summary, 1 channel, 365 d, limit=1000",
        path: `/api/cycles?device_id=${device}&channel=0&from=${date(startS + 86_400)}&to=${lastDay}&limit=1000`,
      },
      {
        id: "series-24h",
        label: "series, 1 device (4 ch), 24 h",
        path: `/api/series?device_id=${device}&period=24h&end=${lastDay}`,
      },
      {
        id: "series-7d",
        label: "series, 1 device (4 ch), 7 d",
        path: `/api/series?device_id=${device}&period=7d&end=${lastDay}`,
      },
      {
        id: "series-30d",
        label: "series, 1 device (4 ch), 30 d",
        path: `/api/series?device_id=${device}&period=30d&end=${lastDay}`,
      },
      {
        id: "series-30d-now",
        label: "series, 1 device (4 ch), 30 d up to now",
        path: `/api/series?device_id=${device}&period=30d`,
      },
    ];

    // Both services run at once on the database, and the requests alternate between them, so that the
    // shared machine's load weighs on both alike. The "before" service is started first: its migration runner
    // would refuse the database once this checkout's migrations are applied.
    const variants = [
      { variant: `before (${o.before})`, dir: before },
      { variant: "after (this checkout)", dir: root },
    ];
    const services: RunningService[] = [];
    const upkeep: number[] = [];
    process.on("exit", () => {
      for (const s of services) s.kill();
    });
    for (const v of variants) {
      // The "before" upkeep must not take the re-queued history from the new one (it would not write the
      // hourly sums): it is paused while the new service migrates and works through the queue.
      const earlier = services.at(-1);
      if (earlier) process.kill(earlier.pid, "SIGSTOP");
      const service = await startService({
        root: v.dir,
        databaseUrl: dbUrl,
        env: { PUBLIC_DASHBOARD: "true", APP_TIMEZONE: o.timezone },
        readyTimeoutMs: 300_000,
      });
      services.push(service);
      upkeep.push(await waitForUpkeep(client, v.variant));
      if (earlier) process.kill(earlier.pid, "SIGCONT");
    }
    await client.query("VACUUM ANALYZE");
    const results: { variant: string; upkeepS: number; load: number; timings: Record<string, HttpTiming> }[] =
      variants.map((v, i) => ({
        variant: v.variant,
        upkeepS: upkeep[i] ?? Number.NaN,
        load: 0,
        timings: {},
      }));
    try {
      for (const f of figures) {
        const samples: number[][] = variants.map(() => []);
        const bodies: unknown[] = variants.map(() => null);
        for (let run = -3; run < runs; run++) {
          for (const [i, service] of services.entries()) {
            const t = await timeHttp(`${service.baseUrl}${f.path}`, 0, 1);
            if (run >= 0) samples[i]?.push(t.samplesMs[0] ?? Number.NaN);
            bodies[i] = t.body;
          }
        }
        for (const [i, r] of results.entries()) {
          const timing = {
            stats: stats(samples[i] ?? []),
            samplesMs: samples[i] ?? [],
            bytes: 0,
            body: bodies[i],
          };
          r.timings[f.id] = timing;
          log(
            `${r.variant} ${f.label}: p50 ${timing.stats.p50Ms.toFixed(1)} p95 ${timing.stats.p95Ms.toFixed(1)} ms`,
          );
        }
      }
      for (const r of results) r.load = loadAvg1();
    } finally {
      for (const s of services) await s.stop();
    }

    const [b, a] = results;
    for (const fig of figures) {
      const x = JSON.parse(comparable(b?.timings[fig.id]?.body)) as {
        series?: { power_w: number[]; current_a: number[]; t: string[] }[];
      };
      const y = JSON.parse(comparable(a?.timings[fig.id]?.body)) as typeof x;
      for (const [i, sx] of (x.series ?? []).entries()) {
        const sy = y.series?.[i];
        for (let k = 0; k < sx.t.length; k++) {
          if (sx.power_w[k] !== sy?.power_w[k] || sx.current_a[k] !== sy?.current_a[k]) {
            log(
              `${fig.id} channel ${i} ${sx.t[k]}: before ${sx.power_w[k]} W ${sx.current_a[k]} A, after ${sy?.power_w[k]} W ${sy?.current_a[k]} A`,
            );
          }
        }
      }
    }
    console.log(
      `\n${rows} readings (${devices} device(s) × ${days} days), ${runs} sequential runs per figure\n`,
    );
    console.log("| figure | before p50 / p95 ms | after p50 / p95 / max ms | same answer |");
    console.log("|:--|--:|--:|:--:|");
    const f = (n: number | undefined) =>
      n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(n < 100 ? 1 : 0);
    for (const fig of figures) {
      const tb = b?.timings[fig.id];
      const ta = a?.timings[fig.id];
      const same = fig.id.endsWith("-now")
        ? "(moving window)"
        : comparable(tb?.body) === comparable(ta?.body)
          ? "yes"
          : "NO";
      console.log(
        `| ${fig.label} | ${f(tb?.stats.p50Ms)} / ${f(tb?.stats.p95Ms)} | ${f(ta?.stats.p50Ms)} / ${f(ta?.stats.p95Ms)} / ${f(ta?.stats.maxMs)} | ${same} |`,
      );
    }
    console.log(
      `\nupkeep after start: before ${f(b?.upkeepS)} s, after ${f(a?.upkeepS)} s (0009 re-queues every channel); load average ${f(b?.load)} / ${f(a?.load)}`,
    );
    if (o.json) {
      writeFileSync(
        o.json,
        JSON.stringify(
          results.map((r) => ({
            ...r,
            timings: Object.fromEntries(Object.entries(r.timings).map(([k, v]) => [k, v.stats])),
          })),
          null,
          2,
        ),
      );
    }
    return 0;
  } finally {
    await client.end().catch(() => {});
    await db.close().catch(() => {});
    const drop = new pg.Client({ connectionString: server });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await drop.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
