import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import pg from "pg";
import type { SessionPolicy } from "../src/admin/sessions.js";
import { createUser, type Role } from "../src/admin/users.js";
import type { ReadBudget } from "../src/analytics/refresh-cycles.js";
import type { Clock } from "../src/clock.js";
import type { Database } from "../src/db/database.js";
import { loadMigrations, migrate } from "../src/db/migrate.js";
import { migrationsDir } from "../src/db/open.js";
import { openPglite } from "../src/db/pglite.js";
import { openPostgres } from "../src/db/postgres.js";
import { createLogger } from "../src/logger.js";
import { type App, buildApp } from "../src/server/app.js";

/** Tests run on PGlite by default and on the PostgreSQL server of DATABASE_URL when it is set. */
export const serverUrl = process.env.DATABASE_URL ?? null;
export const onPostgres = serverUrl !== null;

export interface TestDatabase {
  db: Database;
  /** the connection string of this test's own database (PostgreSQL only) */
  url: string | null;
  migrationCount: number;
  drop(): Promise<void>;
}

let citusServer: Promise<boolean> | null = null;

/**
 * Whether DATABASE_URL is a Citus coordinator. There a test gets its own schema rather than its own database:
 * Citus needs its extension in every database of every node, and a schema is enough to keep tests apart.
 * btree_gist goes to `public` once, so that no test schema owns (and drops) it.
 */
function onCitusServer(url: string): Promise<boolean> {
  citusServer ??= (async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
      if (rows.length === 0) return false;
      await admin.query("SELECT pg_advisory_lock(7305222)");
      await admin.query("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public");
      await admin.query("SELECT pg_advisory_unlock(7305222)");
      return true;
    } finally {
      await admin.end();
    }
  })();
  return citusServer;
}

/** A fresh, empty, migrated database: its own PostgreSQL database (a schema on Citus), or a PGlite in memory. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrations = await loadMigrations(migrationsDir());
  if (!serverUrl) {
    const db = await openPglite();
    if (options.migrate !== false) await migrate(db, migrations);
    return { db, url: null, migrationCount: migrations.length, drop: () => db.close() };
  }
  const name = `pumpwatch_test_${randomBytes(6).toString("hex")}`;
  if (await onCitusServer(serverUrl)) return createTestSchema(serverUrl, name, migrations, options);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = openPostgres({ connectionString: url.toString(), maxConnections: 10, onError: () => {} });
  if (options.migrate !== false) await migrate(db, migrations);
  return {
    db,
    url: url.toString(),
    migrationCount: migrations.length,
    async drop() {
      await db.close().catch(() => {});
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

async function createTestSchema(
  serverUrl: string,
  name: string,
  migrations: Awaited<ReturnType<typeof loadMigrations>>,
  options: { migrate?: boolean },
): Promise<TestDatabase> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.searchParams.set("options", `-c search_path=${name},public`);
  const db = openPostgres({ connectionString: url.toString(), maxConnections: 10, onError: () => {} });
  if (options.migrate !== false) await migrate(db, migrations);
  return {
    db,
    url: url.toString(),
    migrationCount: migrations.length,
    async drop() {
      await db.close().catch(() => {});
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await cleanup.end();
    },
  };
}

export class FakeClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(date: Date): void {
    this.current = new Date(date);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** Collects every log line, to check what the service writes. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    callback();
  }
  get text(): string {
    return this.lines.join("\n");
  }
}

export const BOOTSTRAP_KEY = "bootstrap-key-for-tests-0123456789";

export async function createTestApp(
  db: Database,
  options: {
    clock?: Clock;
    migrationCount: number;
    logs?: LogCapture;
    bodyLimitBytes?: number;
    ingestMaxConcurrentBatches?: number;
    publicDashboard?: boolean;
    sessionPolicy?: SessionPolicy;
    timeZone?: string;
    gridFactor?: { kgCo2ePerKwh: number; source: string };
    cycleReadBudget?: ReadBudget;
  },
): Promise<App> {
  return buildApp({
    db,
    clock: options.clock ?? new FakeClock(new Date("2025-10-08T23:00:00Z")),
    logger: createLogger(options.logs ? "debug" : "silent", options.logs),
    ingestApiKey: BOOTSTRAP_KEY,
    bodyLimitBytes: options.bodyLimitBytes ?? 8 * 1024 * 1024,
    migrationCount: options.migrationCount,
    ...(options.ingestMaxConcurrentBatches
      ? { ingestMaxConcurrentBatches: options.ingestMaxConcurrentBatches }
      : {}),
    ...(options.publicDashboard !== undefined ? { publicDashboard: options.publicDashboard } : {}),
    ...(options.sessionPolicy ? { sessionPolicy: options.sessionPolicy } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    ...(options.gridFactor ? { gridFactor: options.gridFactor } : {}),
    // Tests check what a read answers, not how long it may wait: a loaded machine must not turn a fresh answer
    // into a `refreshing` one. The budget itself is tested in test/cycles-upkeep.test.ts.
    cycleReadBudget: options.cycleReadBudget ?? { budgetMs: Number.POSITIVE_INFINITY },
  });
}

/** Headers a browser page of the service sends with a state-changing request (the CSRF rule). */
export const SAME_ORIGIN = { "x-requested-with": "pumpwatch", origin: "http://localhost" } as const;

export const TEST_PASSWORD = "correct horse battery staple";

/** Creates a user (default role viewer, password TEST_PASSWORD). */
export async function createTestUser(
  db: Database,
  email: string,
  role: Role = "viewer",
  password = TEST_PASSWORD,
): Promise<void> {
  await createUser(db, { email, password, role }, new Date("2025-10-01T00:00:00Z"));
}

/**
 * Logs in through the API; returns the `cookie` header to send with later requests. Creates the user
 * first when `role` is given. Usage: `app.inject({ url, headers: await loginAs(app, db, "a@x.org", "admin") })`.
 */
export async function loginAs(
  app: App,
  db: Database,
  email: string,
  role?: Role,
  password = TEST_PASSWORD,
): Promise<{ cookie: string }> {
  if (role) await createTestUser(db, email, role, password);
  const response = await app.inject({
    method: "POST",
    url: "/api/auth/login",
    headers: { "content-type": "application/json", ...SAME_ORIGIN },
    payload: JSON.stringify({ email, password }),
  });
  const session = response.cookies.find((c) => c.name === "pw_session");
  if (response.statusCode !== 200 || !session) {
    throw new Error(`login failed: HTTP ${response.statusCode} ${response.body}`);
  }
  return { cookie: `pw_session=${session.value}` };
}
