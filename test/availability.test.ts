import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../src/server/app.js";
import { shutdown } from "../src/server/lifecycle.js";
import { DEVICE } from "./fixtures.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  LogCapture,
  onPostgres,
  type TestDatabase,
} from "./harness.js";

let t: TestDatabase;
let app: App;
let logs: LogCapture;

beforeEach(async () => {
  t = await createTestDatabase();
  logs = new LogCapture();
  app = await createTestApp(t.db, { migrationCount: t.migrationCount, logs });
});
afterEach(async () => {
  await app.close();
  await t.drop();
});

const batch = {
  messages: Array.from({ length: 300 }, (_, i) => ({
    src: DEVICE,
    timestamp: 1759900000 + Math.floor(i / 4) * 60,
    params: { [`switch:${i % 4}`]: { apower: 400 + i, voltage: 230 } },
  })),
};

const ingest = () =>
  app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY },
    payload: JSON.stringify(batch),
  });

const count = async () =>
  (await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM readings")).rows[0]?.n;

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Holds the batch's transaction inside the database: on PostgreSQL another session locks the devices
 * table (the batch has written its readings and waits there); on PGlite, whose single connection runs one
 * transaction at a time, an open transaction makes the batch queue behind it.
 */
async function holdBatch(): Promise<{ release(): Promise<void>; waiting(): Promise<boolean> }> {
  if (t.url) {
    const blocker = new pg.Client({ connectionString: t.url });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE devices IN EXCLUSIVE MODE");
    return {
      waiting: async () =>
        (
          await blocker.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
          )
        ).rowCount === 1,
      async release() {
        await blocker.query("ROLLBACK").catch(() => {});
        await blocker.end();
      },
    };
  }
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const held = t.db.transaction(async (tx) => {
    await tx.query("SELECT 1");
    await gate;
  });
  return {
    waiting: async () => logs.text.includes('"url":"/api/ingest/batch"'),
    async release() {
      open();
      await held;
    },
  };
}

describe("database unavailable", () => {
  it.runIf(onPostgres)(
    "connection killed during a batch → 503 with Retry-After, nothing stored; the retry stores everything once",
    async () => {
      const hold = await holdBatch();
      const pending = ingest();
      await until(hold.waiting, "the batch to wait on its lock");
      const admin = new pg.Client({ connectionString: t.url ?? "" });
      await admin.connect();
      const killed = await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      await admin.end();
      expect(killed.rowCount).toBe(1);
      const response = await pending;
      await hold.release();

      expect(response.statusCode).toBe(503);
      expect(response.headers["retry-after"]).toBe("5");
      expect(response.json().error.code).toBe("database_unavailable");
      expect(response.body).not.toMatch(/terminat|SQL|postgres/i);
      expect(await count()).toBe(0);

      const retry = await ingest();
      expect(retry.statusCode).toBe(200);
      expect(retry.json()).toMatchObject({ inserted: 300, duplicates: 0 });
      const again = await ingest();
      expect(again.json()).toMatchObject({ inserted: 0, duplicates: 300 });
      expect(await count()).toBe(300);
    },
  );

  it("database gone → 503 with Retry-After on ingestion, 503 on /api/ready, 200 on /api/health", async () => {
    expect((await app.inject({ url: "/api/ready" })).json()).toEqual({ status: "ready", mqtt: "off" });
    await t.db.close();
    const response = await ingest();
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("5");
    expect(response.json().error).toMatchObject({ code: "database_unavailable" });
    const ready = await app.inject({ url: "/api/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: "unavailable", mqtt: "off" });
    expect((await app.inject({ url: "/api/health" })).json()).toEqual({ status: "ok" });
  });

  it("/api/ready is 503 while a migration is missing", async () => {
    const behind = await createTestApp(t.db, { migrationCount: t.migrationCount + 1 });
    expect((await behind.inject({ url: "/api/ready" })).statusCode).toBe(503);
    await behind.close();
  });
});

describe("graceful shutdown", () => {
  async function listen(): Promise<string> {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    return `http://127.0.0.1:${address.port}`;
  }
  const postOverHttp = (base: string) =>
    fetch(`${base}/api/ingest/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": BOOTSTRAP_KEY },
      body: JSON.stringify(batch),
    });

  it("/api/ready answers 503 as soon as draining starts", async () => {
    app.lifecycle.draining = true;
    const ready = await app.inject({ url: "/api/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: "unavailable", mqtt: "off" });
  });

  it("refuses new requests, lets the batch in flight commit, then closes the database", async () => {
    const base = await listen();
    const hold = await holdBatch();
    const pending = postOverHttp(base);
    await until(hold.waiting, "the batch to be in flight");
    const stopping = shutdown(app, t.db, 10_000);
    expect(app.lifecycle.draining).toBe(true);
    const late = await fetch(`${base}/api/ready`).then(
      (r) => r.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(late);
    await hold.release();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ inserted: 300 });
    expect(await stopping).toBe(true);
    if (t.url) {
      // The service's pool is closed; what was committed is read through a fresh connection.
      const check = new pg.Client({ connectionString: t.url });
      await check.connect();
      expect((await check.query("SELECT count(*)::int AS n FROM readings")).rows[0].n).toBe(300);
      await check.end();
    }
  });

  it("gives up after its time limit and says so", async () => {
    const base = await listen();
    const hold = await holdBatch();
    const pending = postOverHttp(base).catch(() => null);
    await until(hold.waiting, "the batch to be in flight");
    expect(await shutdown(app, t.db, 200)).toBe(false);
    await hold.release();
    await pending;
  });
});
