import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export const ADMIN = { email: "admin@filtreplante.test", password: "mot-de-passe-admin-2026" };
export const INGEST_KEY = "browser-tests-ingest-key-0123456789";

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * The service as `npm start` runs it (`node dist/src/main.js`, built by the global setup) on a fresh
 * database: a new PGlite folder, or a new database on the PostgreSQL server of DATABASE_URL.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  const cleanups: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    INGEST_API_KEY: INGEST_KEY,
    APP_TIMEZONE: "Africa/Dakar",
    ...extraEnv,
  };
  const server = process.env.DATABASE_URL;
  if (server) {
    const name = `pumpwatch_web_${Math.random().toString(16).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    });
  } else {
    const dir = await mkdtemp(join(tmpdir(), "pumpwatch-web-"));
    env.DATA_DIR = dir;
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
  }
  const child: ChildProcess = spawn(process.execPath, ["dist/src/main.js"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`the service exited (${code}):\n${output}`)));
  });
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      for (const cleanup of cleanups.reverse()) await cleanup();
    },
  };
}

/** Posts queue messages to the service with the bootstrap ingestion key. */
export async function ingest(url: string, messages: unknown[], key = INGEST_KEY): Promise<Response> {
  return fetch(`${url}/api/ingest/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key },
    body: JSON.stringify({ messages }),
  });
}
