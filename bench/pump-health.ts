// npm run bench:pump-health -- [--days 365] [--runs 30]
//
// Issue 17: what the measured flow costs, each figure with its baseline from the same run (same process, same
// data), on a year of one meter's simulated wet well (two lift pumps of one sump, ~20 cycles a day):
//   - the per-cycle work the refresh adds (run edges) against the cycle detection of the same readings;
//   - /api/cycles' report (1000 cycles and the summary) with volume_method=volumetric against flow_rate;
//   - GET /api/pump-health's use case for a channel-year;
//   - the alert evaluator's hourly pump_wear / inflow_high step of one meter.
// In-process on the embedded database (DATA_DIR in a temporary folder), or, when DATABASE_URL names a
// PostgreSQL server, in a database pumpwatch_bench_health_<random> created on it and dropped at the end. Prints, does not assert. The machine may be shared: the load average is printed with the figures.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { simulateFleet } from "../simulator/index.js";
import { channelReadings } from "../simulator/readings.js";
import { addChannelVersion, versionsOfChannels } from "../src/admin/config-versions.js";
import { cyclesReport } from "../src/analytics/cycles-report.js";
import { pumpHealth } from "../src/analytics/pump-health.js";
import { openAndMigrate } from "../src/db/open.js";
import { upsertCycles } from "../src/db/queries/replace-cycles.js";
import { localDateOf } from "../src/domain/config-versions/index.js";
import { detectCycles } from "../src/domain/cycles/detect.js";
import type { CycleSample } from "../src/domain/cycles/types.js";
import { FP_2026 } from "../src/domain/impact/index.js";
import { parsePeriod } from "../src/domain/period.js";
import { runEdges } from "../src/domain/pump-health/edges.js";
import { intOption, parseOptions } from "./support/args.js";
import { withThrowawayDatabase } from "./support/throwaway-database.js";

