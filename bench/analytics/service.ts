// The service under test: the built `dist/src/main.js` in a child process, reading endpoints public.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export function buildService(root: string): void {
  const result = spawnSync("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status ?? result.signal})`);
}

async function freePort(): Promise<number> {
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
  /** how it was started: the built `dist/src/main.js`, or the fallback launcher (bench/analytics/serve.ts) */
  launcher: "dist" | "fallback";
  stop(): Promise<void>;
  /** SIGKILL, synchronous: for exit paths */
  kill(): void;
}

interface StartOptions {
  root: string;
  databaseUrl: string;
  timeZone: string;
  readyTimeoutMs?: number;
}

/**
 * Spawns the built service on `databaseUrl` and waits until /api/ready answers 200. When the build cannot
 * start because src/service.ts adds a hook after buildApp's `app.ready()` (fastify: "Cannot call addHook"),
 * it says so and falls back to bench/analytics/serve.ts, the same parts without that call.
 */
export async function startService(options: StartOptions): Promise<RunningService> {
  try {
    return await spawnService(options, "dist");
  } catch (error) {
    if (!(error instanceof Error && /Cannot call "addHook"/.test(error.message))) throw error;
    process.stderr.write(
      'warning: dist/src/main.js does not start (src/service.ts: app.addHook("onClose") after buildApp\'s ' +
        "app.ready()); using the fallback launcher bench/analytics/serve.ts\n",
    );
    return spawnService(options, "fallback");
  }
}

async function spawnService(options: StartOptions, launcher: "dist" | "fallback"): Promise<RunningService> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    HOST: "127.0.0.1",
    PORT: String(port),
    PUBLIC_DASHBOARD: "true",
    LOG_LEVEL: "warn",
    APP_TIMEZONE: options.timeZone,
  };
  for (const name of ["ADMIN_EMAIL", "ADMIN_PASSWORD", "INGEST_API_KEY"]) delete env[name];
  const args =
    launcher === "dist"
      ? [join(options.root, "dist/src/main.js")]
      : ["--import", "tsx", join(options.root, "bench/analytics/serve.ts")];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
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
  const kill = () => {
    if (exited === null) child.kill("SIGKILL");
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
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
      throw new Error(`the service was not ready after ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    pid,
    baseUrl,
    launcher,
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
