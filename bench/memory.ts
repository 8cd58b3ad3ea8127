// npm run bench:memory -- [--days 365] [--batches 351] [--before main] [--db both|pg|pglite] [--breakdown]
//
// Issue 20, item 4: "peak RSS ≤ 200 MB through a meter-year of ingestion and reads". Starts the built service as
// `npm start` runs it (the node flags of package.json's `start` script, read from each revision's own
// package.json), posts one simulated meter's year of running minutes in batches while a reader asks for the
// year's /api/cycles (as bench:analytics:backfill does), waits until every cycle is stored, then makes the reads
// an operator makes over that year, one after the other: the dashboard (devices, the year's summary and cycles
// page), the chart (/api/series, the last month and the year month by month: its longest period is 30 days),
// pump health of each pump channel over the year, the alert backtest of the year, the monthly and the annual PDF
// report, the CSV exports (cycles and daily figures) of the year. The service's VmRSS is sampled every 100 ms;
// the table gives the peak of each phase and the process's VmHWM. For the code at --before (default main, built
// from `git archive`) and this checkout, in the same run, on PostgreSQL (a throwaway database on DATABASE_URL)
// and on the embedded PGlite (no DATABASE_URL: a temporary data folder), each on a fresh database.
// --breakdown loads bench/support/memory-probe.mjs into the service: the peak of each phase is then also split
// into V8 heap, external (array buffers included) and the rest (code, PGlite's WASM memory, native).
// Prints, does not assert.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SimMessage } from "../simulator/index.js";
import { checkoutOf } from "./analytics/checkout.js";
import { loadAvg1 } from "./analytics/measure.js";
import { intOption, parseOptions } from "./support/args.js";
import { memoryBytes, processCpuS, rssSampler } from "./support/proc.js";
import { buildService, type RunningService, startService } from "./support/service.js";
import { withThrowawayDatabase } from "./support/throwaway-database.js";
import { meterYearMessages } from "./support/workload.js";

const HELP = `npm run bench:memory -- [options]

  --days D        days of one meter's running minutes (default 365)
  --batches N     POST /api/ingest/batch requests they are sent in (default 351)
  --every-minute  post every minute of the year, not only the running ones
  --before REF    git revision measured as "before" (default main); --before none skips it
  --db WHICH      both (default), pg or pglite
  --node-flags F  extra node flags for the service of this checkout (space-separated), after the start script's
  --breakdown     split each phase's peak into heap / external / rest (probe loaded with --import)
  --skip-build    use dist/ of both as they are
  --json FILE     also write the results as JSON

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres): the server on which the throwaway databases
pumpwatch_bench_memory_<random> are created and dropped.`;

const OPTIONS = {
  days: { type: "string", default: "365" },
  batches: { type: "string", default: "351" },
  "every-minute": { type: "boolean", default: false },
  before: { type: "string", default: "main" },
  db: { type: "string", default: "both" },
  "node-flags": { type: "string", default: "" },
  breakdown: { type: "boolean", default: false },
  "skip-build": { type: "boolean", default: false },
  json: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const log = (text: string) => process.stderr.write(`${text}\n`);
const API_KEY = "bench-memory-key-0123456789";
const MiB = 2 ** 20;
const PROBE = join(dirname(fileURLToPath(import.meta.url)), "support/memory-probe.mjs");

/** The node flags `npm start` gives the service: the words of package.json's `start` between `node` and the script. */
export function startFlags(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
  };
  const words = (pkg.scripts?.start ?? "").trim().split(/\s+/);
  const script = words.findIndex((w) => w.endsWith("main.js"));
  if (words[0] !== "node" || script < 0) throw new Error(`unexpected start script: ${pkg.scripts?.start}`);
  return words.slice(1, script);
}

interface Phase {
  name: string;
  requests: number;
  bytes: number;
  peakRss: number;
  startMs: number;
  endMs: number;
  /** CPU seconds the service used in the phase */
  cpuS: number;
  /** from the probe, the sample with the largest RSS in the phase */
  split?: { heapTotal: number; external: number; rest: number };
}

