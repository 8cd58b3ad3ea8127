import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigSchema, parseConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { startService } from "../src/service.js";
import { createTestDatabase, LogCapture, onPostgres } from "./harness.js";

// The deployment files of README.md, "Deploying": checked against the code they start, and the
// environment file tried by starting the service with it.

const packageScripts: Record<string, string> = JSON.parse(readFileSync("package.json", "utf8")).scripts;

/** The string arrays and strings of one TOML table of .replit (the file uses nothing fancier). */
function replitTable(text: string, table: string | null): Record<string, string | string[]> {
  const values: Record<string, string | string[]> = {};
  let current: string | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[+([^\]]+)\]+$/.exec(line);
    if (header) {
      current = header[1] ?? null;
      continue;
    }
    if (current !== table) continue;
    const pair = /^([A-Za-z_]+)\s*=\s*(.+)$/.exec(line);
    if (!pair?.[1] || !pair[2]) continue;
    values[pair[1]] = JSON.parse(pair[2]);
  }
  return values;
}

/** The npm scripts a command runs: `npm run X`, `npm start`, `npm ci` (not a script: npm's own). */
function npmScriptsOf(command: string | string[]): string[] {
  const text = Array.isArray(command) ? command.join(" ") : command;
  const scripts: string[] = [];
  for (const match of text.matchAll(/npm\s+(run\s+([\w:-]+)|start|test)/g)) {
    scripts.push(match[2] ?? (match[1] as string));
  }
  return scripts;
}

function envFile(path: string): { active: Record<string, string>; mentioned: string[] } {
  const active: Record<string, string> = {};
  const mentioned: string[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const assignment = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!assignment?.[2]) continue;
    mentioned.push(assignment[2]);
    if (!assignment[1]) active[assignment[2]] = assignment[3] ?? "";
  }
  return { active, mentioned };
}

describe("Replit", () => {
  const replit = readFileSync(".replit", "utf8");

  it("builds and runs with npm scripts that exist, the built service in production", () => {
    const deployment = replitTable(replit, "deployment");
    expect(["gce", "autoscale", "cloudrun"]).toContain(deployment.deploymentTarget);
    const build = npmScriptsOf(deployment.build ?? "");
    const run = npmScriptsOf(deployment.run ?? "");
    expect(build).toEqual(["build"]);
    expect(String(deployment.build)).toContain("npm ci");
    expect(run).toEqual(["start:prod"]);
    for (const script of [...build, ...run, ...npmScriptsOf(replitTable(replit, null).run ?? "")]) {
      expect(packageScripts[script], script).toBeDefined();
    }
    // start:prod runs what the build writes, without building, with npm start's node flags (decision 0022).
    expect(packageScripts["start:prod"]).toBe(packageScripts.start);
    expect(packageScripts["start:prod"]).toMatch(/^node (--[\w-]+=?\S* )*dist\/src\/main\.js$/);
    // and the demo's service runs with the same flags
    const flags = (packageScripts.start ?? "").replace(/^node /, "").replace(/ dist\/src\/main\.js$/, "");
    expect(packageScripts.demo).toContain(`node ${flags} --import tsx scripts/demo.ts`);
  });

  it("listens where the port mapping points, with Node 20", () => {
    const top = replitTable(replit, null);
    expect(top.modules).toContain("nodejs-20");
    const env = replitTable(replit, "env");
    expect(String(replitTable(replit, "ports").localPort)).toBe(env.PORT);
    expect(parseConfig(env as Record<string, string>)).toMatchObject({
      host: "0.0.0.0",
      port: Number(env.PORT),
    });
  });
});

describe("a plain server", () => {
  const unit = readFileSync("deploy/pumpwatch.service", "utf8");
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("the systemd unit reads the environment file and starts the built service", () => {
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/pumpwatch\/pumpwatch\.env$/m);
    // the same node flags and script as `npm run start:prod`
    const execStart = /^ExecStart=(\S+) (.+)$/m.exec(unit);
    expect(execStart?.[2]).toBe(packageScripts["start:prod"]?.replace(/^node /, ""));
    expect(unit).toMatch(/^WorkingDirectory=\//m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    // V8 and WebAssembly write then run code: this option would kill the service at start.
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });

  it.skipIf(!existsSync("/usr/bin/systemd-analyze"))("the systemd unit passes systemd-analyze verify", () => {
    // verify checks that ExecStart's program exists; it does on a machine with Node in /usr/bin.
    const node = /^ExecStart=(\S+)/m.exec(unit)?.[1] ?? "";
    if (!existsSync(node)) return;
    expect(() =>
      execFileSync("/usr/bin/systemd-analyze", ["verify", "deploy/pumpwatch.service"], { stdio: "pipe" }),
    ).not.toThrow();
  });

  it("the environment file names only settings the service knows, and parses", () => {
    const { active, mentioned } = envFile("deploy/pumpwatch.env.example");
    const known = new Set(Object.keys(ConfigSchema.properties));
    expect(mentioned.filter((key) => !known.has(key))).toEqual([]);
    const config = parseConfig(active);
    expect(config).toMatchObject({ production: true, host: "127.0.0.1", trustProxy: ["127.0.0.1", "::1"] });
    expect(config.databaseUrl).toMatch(/^postgres:\/\//);
  });

  it("the service starts with the environment file, as the unit starts it, and stops on SIGTERM", async () => {
    const env = envFile("deploy/pumpwatch.env.example").active;
    env.PORT = "0";
    const database = await createTestDatabase({ migrate: false });
    if (database.url) {
      await database.db.close();
      env.DATABASE_URL = database.url;
      cleanups.push(() => database.drop());
    } else {
      await database.drop();
      delete env.DATABASE_URL;
      const dir = await mkdtemp(join(tmpdir(), "pumpwatch-deploy-"));
      env.DATA_DIR = dir;
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
    }
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("exit", () => reject(new Error(`exited before listening:\n${output}`)));
    });
    expect((await fetch(`${url}/api/ready`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const warnings = output
      .split("\n")
      .filter((line) => line.includes('"level":40') && line.includes("embedded database"));
    expect(warnings).toHaveLength(onPostgres ? 0 : 1);
  }, 90_000);
});

describe("NODE_ENV=production on the embedded database", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startLogs(env: Record<string, string>): Promise<{ level: number; msg: string }[]> {
    const dir = await mkdtemp(join(tmpdir(), "pumpwatch-production-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const logs = new LogCapture();
    const service = await startService(
      parseConfig({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dir, ...env }),
      createLogger("info", logs),
    );
    await service.stop();
    return logs.lines.map((line) => JSON.parse(line));
  }

  it("logs a warning at start that says to use a PostgreSQL server", async () => {
    const lines = await startLogs({ NODE_ENV: "production" });
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(/NODE_ENV=production on the embedded database/);
    expect(warnings[0]?.msg).toMatch(/DATABASE_URL/);
  });

  it("says nothing outside production", async () => {
    const lines = await startLogs({ NODE_ENV: "development" });
    expect(lines.filter((line) => line.level >= 40)).toEqual([]);
  });
});
