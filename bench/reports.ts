// npm run bench:reports [-- --meters 4 --runs 20]
//
// Times the reports of a site of four meters (16 pumps, a cycle every 90 minutes on each, a year of them) on
// the embedded database: the monthly PDF, the annual PDF, and the heap after each of 20 monthly PDFs in a row
// (flat: nothing kept between reports). Baseline of the same run: the dashboard's summary of the same month
// (`cyclesReport`, what /api/cycles computes), so a noisy machine shows in both figures. Prints, does not assert.
import { versionsOfChannels } from "../src/admin/config-versions.js";
import { makeSettingsReader } from "../src/admin/settings.js";
import { cyclesReport } from "../src/analytics/cycles-report.js";
import { loadMigrations, migrate } from "../src/db/migrate.js";
import { migrationsDir } from "../src/db/open.js";
import { openPglite } from "../src/db/pglite.js";
import { FP_2026 } from "../src/domain/impact/index.js";
import { EVERY_METER } from "../src/domain/meter-scope.js";
import type { MeterDirectory } from "../src/journal/meter-directory.js";
import { annualDocument, monthlyDocument } from "../src/reports/document.js";
import { annualReport, monthlyReport } from "../src/reports/monthly.js";
import { renderPdf } from "../src/reports/pdf.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const METERS = arg("meters", 4);
const RUNS = arg("runs", 20);
const NOW = new Date("2026-11-15T12:00:00Z");
const ZONE = "Europe/Paris";
const ids = Array.from({ length: METERS }, (_, i) => `bench-${i + 1}`);

const db = await openPglite();
await migrate(db, await loadMigrations(migrationsDir()));
await db.query(
  `INSERT INTO devices (device_id, first_seen, last_seen) SELECT unnest($1::text[]), $2::timestamptz - interval '400 days', $2`,
  [ids, NOW],
);
await db.query(
  `INSERT INTO cycles (device_id, channel, start_ts, end_ts, last_active_ts, ongoing, noise, samples, duration_min,
                       runtime_min, avg_power_w, avg_current_a, median_voltage_v, energy_wh, detected_at)
   SELECT d, ch, s, s + interval '8 min', s + interval '8 min', false, false, 9, 8, 8.5, 800, 4.3, 230, 113, $2
   FROM unnest($1::text[]) d, generate_series(0, 3) ch,
        generate_series('2025-11-01T00:00:00Z'::timestamptz, $2::timestamptz - interval '2 h', interval '90 min') s`,
  [ids, NOW],
);
for (const d of ids)
  for (const ch of [0, 1, 2, 3])
    await db.query(
      `INSERT INTO channel_config_versions (device_id, channel, version, effective_from, name, pump_type,
         flow_rate_m3h, dbo5_mg_l, dco_mg_l, mes_mg_l, activity_threshold_w, stop_gap_min, min_cycle_min,
         created_at, created_by)
       VALUES ($1, $2, 1, '2025-01-01', $3, 'relevage', 12, 300, 700, 350, 50, 3, 1, $4, 'bench')`,
      [d, ch, `PR${ch + 1}`, NOW],
    );
const { rows } = await db.query<{ n: number }>("SELECT count(*)::int4 AS n FROM cycles");

const directory: MeterDirectory = {
  defaultTimeZone: ZONE,
  async meters() {
    return ids.map((d) => ({ deviceId: d, name: d, timeZone: ZONE, siteId: "bench" }));
  },
  async sites() {
    return [
      {
        id: "bench",
        name: "Station de banc",
        timeZone: ZONE,
        sandreCode: "0400000S0001",
        populationEquivalent: 400,
        deviceIds: ids,
      },
    ];
  },
};
const versions = { versionsOf: (c: Parameters<typeof versionsOfChannels>[1]) => versionsOfChannels(db, c) };
const deps = { db, directory, versions, settings: makeSettingsReader(db, { gridFactor: null }) };
const admin = { userId: 1, email: "bench@example.org", role: "admin" as const, scope: EVERY_METER };
const site = { siteId: "bench" };

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number) => `${x.toFixed(0)} ms`;

const baseline = async () =>
  cyclesReport(db, versions, {
    channels: ids.flatMap((d) => [0, 1, 2, 3].map((channel) => ({ deviceId: d, channel }))),
    period: {
      fromS: Date.parse("2026-09-30T22:00:00Z") / 1000,
      toS: Date.parse("2026-10-31T23:00:00Z") / 1000,
      fromDate: "2026-10-01",
      toDate: "2026-10-31",
    },
    includeNoise: false,
    nowS: NOW.getTime() / 1000,
    timeZone: ZONE,
    factorSet: FP_2026,
    limit: 1000,
  });
const monthly = async () =>
  renderPdf(monthlyDocument(await monthlyReport(deps, admin, { ...site, month: "2026-10" }, NOW)));
const annual = async () =>
  renderPdf(annualDocument(await annualReport(deps, admin, { ...site, year: "2026" }, NOW)));

await monthly(); // warm-up: fonts read, code compiled
const base: number[] = [];
const months: number[] = [];
const heap: number[] = [];
let bytes = 0;
for (let i = 0; i < RUNS; i++) {
  base.push((await time(baseline))[1]);
  const [pdf, t] = await time(monthly);
  bytes = pdf.length;
  months.push(t);
  globalThis.gc?.();
  heap.push(process.memoryUsage().heapUsed / 2 ** 20);
}
const years: number[] = [];
for (let i = 0; i < 3; i++) years.push((await time(annual))[1]);

console.log(`site of ${METERS} meters, ${METERS * 4} pumps, ${rows[0]?.n} cycles stored (PGlite, in memory)`);
console.log(`baseline  /api/cycles summary of the month (cyclesReport): median ${ms(median(base))}`);
console.log(
  `monthly   PDF, ${RUNS} in a row: median ${ms(median(months))}, max ${ms(Math.max(...months))}, ${(bytes / 1024).toFixed(0)} KiB`,
);
console.log(`annual    PDF, 3 in a row: median ${ms(median(years))}, max ${ms(Math.max(...years))}`);
console.log(
  `heap after each monthly PDF${globalThis.gc ? " (after gc)" : " (no --expose-gc: noisier)"}: first ${heap[0]?.toFixed(1)} MiB, ` +
    `last ${heap.at(-1)?.toFixed(1)} MiB, max ${Math.max(...heap).toFixed(1)} MiB`,
);
await db.close();
