import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { startService } from "../src/service.js";
import { createTestDatabase, type TestDatabase } from "./harness.js";

// The service as main.ts starts it: its own database (a PGlite folder, or a fresh PostgreSQL database),
// migrations at start-up, the background cycle upkeep, a real port.
async function serviceEnvironment(cleanups: (() => Promise<void>)[]): Promise<Record<string, string>> {
  const env: Record<string, string> = { PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" };
  const database: TestDatabase = await createTestDatabase({ migrate: false });
  if (database.url) {
    await database.db.close();
    env.DATABASE_URL = database.url;
    cleanups.push(() => database.drop());
  } else {
    await database.drop();
    const dir = await mkdtemp(join(tmpdir(), "pumpwatch-service-"));
    env.DATA_DIR = dir;
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
  }
  return env;
}

describe("the service as started by npm start", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("starts, answers, and stops cleanly in process", async () => {
    const env = await serviceEnvironment(cleanups);
    const config = parseConfig(env);
    const service = await startService(config, createLogger("silent"));
    try {
      expect((await fetch(`${service.url}/api/health`)).status).toBe(200);
      expect((await fetch(`${service.url}/api/ready`)).status).toBe(200);
    } finally {
      expect(await service.stop()).toBe(true);
    }
    await expect(fetch(`${service.url}/api/health`)).rejects.toThrow();
  });

  it("runs as a process and exits 0 on SIGTERM", async () => {
    const env = await serviceEnvironment(cleanups);
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let output = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("exit", () => reject(new Error(`exited before listening:\n${output}`)));
    });
    expect((await fetch(`${url}/api/ready`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"shutting down"');
  }, 60_000);
});
