/**
 * Several instances behind one address share nothing but PostgreSQL (issue 10, item 3). Two real service
 * processes on one database: batches of the same meters posted alternately to both, sessions, login
 * throttling, API keys and settings used across them, the alert evaluator's lease, one instance killed
 * (SIGKILL) while it holds a channel's refresh claim; the survivor finishes the cycle upkeep, and every
 * stored cycle and the `/api/cycles` answer equal those of one in-process instance fed the same batches.
 */
import { type ChildProcess, spawn } from "node:child_process";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type SimMessage, simulateFleet } from "../simulator/index.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import { systemClock } from "../src/clock.js";
import type { Database } from "../src/db/database.js";
import { openPostgres } from "../src/db/postgres.js";
import { channelsWithQueuedRefreshes } from "../src/db/queries/cycle-refresh-queue.js";
import { cyclesInRange } from "../src/db/queries/cycles-in-range.js";
import { readingsInWindow } from "../src/db/queries/readings-in-window.js";
import { type ChannelRef, detectedPart } from "../src/db/queries/stored-cycle.js";
import { detectCycles } from "../src/domain/cycles/detect.js";
import type { App } from "../src/server/app.js";
import {
  BOOTSTRAP_KEY,
  createTestApp,
  createTestDatabase,
  loginAs,
  onPostgres,
  SAME_ORIGIN,
  type TestDatabase,
} from "./harness.js";

const INGEST_KEY = "multi-instance-ingest-key-0123456789";
const ADMIN = { email: "admin@filtreplante.test", password: "a long admin password" };
const START = "2026-10-01T00:00:00Z";
const DAYS = 3;
const FAR = { from: 29_000_000, to: 31_000_000 }; // unix minutes, 2025-02 to 2028-12
const GRID = { kg_co2e_per_kwh: 0.052, source: "ADEME Base Empreinte, mix moyen" };

