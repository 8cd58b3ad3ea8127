// Linux /proc readings: memory of one process, CPU time of processes, and of the whole machine.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A `Vm…` line of /proc/PID/status in bytes (VmRSS = now, VmHWM = peak so far), null once the process is gone. */
export function memoryBytes(pid: number, field: "VmRSS" | "VmHWM"): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface Stat {
  comm: string;
  /** user + system CPU seconds */
  cpuS: number;
}

export function readStat(pid: number | "self"): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const open = text.indexOf("(");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { comm: text.slice(open + 1, close), cpuS: ticks / CLK_TCK };
  } catch {
    return null;
  }
}

export function processCpuS(pid: number | "self"): number {
  return readStat(pid)?.cpuS ?? 0;
}

/** CPU seconds of every running process named `postgres` (server, backends, WAL writer, checkpointer…). */
export function postgresCpu(): Map<number, number> {
  const result = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.comm === "postgres") result.set(Number(entry), stat.cpuS);
  }
  return result;
}

/** Busy and total CPU seconds of the whole machine, from /proc/stat. */
export function machineCpu(): { busyS: number; totalS: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busyS: (total - idle) / CLK_TCK, totalS: total / CLK_TCK };
}

export interface CpuSplit {
  /** CPU seconds used during the interval (serverS: all instances of the service) */
  serverS: number;
  postgresS: number;
  benchS: number;
  otherS: number;
  /** CPU seconds the machine had (cores × wall time) */
  capacityS: number;
}

/**
 * Starts counting CPU time of the service, of PostgreSQL and of this process; the returned function
 * stops and gives the split. Postgres processes that end within the interval are missed (the service's
 * pool keeps its connections open while it works, so that is only a few milliseconds).
 */
export function startCpuSplit(serverPids: readonly number[]): () => CpuSplit {
  const serverCpu = () => serverPids.reduce((sum, pid) => sum + processCpuS(pid), 0);
  const server0 = serverCpu();
  const postgres0 = postgresCpu();
  const bench0 = processCpuS("self");
  const machine0 = machineCpu();
  return () => {
    const serverS = serverCpu() - server0;
    let postgresS = 0;
    for (const [pid, cpuS] of postgresCpu()) postgresS += cpuS - (postgres0.get(pid) ?? 0);
    const benchS = processCpuS("self") - bench0;
    const machine1 = machineCpu();
    const busyS = machine1.busyS - machine0.busyS;
    return {
      serverS,
      postgresS,
      benchS,
      otherS: Math.max(0, busyS - serverS - postgresS - benchS),
      capacityS: machine1.totalS - machine0.totalS,
    };
  };
}

/** Samples VmRSS of a process every `intervalMs`; `peak()` is the largest value seen since the last reset. */
export function rssSampler(pid: number, intervalMs = 100) {
  let peak = 0;
  const sample = () => {
    const rss = memoryBytes(pid, "VmRSS");
    if (rss !== null && rss > peak) peak = rss;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peak: () => {
      sample();
      return peak;
    },
    reset: () => {
      peak = 0;
      sample();
    },
    stop: () => clearInterval(timer),
  };
}

export function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    return match?.[1]?.trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}
