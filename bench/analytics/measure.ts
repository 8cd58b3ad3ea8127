// Timing helpers: latency statistics, sequential HTTP and in-process timings, and where the CPU went.
import { readFileSync } from "node:fs";
import { machineCpu, postgresCpu, readStat } from "../support/proc.js";

export interface Stats {
  runs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export function stats(samples: readonly number[]): Stats {
  return {
    runs: samples.length,
    p50Ms: percentile(samples, 0.5),
    p95Ms: percentile(samples, 0.95),
    maxMs: samples.length === 0 ? Number.NaN : Math.max(...samples),
    meanMs: samples.length === 0 ? Number.NaN : samples.reduce((a, b) => a + b, 0) / samples.length,
  };
}

export interface HttpTiming {
  stats: Stats;
  samplesMs: number[];
  bytes: number;
  /** the parsed body of the last response */
  body: unknown;
}

/**
 * `warmups` unmeasured requests, then `runs` sequential ones; each is timed from the call to the last byte
 * of the body (the client's JSON parsing is not counted). Any status but 200 is an error.
 */
export async function timeHttp(url: string, warmups: number, runs: number): Promise<HttpTiming> {
  const once = async () => {
    const t0 = performance.now();
    const response = await fetch(url);
    const buffer = await response.arrayBuffer();
    const ms = performance.now() - t0;
    if (response.status !== 200) {
      throw new Error(
        `${url}: HTTP ${response.status} ${Buffer.from(buffer).toString("utf8").slice(0, 300)}`,
      );
    }
    return { ms, buffer };
  };
  for (let i = 0; i < warmups; i++) await once();
  const samplesMs: number[] = [];
  let last: ArrayBuffer = new ArrayBuffer(0);
  for (let i = 0; i < runs; i++) {
    const { ms, buffer } = await once();
    samplesMs.push(ms);
    last = buffer;
  }
  return {
    stats: stats(samplesMs),
    samplesMs,
    bytes: last.byteLength,
    body: JSON.parse(Buffer.from(last).toString("utf8")),
  };
}

/** The same for an in-process function. */
export async function timeFn<T>(
  fn: () => Promise<T>,
  warmups: number,
  runs: number,
): Promise<{ stats: Stats; samplesMs: number[]; last: T }> {
  let last = undefined as T;
  for (let i = 0; i < warmups; i++) last = await fn();
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    samplesMs.push(performance.now() - t0);
  }
  return { stats: stats(samplesMs), samplesMs, last };
}

// ---- CPU ------------------------------------------------------------------------------------------------

/** Shares of the machine's CPU capacity (all cores) during an interval. */
export interface CpuShares {
  wallS: number;
  bench: number;
  service: number;
  /** backends connected to the bench database */
  postgres: number;
  /** other PostgreSQL processes: other databases' backends (other tests), WAL writer, checkpointer… */
  postgresOther: number;
  /** everything else on the machine: other people's tests, builds… */
  other: number;
  idle: number;
  /** /proc/loadavg 1-minute figure at the end */
  loadAvg1: number;
}

export function loadAvg1(): number {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts counting; the returned function gives the shares since then. `ours` lists the PostgreSQL backends
 * serving the bench database (pg_stat_activity), asked again at the end.
 */
export function startCpu(servicePid: () => number | null, ours: () => Set<number>): () => CpuShares {
  const t0 = performance.now();
  const m0 = machineCpu();
  const self0 = readStat("self")?.cpuS ?? 0;
  const pid0 = servicePid();
  const service0 = pid0 === null ? 0 : (readStat(pid0)?.cpuS ?? 0);
  const pg0 = postgresCpu();
  return () => {
    const m1 = machineCpu();
    const capacity = m1.totalS - m0.totalS || 1;
    const bench = (readStat("self")?.cpuS ?? 0) - self0;
    const pid1 = servicePid();
    const service = pid1 === null || pid1 !== pid0 ? 0 : (readStat(pid1)?.cpuS ?? 0) - service0;
    let postgres = 0;
    let postgresOther = 0;
    const mine = ours();
    for (const [pid, cpuS] of postgresCpu()) {
      const used = cpuS - (pg0.get(pid) ?? 0);
      if (mine.has(pid)) postgres += used;
      else postgresOther += used;
    }
    const busy = m1.busyS - m0.busyS;
    const other = Math.max(0, busy - bench - service - postgres - postgresOther);
    return {
      wallS: (performance.now() - t0) / 1000,
      bench: bench / capacity,
      service: service / capacity,
      postgres: postgres / capacity,
      postgresOther: postgresOther / capacity,
      other: other / capacity,
      idle: Math.max(0, 1 - busy / capacity),
      loadAvg1: loadAvg1(),
    };
  };
}