/** Polls `probe` until it returns a value other than undefined; fails after `timeoutMs` with `what`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Instance {
  name: string;
  child: ChildProcess;
  pid: number;
  url: string;
  exited: Promise<number | null>;
  log(): string;
}

/** `node --import tsx src/main.ts`, as npm start runs it, with its own application_name on the database. */
async function startInstance(name: string, databaseUrl: string): Promise<Instance> {
  const url = new URL(databaseUrl);
  url.searchParams.set("application_name", `pumpwatch-${name}`);
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      DATABASE_URL: url.toString(),
      INGEST_API_KEY: INGEST_KEY,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      // rounds every 2 s, a lease of 3 s: the lease moves within the test's time
      ALERT_ROUND_SECONDS: "2",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-200_000);
      const match = /"msg":"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", () => reject(new Error(`${name} exited before listening:\n${output}`)));
  });
  const address = await Promise.race([
    listening,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${name}: no listening line in:\n${output}`)), 45_000),
    ),
  ]);
  return { name, child, pid: child.pid as number, url: address, exited, log: () => output };
}

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(
  instance: Instance,
  method: string,
  path: string,
  options: { cookie?: string; key?: string; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.cookie = options.cookie;
  if (options.key) headers["x-api-key"] = options.key;
  if (method !== "GET") {
    headers["x-requested-with"] = "pumpwatch";
    headers.origin = instance.url;
  }
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${instance.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

async function login(
  instance: Instance,
  email: string,
  password: string,
): Promise<Answer & { cookie?: string }> {
  const answer = await call(instance, "POST", "/api/auth/login", { body: { email, password } });
  const session = /pw_session=([^;]+)/.exec(answer.headers.get("set-cookie") ?? "");
  return session?.[1] ? { ...answer, cookie: `pw_session=${session[1]}` } : answer;
}

async function post(instance: Instance, key: string, messages: readonly SimMessage[]): Promise<void> {
  const answer = await call(instance, "POST", "/api/ingest/batch", { key, body: { messages } });
  expect(answer.status, `${instance.name}: ${JSON.stringify(answer.body)}`).toBe(200);
  expect((answer.body as { errors: number }).errors).toBe(0);
}

/** The reference: the same batches through one in-process app on a database of its own. */
async function feedReference(app: App, messages: readonly SimMessage[]): Promise<void> {
  const response = await app.inject({
    method: "POST",
    url: "/api/ingest/batch",
    headers: { "x-api-key": BOOTSTRAP_KEY, "content-type": "application/json" },
    payload: JSON.stringify({ messages }),
  });
  expect(response.statusCode, response.body).toBe(200);
}

const READINGS = `SELECT device_id, channel, ts, apower_w, voltage_v, current_a, power_factor, frequency_hz,
  energy_total_wh, energy_last_minute_wh, temperature_c, output, rank_apower, rank_voltage, rank_current,
  rank_power_factor, rank_frequency, rank_energy_total, rank_energy_minute, rank_temperature, rank_output
  FROM readings ORDER BY device_id, channel, ts`;
// every column but detected_at, which says when a refresher wrote the row
const CYCLES = `SELECT device_id, channel, start_ts, end_ts, last_active_ts, ongoing, noise, samples, duration_min,
  runtime_min, avg_power_w, avg_current_a, median_voltage_v, energy_wh
  FROM cycles ORDER BY device_id, channel, start_ts`;
const HOURS = `SELECT device_id, channel, hour_ts, threshold_w, active_n, power_sum::text, current_n,
  current_sum::text FROM channel_activity_hourly ORDER BY device_id, channel, hour_ts`;

/** Refresh claims held right now: backends inside a refresh step (the claim's upsert locks the table). */
async function claimHolders(monitor: pg.Client): Promise<{ pid: number; application_name: string }[]> {
  const { rows } = await monitor.query<{ pid: number; application_name: string }>(
    `SELECT a.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE a.datname = current_database() AND l.granted AND l.mode = 'RowExclusiveLock'
       AND l.relation = 'cycle_refresh_channels'::regclass`,
  );
  return rows;
}

describe.skipIf(!onPostgres)(
  "several instances on one PostgreSQL (needs DATABASE_URL: processes cannot share one embedded PGlite)",
  () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    });

    it("share sessions, throttling, keys, settings, the alert lease and the cycle upkeep, and compute one instance's cycles", async () => {
      const shared: TestDatabase = await createTestDatabase({ migrate: false });
      cleanups.push(() => shared.drop());
      await shared.db.close();
      const reference = await createTestDatabase();
      cleanups.push(() => reference.drop());
      const referenceApp = await createTestApp(reference.db, {
        migrationCount: reference.migrationCount,
        clock: systemClock,
      });
      cleanups.push(() => referenceApp.close());
      const monitor = new pg.Client({ connectionString: shared.url ?? "" });

      // Both start at once on an empty database: one applies the migrations, the other waits for them.
      const [a, b] = await Promise.all([
        startInstance("a", shared.url ?? ""),
        startInstance("b", shared.url ?? ""),
      ]);
      for (const instance of [a, b]) {
        cleanups.push(async () => {
          if (instance.child.exitCode === null && instance.child.signalCode === null) {
            instance.child.kill("SIGTERM");
            await instance.exited;
          }
        });
      }
      await monitor.connect();
      cleanups.push(() => monitor.end());

      const sim = simulateFleet({
        seed: 11,
        devices: 3,
        days: DAYS,
        start: START,
        duplicates: 0.01,
        reorder: 20,
      });
      const batches = [...sim.batches(500)];
      const firstDay = Math.floor(batches.length / DAYS);

      // ---- sessions, keys and settings across instances --------------------------------------------------
      const session = await login(a, ADMIN.email, ADMIN.password);
      expect(session.status).toBe(200);
      const cookie = session.cookie as string;
      expect((await call(b, "GET", "/api/auth/me", { cookie })).body).toEqual({
        email: ADMIN.email,
        role: "admin",
        site_ids: null,
      });

      const created = await call(a, "POST", "/api/admin/api-keys", {
        cookie,
        body: { name: "file d'attente B" },
      });
      expect(created.status).toBe(201);
      const keyOfA = (created.body as { key: string }).key;

      const saved = await call(a, "PUT", "/api/admin/settings", { cookie, body: { grid_factor: GRID } });
      expect(saved.status).toBe(200);
      const seenOnB = await call(b, "GET", "/api/admin/settings", { cookie });
      expect(seenOnB.body).toMatchObject({ grid_factor: GRID, grid_factor_origin: "stored" });

      // ---- the first day, alternately to A (bootstrap key) and B (the key A created) -----------------------
      for (let i = 0; i < firstDay; i += 2) {
        const pair = batches.slice(i, i + 2);
        await Promise.all([
          post(a, INGEST_KEY, pair[0] ?? []),
          pair[1] ? post(b, keyOfA, pair[1]) : undefined,
          ...pair.map((batch) => feedReference(referenceApp, batch)),
        ]);
      }
      // the same batch to both at once (a queue delivering twice), and one overlapping two batches
      const twice = batches[firstDay - 1] ?? [];
      await Promise.all([post(a, INGEST_KEY, twice), post(b, keyOfA, twice)]);
      const overlap = [...(batches[1] ?? []).slice(250), ...(batches[2] ?? []).slice(0, 250)];
      await Promise.all([post(b, INGEST_KEY, overlap), post(a, keyOfA, overlap)]);
      await feedReference(referenceApp, twice);
      await feedReference(referenceApp, overlap);

      // reads and an administrative change on B with A's session, seen on A
      const devices = await call(b, "GET", "/api/devices", { cookie });
      expect(devices.status).toBe(200);
      expect(
        (devices.body as { devices: { device_id: string }[] }).devices.map((d) => d.device_id).sort(),
      ).toEqual(sim.devices.map((d) => d.id).sort());
      const model = { name: "Pompe multi-instance", power_kw: 0.75, current_a: 4.8 };
      expect((await call(b, "POST", "/api/admin/pump-models", { cookie, body: model })).status).toBe(201);
      const models = await call(a, "GET", "/api/admin/pump-models", { cookie });
      expect(JSON.stringify(models.body)).toContain(model.name);

      // logout on B ends the session on A too
      expect((await call(b, "POST", "/api/auth/logout", { cookie })).status).toBe(204);
      expect((await call(a, "GET", "/api/auth/me", { cookie })).status).toBe(401);

      // login throttling counts the failures of both: 5 for one account, alternately → 429 on either
      for (let i = 0; i < 5; i++) {
        const failed = await login(i % 2 === 0 ? a : b, "intrus@example.org", `wrong password ${i}`);
        expect(failed.status).toBe(401);
      }
      for (const instance of [a, b]) {
        const refused = await login(instance, "intrus@example.org", "wrong password again");
        expect(refused.status).toBe(429);
        expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      }

      // ---- the alert evaluator: one lease, held by one of them ---------------------------------------------
      const holderPid = async () => {
        const { rows } = await monitor.query<{ holder: string }>(
          "SELECT holder FROM alert_evaluator_lease WHERE expires_at > now()",
        );
        const pid = Number(rows[0]?.holder.split("-")[0]);
        return Number.isInteger(pid) && pid > 0 ? pid : undefined;
      };
      const firstHolder = await until("an alert evaluator lease", holderPid);
      expect([a.pid, b.pid]).toContain(firstHolder);
      // the holder is the one killed, so the lease has to move
      const [victim, survivor] = firstHolder === a.pid ? [a, b] : [b, a];

      // ---- one instance killed while it holds a refresh claim ------------------------------------------
      // Writes to `cycles` wait behind this lock: each instance's refresh step stops after taking its
      // channel's claim, so the victim is mid-refresh, for sure, when it is killed.
      const blocker = new pg.Client({ connectionString: shared.url ?? "" });
      await blocker.connect();
      cleanups.push(() => blocker.end());
      await blocker.query("BEGIN");
      await blocker.query("LOCK TABLE cycles IN SHARE MODE");
      const rest = batches.slice(firstDay);
      const late = rest.splice(-6); // posted to the survivor after the kill
      for (let i = 0; i < rest.length; i += 2) {
        const pair = rest.slice(i, i + 2);
        await Promise.all([
          post(victim, INGEST_KEY, pair[0] ?? []),
          pair[1] ? post(survivor, INGEST_KEY, pair[1]) : undefined,
          ...pair.map((batch) => feedReference(referenceApp, batch)),
        ]);
      }
      const victimClaim = await until("the victim holding a refresh claim", async () => {
        const held = await claimHolders(monitor);
        return held.some((h) => h.application_name === `pumpwatch-${victim.name}`) ? held : undefined;
      });
      expect(victimClaim.length).toBeGreaterThan(0);
      victim.child.kill("SIGKILL");
      expect(await victim.exited).toBe(null);
      expect(victim.child.signalCode).toBe("SIGKILL");
      await blocker.query("COMMIT");

      for (const batch of late) {
        await post(survivor, INGEST_KEY, batch);
        await feedReference(referenceApp, batch);
      }

      // The survivor drains the queue on its own (the dead one's claim went with its connection)…
      await until(
        "the survivor to drain the refresh queue",
        async () => {
          const queued = await monitor.query("SELECT 1 FROM cycle_refresh_queue LIMIT 1");
          return queued.rowCount === 0 ? true : undefined;
        },
        60_000,
      );
      // …and nothing of the dead one is left: its backends (and so their claims) are gone, every channel's
      // claim row is free.
      await until("the dead instance's backends to end", async () => {
        const left = await monitor.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1", [
          `pumpwatch-${victim.name}`,
        ]);
        return left.rowCount === 0 ? true : undefined;
      });
      await monitor.query("BEGIN");
      await monitor.query("SET LOCAL lock_timeout = '5s'");
      // One meter at a time: Citus locks rows of one shard only (a FOR UPDATE across shards is refused).
      let claimed = 0;
      for (const device of sim.devices) {
        const claims = await monitor.query(
          "SELECT * FROM cycle_refresh_channels WHERE device_id = $1 FOR UPDATE",
          [device.id],
        );
        claimed += claims.rowCount ?? 0;
      }
      await monitor.query("COMMIT");
      expect(claimed).toBe(sim.devices.length * 4);

      // The lease moves to the survivor once the dead one's has expired.
      await until("the lease to move to the survivor", async () =>
        (await holderPid()) === survivor.pid ? true : undefined,
      );
      const openTwice = await monitor.query(
        `SELECT device_id, channel, rule FROM alerts WHERE ended_at IS NULL
         GROUP BY device_id, channel, rule HAVING count(*) > 1`,
      );
      expect(openTwice.rows).toEqual([]);

      // ---- the cycles are those of one instance --------------------------------------------------------
      const nowMinute = Math.floor(Date.now() / 60_000);
      for (let i = 0; i < 100 && (await channelsWithQueuedRefreshes(reference.db, null)).length > 0; i++) {
        await refreshPendingCycles(reference.db, { nowMinute });
      }
      expect(await channelsWithQueuedRefreshes(reference.db, null)).toEqual([]);
      const sharedDb: Database = openPostgres({
        connectionString: shared.url ?? "",
        maxConnections: 4,
        onError: () => {},
      });
      cleanups.push(() => sharedDb.close());

      const [readings, referenceReadings] = await Promise.all([
        sharedDb.query(READINGS),
        reference.db.query(READINGS),
      ]);
      expect(readings.rowCount).toBeGreaterThan(sim.devices.length * 4 * 1440 * (DAYS - 1));
      expect(readings.rows).toEqual(referenceReadings.rows);
      const [cycles, referenceCycles] = await Promise.all([
        sharedDb.query(CYCLES),
        reference.db.query(CYCLES),
      ]);
      expect(cycles.rowCount).toBeGreaterThan(sim.truth.length / 2);
      expect(cycles.rows).toEqual(referenceCycles.rows);
      const DEVICES = "SELECT device_id, model, first_seen FROM devices ORDER BY device_id";
      const [devicesRows, referenceDevices] = await Promise.all([
        sharedDb.query(DEVICES),
        reference.db.query(DEVICES),
      ]);
      expect(devicesRows.rows).toEqual(referenceDevices.rows);
      // last_seen is written when it moves by more than a minute (src/ingest/device-sightings.ts), by
      // whichever instance sees it move
      const lagging = await sharedDb.query(
        `SELECT d.device_id FROM devices d
         WHERE d.last_seen < (SELECT max(ts) FROM readings r WHERE r.device_id = d.device_id) - interval '1 minute'`,
      );
      expect(lagging.rows).toEqual([]);
      const [hours, referenceHours] = await Promise.all([sharedDb.query(HOURS), reference.db.query(HOURS)]);
      expect(hours.rows).toEqual(referenceHours.rows);

      // and those the pure detection gives from the stored readings, channel by channel
      for (const device of sim.devices) {
        for (const channel of [0, 1, 2, 3]) {
          const ref: ChannelRef = { deviceId: device.id, channel };
          const stored = await cyclesInRange(sharedDb, {
            channels: [ref],
            fromMinute: FAR.from,
            toMinute: FAR.to,
            limit: 100_000,
          });
          const detected = detectCycles(
            await readingsInWindow(sharedDb, ref, FAR.from, FAR.to),
            {},
            nowMinute,
          );
          expect(stored.reverse().map(detectedPart)).toEqual(detected);
        }
      }

      // the survivor's report equals the reference's (with the same stored setting)
      const query = "/api/cycles?from=2026-10-01&to=2026-10-04&include_noise=true&limit=10000";
      const again = await login(survivor, ADMIN.email, ADMIN.password);
      const report = await call(survivor, "GET", query, { cookie: again.cookie as string });
      expect(report.status).toBe(200);
      const referenceAdmin = await loginAs(referenceApp, reference.db, "ref@filtreplante.test", "admin");
      const referenceSaved = await referenceApp.inject({
        method: "PUT",
        url: "/api/admin/settings",
        headers: { ...referenceAdmin, ...SAME_ORIGIN, "content-type": "application/json" },
        payload: JSON.stringify({ grid_factor: GRID }),
      });
      expect(referenceSaved.statusCode).toBe(200);
      const referenceReport = await referenceApp.inject({ url: query, headers: referenceAdmin });
      expect(report.body).toEqual(referenceReport.json());
      expect((report.body as { total: number }).total).toBe(cycles.rowCount);
      expect((report.body as { summary: { grid_factor_source: string } }).summary.grid_factor_source).toBe(
        GRID.source,
      );
    }, 120_000);
  },
);