const HELP = `npm run bench:pump-health -- [--days 365] [--runs 30]`;
const OPTIONS = {
  days: { type: "string", default: "365" },
  runs: { type: "string", default: "30" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const TZ = "Europe/Paris";
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number;
};
const fmt = (xs: number[]) =>
  `p50 ${percentile(xs, 0.5).toFixed(1)} ms, p95 ${percentile(xs, 0.95).toFixed(1)} ms (${xs.length} runs)`;

async function time(runs: number, f: () => Promise<unknown>): Promise<number[]> {
  await f(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return out;
}

async function main() {
  const o = parseOptions(OPTIONS, HELP);
  const days = intOption("days", o.days, 2, 3650);
  const runs = intOption("runs", o.runs, 1, 10_000);
  const endS = Math.floor(Date.UTC(2026, 11, 1) / 1000);
  const startS = endS - days * 86_400;
  const sim = simulateFleet({
    seed: 1,
    devices: 1,
    days,
    start: startS,
    liftPattern: "wetwell",
    wetWell: { volumeM3: 2.4, meanInflowM3h: 2, wear: { channel: 1, toM3h: 16 } },
  });
  const deviceId = sim.devices[0]?.id as string;
  const samples: CycleSample[][] = [0, 1].map((ch) => [...channelReadings(sim.plan, 0, ch)]);
  const nowMinute = endS / 60 + 60;

  // 1. per-cycle work of the refresh: the cycle detection of the readings (the baseline), then the run edges
  // of the cycles found, each timed alone, alternating
  const detectOnly: number[] = [];
  const edgesOnly: number[] = [];
  let cycles: ReturnType<typeof detectCycles>[] = [];
  for (let i = 0; i < 7; i++) {
    let t0 = performance.now();
    cycles = samples.map((s) => detectCycles(s, {}, nowMinute));
    detectOnly.push(performance.now() - t0);
    t0 = performance.now();
    cycles.forEach((list, ch) => {
      for (const c of list) runEdges(samples[ch] as CycleSample[], c);
    });
    edgesOnly.push(performance.now() - t0);
  }
  const count = (cycles[0]?.length ?? 0) + (cycles[1]?.length ?? 0);
  const base = percentile(detectOnly, 0.5);
  const added = percentile(edgesOnly, 0.5);
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")} (2 cores, shared)`,
  );
  console.log(`${days} days, ${count} cycles of 2 pumps`);
  console.log(
    `refresh work (median of 7): cycle detection ${base.toFixed(1)} ms; run edges ${added.toFixed(1)} ms (+${((added / base) * 100).toFixed(1)} % of the detection alone, itself a part of a backfill's settle time)`,
  );

  // 2. the database
  const dataDir = mkdtempSync(join(tmpdir(), "pw-bench-health-"));
  const server = process.env.DATABASE_URL ?? null;
  if (server)
    await withThrowawayDatabase(server, "pumpwatch_bench_health", (url) => measureDatabase(url, dataDir));
  else await measureDatabase(null, dataDir);

  async function measureDatabase(databaseUrl: string | null, dataDir: string) {
    const { db } = await openAndMigrate({ databaseUrl, dataDir });
    try {
      await db.query(
        "INSERT INTO devices (device_id, model, first_seen, last_seen) VALUES ($1, 'SPro4PM', to_timestamp($2), to_timestamp($3))",
        [deviceId, startS, endS],
      );
      const from = localDateOf(startS - 86_400, TZ);
      for (const channel of [0, 1])
        await addChannelVersion(
          db,
          {
            deviceId,
            channel,
            effectiveFrom: from,
            flowRateM3h: 20,
            pumpType: "relevage",
            sumpVolumeM3: 2.4,
          },
          "bench",
          new Date(),
        );
      for (const channel of [0, 1]) {
        const list = cycles[channel] ?? [];
        const s = samples[channel] as CycleSample[];
        for (let i = 0; i < list.length; i += 2000) {
          const part = list.slice(i, i + 2000);
          await upsertCycles(
            db,
            { deviceId, channel },
            part,
            new Date(),
            part.map((c) => runEdges(s, c)),
          );
        }
      }
      await db.query("DELETE FROM cycle_refresh_queue");
      const versions = {
        versionsOf: (c: { deviceId: string; channel: number }[]) => versionsOfChannels(db, c),
      };
      const nowS = endS;
      const year = parsePeriod(localDateOf(startS, TZ), localDateOf(endS - 1, TZ), TZ, nowS);
      const month = parsePeriod(localDateOf(endS - 30 * 86_400, TZ), localDateOf(endS - 1, TZ), TZ, nowS);
      if (!year.ok || !month.ok) throw new Error("period");
      for (const [label, period] of [
        ["30 days", month.period],
        [`${days} days`, year.period],
      ] as const) {
        const report = (volumeMethod: "flow_rate" | "volumetric") => () =>
          cyclesReport(db, versions, {
            channels: [{ deviceId, channel: 1 }],
            period,
            includeNoise: false,
            nowS,
            timeZone: TZ,
            factorSet: FP_2026,
            limit: 1000,
            volumeMethod,
          });
        const a: number[] = [];
        const b: number[] = [];
        for (let i = 0; i < runs; i++) {
          a.push(...(await time(1, report("flow_rate"))));
          b.push(...(await time(1, report("volumetric"))));
        }
        console.log(`cycles page, ${label}: flow_rate ${fmt(a)}; volumetric ${fmt(b)}`);
      }
      const { sumpCyclesInRange } = await import("../src/db/queries/sump-cycles-in-range.js");
      const { measureSump } = await import("../src/domain/pump-health/volumetric.js");
      const read = await time(runs, () =>
        sumpCyclesInRange(db, deviceId, [0, 1], year.period.fromS, year.period.toS),
      );
      const all = await sumpCyclesInRange(db, deviceId, [0, 1], year.period.fromS, year.period.toS);
      const compute = await time(runs, async () => measureSump(all, 2.4));
      console.log(`of which: reading the sump's cycles ${fmt(read)}; measuring them ${fmt(compute)}`);
      const health = await time(runs, () =>
        pumpHealth(db, versions, { deviceId, channel: 1, period: year.period, nowS, timeZone: TZ }),
      );
      console.log(`pump-health, channel-year: ${fmt(health)}`);
      // what the alert evaluator adds once an hour per meter with a sump volume: the sump's 91 days of cycles
      // read and stepped for pump_wear and inflow_high (src/alerts/health.ts)
      const { healthSumps } = await import("../src/alerts/health.js");
      const hourS = Math.floor(nowS / 3600) * 3600;
      const step = await time(runs, async () => {
        const sumps = await healthSumps(db, {
          deviceId,
          fromS: hourS,
          toS: hourS + 1,
          timeZone: TZ,
          overridesOf: () => ({}),
        });
        return sumps.map((sump) => sump.step(hourS));
      });
      console.log(`alert evaluator's hourly pump-health step, one meter: ${fmt(step)}`);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
