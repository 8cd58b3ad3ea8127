// The service under test: built with `npm run build`, run as `node dist/src/main.js` in a child process.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { memoryBytes } from "./proc.js";

export function buildService(root: string): void {
  const result = spawnSync("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status ?? result.signal})`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningService {
  pid: number;
  baseUrl: string;
  /** peak RSS of the process so far (VmHWM), bytes */
  peakRss(): number | null;
  stop(): Promise<void>;
  /** SIGKILL, synchronous: for exit paths */
  kill(): void;
}

export interface StartOptions {
  root: string;
  /** PostgreSQL; without one, the service runs on its embedded PGlite in `dataDir` (its default) */
  databaseUrl?: string;
  dataDir?: string;
  /** the bootstrap INGEST_API_KEY; without one, no key is passed on from the bench's environment */
  apiKey?: string;
  poolSize?: number;
  /** further settings, e.g. PUBLIC_DASHBOARD or APP_TIMEZONE */
  env?: Readonly<Record<string, string>>;
  /** extra flags for the service's node, e.g. --max-old-space-size=128 or --cpu-prof */
  nodeFlags?: readonly string[];
  readyTimeoutMs?: number;
}

/** Spawns the built service, forwards its log lines to stderr and waits until /api/ready answers 200. */
export async function startService(options: StartOptions): Promise<RunningService> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    ...options.env,
  };
  // The bench's own shell may hold these; the service under test must not pick them up by accident.
  for (const name of ["ADMIN_EMAIL", "ADMIN_PASSWORD", "INGEST_API_KEY", "DATABASE_URL", "DATA_DIR"])
    delete env[name];
  if (options.databaseUrl !== undefined) env.DATABASE_URL = options.databaseUrl;
  if (options.dataDir !== undefined) env.DATA_DIR = options.dataDir;
  if (options.apiKey !== undefined) env.INGEST_API_KEY = options.apiKey;
  if (options.poolSize !== undefined) env.DB_POOL_SIZE = String(options.poolSize);
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), join(options.root, "dist/src/main.js")],
    {
      cwd: options.root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start the service");

  let output = "";
  let exited: string | null = null;
  const forward = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    output = (output + text).slice(-4000);
    for (const line of text.split("\n")) if (line.trim()) process.stderr.write(`[service] ${line}\n`);
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = `exit ${code ?? signal}`;
      resolve();
    });
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const kill = () => {
    if (exited === null) child.kill("SIGKILL");
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited !== null) throw new Error(`the service stopped before it was ready (${exited}):\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/api/ready`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      kill();
      throw new Error(`the service was not ready after ${options.readyTimeoutMs ?? 30_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    pid,
    baseUrl,
    peakRss: () => memoryBytes(pid, "VmHWM"),
    kill,
    async stop() {
      if (exited !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(kill, 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