interface VariantResult {
  label: string;
  db: "pg" | "pglite";
  /** PGlite: the peak of the first start, which creates the data folder (initdb) and migrates it */
  firstStartHwm: number | null;
  readyRss: number;
  phases: Phase[];
  hwm: number;
  loadAvg: number;
}

async function withDataDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "pumpwatch-bench-memory-"));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let running: RunningService | null = null;
process.on("exit", () => running?.kill());

interface Year {
  deviceId: string;
  fromDate: string;
  toDate: string;
  /** the last complete month, AAAA-MM, and the year most of the data falls in */
  month: string;
  year: string;
  /** ends of the 12 months' chart windows, AAAA-MM-JJ, the last one first */
  monthEnds: string[];
  channels: number[];
}

async function run(
  label: string,
  db: "pg" | "pglite",
  root: string,
  target: { databaseUrl?: string; dataDir?: string },
  messages: SimMessage[],
  batches: number,
  year: Year,
  nodeFlags: string[],
  breakdown: boolean,
): Promise<VariantResult> {
  // PGlite: an operator's service starts on the data folder it created at its first start (initdb and the
  // migrations, whose WASM memory stays allocated in that process); that first start is measured apart.
  let firstStartHwm: number | null = null;
  if (target.dataDir !== undefined) {
    const first = await startService({ root, ...target, nodeFlags, readyTimeoutMs: 120_000 });
    running = first;
    firstStartHwm = first.peakRss();
    await first.stop();
    running = null;
  }
  const probeFile = breakdown
    ? join(tmpdir(), `pumpwatch-memory-probe-${randomBytes(4).toString("hex")}`)
    : null;
  const service = await startService({
    root,
    ...target,
    apiKey: API_KEY,
    env: {
      PUBLIC_DASHBOARD: "true",
      APP_TIMEZONE: "UTC",
      ...(probeFile ? { PUMPWATCH_MEMORY_PROBE: probeFile } : {}),
    },
    nodeFlags: [...nodeFlags, ...(probeFile ? [`--import=${PROBE}`] : [])],
    readyTimeoutMs: 120_000,
  });
  running = service;
  log(`${label} [${db}]: started with ${nodeFlags.join(" ") || "no node flags"}`);
  const sampler = rssSampler(service.pid, 100);
  const phases: Phase[] = [];
  try {
    const readyRss = memoryBytes(service.pid, "VmRSS") ?? 0;
    const base = service.baseUrl;
    let requests = 0;
    let bytes = 0;
    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`);
      const body = new Uint8Array(await response.arrayBuffer());
      if (response.status !== 200)
        throw new Error(
          `GET ${path}: HTTP ${response.status} ${new TextDecoder().decode(body.slice(0, 300))}`,
        );
      requests++;
      bytes += body.length;
      return body;
    };
    const phase = async (name: string, work: () => Promise<void>) => {
      sampler.reset();
      requests = 0;
      bytes = 0;
      const startMs = Date.now();
      const cpu0 = processCpuS(service.pid);
      await work();
      const endMs = Date.now();
      const cpuS = processCpuS(service.pid) - cpu0;
      phases.push({ name, requests, bytes, peakRss: sampler.peak(), startMs, endMs, cpuS });
      log(
        `${label} [${db}]: ${name}: peak ${(sampler.peak() / MiB).toFixed(0)} MiB, ${((endMs - startMs) / 1000).toFixed(1)} s`,
      );
    };
    const y = `device_id=${year.deviceId}&from=${year.fromDate}&to=${year.toDate}`;
    const refreshing = async () => {
      const body = JSON.parse(new TextDecoder().decode(await get(`/api/cycles?${y}&limit=100`))) as {
        refreshing?: boolean;
      };
      return body.refreshing === true;
    };

    await phase(
      "ingestion of the year (reads of /api/cycles meanwhile), until every cycle is stored",
      async () => {
        let posting = true;
        let firstPosted: () => void = () => {};
        const posted = new Promise<void>((r) => {
          firstPosted = r;
        });
        const reader = (async () => {
          await posted;
          while (posting) {
            await refreshing();
            await new Promise((r) => setTimeout(r, 200));
          }
        })();
        const size = Math.ceil(messages.length / batches);
        for (let i = 0; i < messages.length; i += size) {
          const response = await fetch(`${base}/api/ingest/batch`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-api-key": API_KEY },
            body: JSON.stringify({ messages: messages.slice(i, i + size) }),
          });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`POST batch: HTTP ${response.status}`);
          if (i === 0) firstPosted();
        }
        posting = false;
        await reader;
        const deadline = Date.now() + 900_000;
        while (await refreshing()) {
          if (Date.now() > deadline) throw new Error("cycles still refreshing after 15 minutes");
          await new Promise((r) => setTimeout(r, 500));
        }
      },
    );
    await phase("dashboard: devices, the year's summary and cycles page (limit 1000)", async () => {
      await get("/api/devices");
      await get(`/api/cycles?${y}`);
      await get(`/api/cycles?${y}&include_noise=true`);
    });
    await phase("chart: /api/series 30d, the last month then each month of the year", async () => {
      for (const end of year.monthEnds)
        await get(`/api/series?device_id=${year.deviceId}&period=30d&end=${end}`);
    });
    await phase("pump health of each pump channel over the year", async () => {
      for (const ch of year.channels) await get(`/api/pump-health?${y}&channel=${ch}`);
    });
    await phase("alert backtest of the year", async () => {
      await get(`/api/alerts/backtest?${y}`);
    });
    await phase("monthly PDF report", async () => {
      await get(`/api/reports/monthly.pdf?device_id=${year.deviceId}&month=${year.month}`);
    });
    await phase("annual PDF report", async () => {
      await get(`/api/reports/annual.pdf?device_id=${year.deviceId}&year=${year.year}`);
    });
    await phase("CSV export of the year's cycles (table order)", async () => {
      await get(`/api/cycles.csv?${y}`);
    });
    await phase("CSV export of the year's cycles sorted by energy", async () => {
      await get(`/api/cycles.csv?${y}&sort=energy_kwh&order=desc`);
    });
    await phase("CSV of the year's daily figures", async () => {
      await get(`/api/reports/daily.csv?${y}`);
    });
    const hwm = service.peakRss() ?? 0;
    if (probeFile) {
      const samples = readFileSync(probeFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { t: number; rss: number; heapTotal: number; external: number });
      for (const p of phases) {
        const inPhase = samples.filter((s) => s.t >= p.startMs && s.t <= p.endMs);
        const top = inPhase.reduce<(typeof inPhase)[number] | null>(
          (a, s) => (a && a.rss >= s.rss ? a : s),
          null,
        );
        if (top)
          p.split = {
            heapTotal: top.heapTotal,
            external: top.external,
            rest: top.rss - top.heapTotal - top.external,
          };
      }
      rmSync(probeFile, { force: true });
    }
    return { label, db, firstStartHwm, readyRss, phases, hwm, loadAvg: loadAvg1() };
  } finally {
    sampler.stop();
    await service.stop();
    running = null;
  }
}

async function main(): Promise<number> {
  const o = parseOptions(OPTIONS, HELP);
  const days = intOption("days", o.days, 1, 3650);
  const batches = intOption("batches", o.batches, 1, 100_000);
  if (!["both", "pg", "pglite"].includes(o.db)) throw new Error("--db: both, pg or pglite");
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const server = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const before = o.before === "none" ? null : checkoutOf(root, o.before);
  if (!o["skip-build"]) {
    if (before) buildService(before);
    buildService(root);
  }
  const endS = Math.floor(Date.now() / 60_000) * 60 - 3600;
  const messages = meterYearMessages(days, endS, o["every-minute"]);
  const channels = new Set<number>();
  for (const m of messages.slice(0, 20_000))
    for (const key of Object.keys(m.params as object))
      if (key.startsWith("switch:")) channels.add(Number(key.slice(7)));
  const endDate = new Date(endS * 1000);
  const lastMonth = new Date(Date.UTC(endDate.getUTCFullYear(), endDate.getUTCMonth() - 1, 1));
  const monthEnds = Array.from({ length: 12 }, (_, i) =>
    new Date(endS * 1000 - i * 30 * 86_400_000).toISOString().slice(0, 10),
  );
  const year: Year = {
    deviceId: messages[0]?.src ?? "",
    fromDate: new Date((endS - days * 86_400) * 1000).toISOString().slice(0, 10),
    toDate: endDate.toISOString().slice(0, 10),
    month: lastMonth.toISOString().slice(0, 7),
    year: String(lastMonth.getUTCFullYear()),
    monthEnds,
    channels: [...channels].sort(),
  };
  log(
    `${messages.length} messages over ${days} days, in ${batches} batches; channels ${year.channels.join(", ")}`,
  );

  const variants: { label: string; root: string; flags: string[] }[] = [];
  if (before) variants.push({ label: `before (${o.before})`, root: before, flags: startFlags(before) });
  const extra = o["node-flags"].split(/\s+/).filter(Boolean);
  variants.push({ label: "after (this checkout)", root, flags: [...startFlags(root), ...extra] });
  const dbs: ("pg" | "pglite")[] = o.db === "both" ? ["pg", "pglite"] : [o.db as "pg" | "pglite"];

  const results: VariantResult[] = [];
  for (const db of dbs)
    for (const v of variants) {
      const go = (target: { databaseUrl?: string; dataDir?: string }) =>
        run(v.label, db, v.root, target, messages, batches, year, v.flags, o.breakdown);
      results.push(
        db === "pg"
          ? await withThrowawayDatabase(server, "pumpwatch_bench_memory", (url) => go({ databaseUrl: url }))
          : await withDataDir((dir) => go({ dataDir: dir })),
      );
    }

  const mib = (n: number) => (n / MiB).toFixed(0);
  console.log(
    `\n${messages.length} messages (${o["every-minute"] ? "every minute" : "running minutes"}), ${days} days, ${batches} batches; peak VmRSS per phase in MiB${o.breakdown ? " (heap / external / rest at the phase's largest sample)" : ""}\n`,
  );
  const names = results[0]?.phases.map((p) => p.name) ?? [];
  console.log(
    `| phase | ${results.map((r) => `${r.label}, ${r.db === "pg" ? "PostgreSQL" : "PGlite"}`).join(" | ")} |`,
  );
  console.log(`|:--|${results.map(() => "--:").join("|")}|`);
  console.log(
    `| first start, empty data folder (PGlite: initdb, migrations), VmHWM | ${results.map((r) => (r.firstStartHwm === null ? "–" : mib(r.firstStartHwm))).join(" | ")} |`,
  );
  console.log(`| ready (VmRSS) | ${results.map((r) => mib(r.readyRss)).join(" | ")} |`);
  for (const [i, name] of names.entries())
    console.log(
      `| ${name} | ${results
        .map((r) => {
          const p = r.phases[i];
          if (!p) return "–";
          const s = p.split
            ? ` (${mib(p.split.heapTotal)} / ${mib(p.split.external)} / ${mib(p.split.rest)})`
            : "";
          return `${mib(p.peakRss)}${s}`;
        })
        .join(" | ")} |`,
    );
  console.log(`| **peak (VmHWM)** | ${results.map((r) => `**${mib(r.hwm)}**`).join(" | ")} |`);
  console.log(
    `| load average (1 min) at the end | ${results.map((r) => r.loadAvg.toFixed(1)).join(" | ")} |`,
  );
  console.log(
    "\nWall seconds / service CPU seconds per phase (the machine is shared: wall time is indicative)\n",
  );
  console.log(
    `| phase | ${results.map((r) => `${r.label}, ${r.db === "pg" ? "PostgreSQL" : "PGlite"}`).join(" | ")} |`,
  );
  console.log(`|:--|${results.map(() => "--:").join("|")}|`);
  for (const [i, name] of names.entries())
    console.log(
      `| ${name.split(":")[0]} | ${results
        .map((r) => {
          const p = r.phases[i];
          return p ? `${((p.endMs - p.startMs) / 1000).toFixed(1)} / ${p.cpuS.toFixed(1)}` : "–";
        })
        .join(" | ")} |`,
    );
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
