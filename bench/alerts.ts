// npm run bench:alerts [-- --devices 250 --history-days 365 --reading-days 2 --rounds 10]
//
// Times the alert evaluator on PostgreSQL: 1 000 channels (250 Shelly Pro 4PM) with a year of stored cycles
// each and the last days of per-minute readings, generated inside the server (generate_series) into a
// throw-away database. Prints the time per evaluation round (what the 1-minute timer and each cycle
// refresh run), the statements per round, and the backtest of one channel over 30 days. Prints, does not
// assert. DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type EvaluatorCache, evaluateRound } from "../src/alerts/evaluate.js";
import { backtest } from "../src/alerts/use-cases.js";
import { openAndMigrate } from "../src/db/open.js";
import { COMPLETE_FRAME_RANK } from "../src/domain/ranked-reading.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DEVICES = arg("devices", 250);
const HISTORY_DAYS = arg("history-days", 365);
const READING_DAYS = arg("reading-days", 2);
const ROUNDS = arg("rounds", 10);
const server = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `pumpwatch_bench_alerts_${randomBytes(4).toString("hex")}`;
const NOW = new Date("2026-11-01T12:00:00Z");

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  await c.query(sql);
  await c.end();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

await admin(`CREATE DATABASE ${name}`);
const url = new URL(server);
url.pathname = `/${name}`;
const { db } = await openAndMigrate({ databaseUrl: url.toString(), dataDir: "" });
try {
  const t0 = performance.now();
  await db.query(
    `INSERT INTO devices (device_id, first_seen, last_seen)
     SELECT 'bench-' || d, $1::timestamptz - make_interval(days => $2), $1 FROM generate_series(1, $3) d`,
    [NOW, HISTORY_DAYS, DEVICES],
  );
  // A cycle every 90 minutes, 8 minutes long, ~800 W, per channel (a year: ~5.8 k cycles per channel).
  await db.query(
    `INSERT INTO cycles (device_id, channel, start_ts, end_ts, last_active_ts, ongoing, noise, samples, duration_min,
                         runtime_min, avg_power_w, avg_current_a, median_voltage_v, energy_wh, detected_at)
     SELECT 'bench-' || d, ch, s, s + interval '8 min', s + interval '8 min', false, false, 9, 8, 8.5,
            800 + (random() * 10), 4.3 + random() * 0.05, 230, 113, $1
     FROM generate_series(1, $3) d, generate_series(0, 3) ch,
          generate_series($1::timestamptz - make_interval(days => $2), $1::timestamptz - interval '2 h', interval '90 min') s`,
    [NOW, HISTORY_DAYS, DEVICES],
  );
  await db.query(
    // ranked like the complete per-minute frames of a live meter: the offline rule tells live readings from
    // imported ones by their rank, and NULL ranks would make every meter look as if it never reported idle
    `INSERT INTO readings (device_id, channel, ts, apower_w, voltage_v, current_a, received_at,
                          rank_apower, rank_voltage, rank_current)
     SELECT 'bench-' || d, ch, m, 0, 230, 0, m, ${COMPLETE_FRAME_RANK}, ${COMPLETE_FRAME_RANK}, ${COMPLETE_FRAME_RANK}
     FROM generate_series(1, $3) d, generate_series(0, 3) ch,
          generate_series($1::timestamptz - make_interval(days => $2), $1::timestamptz, interval '1 min') m`,
    [NOW, READING_DAYS, DEVICES],
  );
  await db.query("ANALYZE");
  const loadS = (performance.now() - t0) / 1000;
  const counts = await db.query<{ c: string; r: string }>(
    "SELECT (SELECT count(*) FROM cycles)::text AS c, (SELECT count(*) FROM readings)::text AS r",
  );
  console.log(
    `loaded ${DEVICES * 4} channels: ${counts.rows[0]?.c} cycles (${HISTORY_DAYS} days), ${counts.rows[0]?.r} readings (${READING_DAYS} days) in ${loadS.toFixed(0)} s`,
  );

  const cache: EvaluatorCache = new Map();
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await evaluateRound(db, new Date(NOW.getTime() + i * 1000), { holder: "bench" });
    cold.push(performance.now() - start);
  }
  console.log(
    `round without the hour's cache (the first round of each hour): median ${median(cold).toFixed(0)} ms over 3`,
  );
  const times: number[] = [];
  let reads = 0;
  let opened = 0;
  for (let i = 0; i < ROUNDS + 1; i++) {
    const at = new Date(NOW.getTime() + i * 1000);
    const start = performance.now();
    const summary = await evaluateRound(db, at, { holder: "bench", cache });
    const ms = performance.now() - start;
    if (i > 0) times.push(ms); // the first round warms the caches
    reads = summary?.reads ?? 0;
    opened += summary?.opened ?? 0;
  }
  console.log(
    `evaluation round, ${DEVICES * 4} channels: median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms over ${ROUNDS} rounds; ${reads} statements per round; ${opened} alerts opened`,
  );
  const b0 = performance.now();
  const replayed = await backtest(db, {
    deviceId: "bench-1",
    channel: 0,
    from: new Date(NOW.getTime() - 30 * 86_400_000),
    to: NOW,
  });
  console.log(
    `backtest, one channel, 30 days: ${(performance.now() - b0).toFixed(0)} ms (${replayed.length} alerts)`,
  );
} finally {
  await db.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
