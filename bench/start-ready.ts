// npm run bench:start — time from launching a start command to the first 200 of /api/ready, on the embedded
// database (a scratch DATA_DIR, migrated by a first run that is not counted). Results: docs/benchmarks.md.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { intOption, parseOptions, UsageError } from "./support/args.js";
import { freePort } from "./support/service.js";

const HELP = `usage: npm run bench:start -- [--runs N] [--command CMD]...

  --command CMD  a shell command that starts the service (repeatable; default: "npm start",
                 "npm run start:prod", "node dist/src/main.js")
  --runs N       timed runs per command (default 5), after one uncounted run`;

const values = parseOptions(
  {
    command: { type: "string", multiple: true },
    runs: { type: "string", default: "5" },
    help: { type: "boolean" },
  },
  HELP,
);

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts `command` in its own process group, returns ms until /api/ready answers 200, then stops it. */
async function timeOnce(command: string, dataDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn("sh", ["-c", command], {
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn" },
  });
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  try {
    for (;;) {
      if (exited) throw new Error(`${command}: exited before being ready`);
      if (await ready(`http://127.0.0.1:${port}/api/ready`)) return performance.now() - started;
      if (performance.now() - started > 120_000) throw new Error(`${command}: not ready after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    if (!exited && child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    await gone;
  }
}

try {
  const runs = intOption("runs", values.runs, 1, 100);
  const commands = values.command ?? ["npm start", "npm run start:prod", "node dist/src/main.js"];
  const dataDir = mkdtempSync(join(tmpdir(), "pumpwatch-start-"));
  try {
    for (const command of commands) {
      await timeOnce(command, dataDir);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await timeOnce(command, dataDir));
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
      console.log(
        `${command}: median ${Math.round(median)} ms, min ${Math.round(sorted[0] ?? 0)}, max ${Math.round(sorted.at(-1) ?? 0)} (${runs} runs: ${times.map(Math.round).join(", ")})`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${HELP}`);
    process.exit(2);
  }
  throw error;
}
