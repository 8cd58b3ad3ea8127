import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../scripts/demo-seed.js";
import { createUser } from "../src/admin/users.js";
import { evaluateRound } from "../src/alerts/evaluate.js";
import { refreshPendingCycles } from "../src/analytics/refresh-cycles.js";
import { restoreEmbedded, serveBackupRequests } from "../src/backup/embedded.js";
import { BackupError, POSTGRES_RECIPE } from "../src/backup/errors.js";
import { parseConfig } from "../src/config.js";
import type { Database } from "../src/db/database.js";
import { openAndMigrate, openDatabase } from "../src/db/open.js";
import { ingestBatch } from "../src/ingest/ingest-batch.js";
import { createLogger } from "../src/logger.js";
import { dropExpiredReadings } from "../src/retention/raw-readings.js";
import { startService } from "../src/service.js";
import { createTestApp, createTestDatabase, FakeClock, onPostgres, SAME_ORIGIN } from "./harness.js";

// These tests are about the embedded database: they make their own PGlite folders under a temporary
// directory and give the commands no DATABASE_URL, whichever database the rest of the suite runs on.

const NOW = new Date("2026-03-10T12:00:00Z");
let root: string;
let source: string;
/** per table of the source database, as read from it (not from the commands' output) */
let expected: Fingerprint;

type Fingerprint = Record<string, { rows: number; digest: string }>;

/** Every table's row count and a digest of its rows' content, and every sequence's position. */
async function fingerprint(db: Database): Promise<Fingerprint> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const result: Fingerprint = {};
  for (const { table_name } of tables) {
    const { rows } = await db.query<{ n: number; digest: string }>(
      `SELECT count(*)::int AS n,
              md5(coalesce(string_agg(to_jsonb(t)::text, E'\\n' ORDER BY to_jsonb(t)::text), '')) AS digest
         FROM "${table_name}" t`,
    );
    result[table_name] = { rows: rows[0]?.n ?? -1, digest: rows[0]?.digest ?? "" };
  }
  const { rows: sequences } = await db.query<{ name: string; last_value: string | null }>(
    "SELECT sequencename AS name, last_value::text FROM pg_sequences WHERE schemaname = current_schema()",
  );
  for (const sequence of sequences) {
    result[`sequence ${sequence.name}`] = { rows: 0, digest: sequence.last_value ?? "unused" };
  }
  return result;
}

async function fingerprintOf(dataDir: string): Promise<Fingerprint> {
  const db = await openDatabase({ databaseUrl: null, dataDir });
  try {
    return await fingerprint(db);
  } finally {
    await db.close();
  }
}

interface Run {
  code: number | null;
  out: string;
}

/** `npm run backup` / `npm run restore` as an operator runs them, on the embedded database of `dataDir`. */
function run(script: "backup" | "restore", args: string[], env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", `scripts/${script}.ts`, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, out })));
}

/** A database with rows in every table, filled through the service's own use cases where there is one. */
async function fill(dataDir: string): Promise<void> {
  const { db, migrationCount } = await openAndMigrate({ databaseUrl: null, dataDir });
  await fillDatabase(db, migrationCount);
}

async function fillDatabase(db: Database, migrationCount: number): Promise<void> {
  const clock = new FakeClock(NOW);
  const app = await createTestApp(db, { clock, migrationCount, timeZone: "UTC" });
  try {
    const seed = await seedDemo(
      { app, db },
      { now: NOW, timeZone: "UTC", admin: null, ingestKey: null, days: 1 },
    );
    const login = (email: string, password: string) =>
      app.inject({
        method: "POST",
        url: "/api/auth/login",
        headers: { "content-type": "application/json", ...SAME_ORIGIN },
        payload: JSON.stringify({ email, password }),
      });
    const session = (await login(seed.adminEmail, `${seed.adminPassword}`)).cookies.find(
      (c) => c.name === "pw_session",
    );
    // A failed login is counted (throttling), and kept.
    expect((await login("inconnu@station.sn", "pas le bon mot de passe")).statusCode).toBe(401);
    // A read detects the cycles of everything ingested.
    const cycles = await app.inject({
      url: "/api/cycles?from=2026-03-09&to=2026-03-10",
      headers: { cookie: `pw_session=${session?.value}` },
    });
    expect(cycles.json().cycles.length).toBeGreaterThan(0);
    // Three hours without data: every meter is offline, and its alert opens.
    const round = await evaluateRound(db, new Date(NOW.getTime() + 3 * 3_600_000), { holder: "test" });
    expect(round?.opened).toBeGreaterThan(0);
    const device = seed.devices[0]?.id;
    await db.query(
      `INSERT INTO alert_rule_settings (device_id, channel, rule, enabled, threshold, updated_at, updated_by)
       VALUES ($1, 0, 'cycle_too_long', true, 45, $2, 'demo@pumpwatch.local')`,
      [device, NOW],
    );
    await db.query(
      `INSERT INTO maintenance_windows (device_id, channel, starts_at, ends_at, reason, created_by)
       VALUES ($1, -1, $2, $3, 'Curage du poste', 'demo@pumpwatch.local')`,
      [device, NOW, new Date(NOW.getTime() + 86_400_000)],
    );
    await db.query(
      `INSERT INTO imported_history (device_id, channel, source, from_ts, to_ts, filtered_at_most_w,
                                     rows_imported, rows_at_most_w, imported_at)
       VALUES ($1, 1, 'predecessor', '2025-01-01T00:00:00Z', '2026-03-08T00:00:00Z', 10, 1234, 5, $2)`,
      [device, NOW],
    );
    // Notification settings (migration 0011): a user's choices, the webhook, a digest already sent.
    await db.query(
      `INSERT INTO alert_notification_prefs (user_id, email_enabled, severities, device_ids, digest, updated_at)
       SELECT min(id), true, ARRAY['critical'], ARRAY[$1::text], true, $2 FROM users`,
      [device, NOW],
    );
    await db.query(
      `INSERT INTO alert_webhook (id, url, secret, enabled, updated_at, updated_by)
       VALUES (1, 'https://exemple.sn/pumpwatch', 'secret-de-signature-0123', true, $1, 'demo@pumpwatch.local')`,
      [NOW],
    );
    await db.query(
      `INSERT INTO alert_digests (user_id, day, target, state, attempts, next_attempt_at, created_at, updated_at)
       SELECT min(id), '2026-03-09', 'demo@pumpwatch.local', 'sent', 1, $1, $1, $1 FROM users`,
      [NOW],
    );
    // The operating journal and the monthly report by e-mail (migration 0014).
    await db.query(
      `INSERT INTO journal_entries (device_id, channel, occurred_at, kind, text, author, author_id, created_at, updated_at)
       SELECT $1, 0, $2, 'pump_overhaul', 'Révision de la pompe 1, roue changée', email, id, $2, $2
         FROM users ORDER BY id LIMIT 1`,
      [device, NOW],
    );
    await db.query(
      "INSERT INTO report_preferences (user_id, monthly_email, updated_at) SELECT min(id), true, $1 FROM users",
      [NOW],
    );
    await db.query(
      `INSERT INTO report_mailings (user_id, month, subject, target, state, attempts, next_attempt_at, created_at, updated_at)
       SELECT min(id), '2026-02-01', $1, 'demo@pumpwatch.local', 'sent', 1, $2, $2, $2 FROM users`,
      [`device:${device}`, NOW],
    );
    // Sites and access (migration 0013): a site, a meter placed on it, a restricted operator, a share link.
    const site = await app.inject({
      method: "POST",
      url: "/api/admin/sites",
      headers: { cookie: `pw_session=${session?.value}`, "content-type": "application/json", ...SAME_ORIGIN },
      payload: JSON.stringify({
        name: "Station de Ndiassane",
        time_zone: "Africa/Dakar",
        population_equivalent: 800,
      }),
    });
    expect(site.statusCode).toBe(201);
    const placed = await app.inject({
      method: "PUT",
      url: `/api/admin/devices/${device}/site`,
      headers: { cookie: `pw_session=${session?.value}`, "content-type": "application/json", ...SAME_ORIGIN },
      payload: JSON.stringify({ site_id: site.json().id }),
    });
    expect(placed.statusCode).toBe(200);
    await db.query(
      `INSERT INTO users (email, password_hash, role, created_at, created_by, site_ids)
       SELECT 'exploitant@ndiassane.sn', password_hash, 'operator', $1, 'demo@pumpwatch.local', ARRAY[$2::int]
         FROM users ORDER BY id LIMIT 1`,
      [NOW, site.json().id],
    );
    await db.query(
      `INSERT INTO share_links (site_id, token_hash, label, created_at, created_by, expires_at)
       VALUES ($1, sha256('lien-de-test'::bytea), 'Mairie', $2, 'demo@pumpwatch.local', $3)`,
      [site.json().id, NOW, new Date(NOW.getTime() + 30 * 86_400_000)],
    );
    await db.query(
      `INSERT INTO app_settings (key, value, updated_at, updated_by)
       VALUES ('grid_factor', '{"kgCo2ePerKwh": 0.052, "source": "ADEME, mix moyen"}', $1, 'demo@pumpwatch.local')`,
      [NOW],
    );
    // A month of readings older than the retention, summed then dropped (migration 0019): the tables that
    // remember it have rows, and the month's partition is gone.
    const november = Date.parse("2025-11-12T06:00:00Z") / 1000;
    await ingestBatch(
      db,
      Array.from({ length: 30 }, (_, i) => ({
        src: seed.devices[0]?.id,
        timestamp: november + i * 60,
        params: { "switch:0": { apower: i > 5 && i < 20 ? 640 : 3, voltage: 230 } },
      })),
      { nowS: NOW.getTime() / 1000, receivedAt: NOW },
    );
    await refreshPendingCycles(db, { nowMinute: NOW.getTime() / 60_000, detectedAt: NOW });
    expect((await dropExpiredReadings(db, NOW, 1)).dropped).toEqual(["readings_y2025m11"]);
  } finally {
    await app.close();
    await db.close();
  }
}

/** The commands of the recipe `npm run backup` prints when DATABASE_URL is set. */
function recipeCommand(tool: "pg_dump" | "pg_restore"): string {
  const line = POSTGRES_RECIPE.split("\n").find((l) => l.includes(`${tool} --`));
  if (!line) throw new Error(`no ${tool} in the recipe`);
  return line.trim();
}

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "pumpwatch-backup-"));
  source = join(root, "source");
  await fill(source);
  expected = await fingerprintOf(source);
}, 300_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("npm run backup and npm run restore, embedded database", () => {
  it("the database to back up has rows in every table that holds data", () => {
    const empty = Object.entries(expected)
      .filter(([name, table]) => !name.startsWith("sequence ") && table.rows === 0)
      .filter(([name]) => !/^readings_y\d{4}m\d{2}$/.test(name))
      .map(([name]) => name);
    // The refresh queue is empty once every cycle is detected, as it should be; the months of readings
    // created ahead of the data are empty too.
    expect(empty.sort()).toEqual(["cycle_refresh_queue"]);
    for (const table of ["readings", "devices", "cycles", "channel_config_versions", "users", "api_keys"]) {
      expect(expected[table]?.rows, table).toBeGreaterThan(0);
    }
    expect(expected.alerts?.rows).toBeGreaterThan(0);
  });

  it("backs up a stopped database and restores every row into a fresh folder", async () => {
    const file = join(root, "stopped.tar.gz");
    const backup = await run("backup", ["--to", file], { DATA_DIR: source });
    expect(backup.out).toContain("Sauvegarde écrite");
    expect(backup.code).toBe(0);
    // Backing up does not leave the folder held.
    expect(existsSync(join(source, "pumpwatch.pid"))).toBe(false);

    const fresh = join(root, "fresh-from-stopped");
    const restore = await run("restore", ["--from", file], { DATA_DIR: fresh });
    expect(restore.code, restore.out).toBe(0);
    expect(restore.out).toContain(`readings : ${expected.readings?.rows.toLocaleString("fr-FR")}`);
    expect(await fingerprintOf(fresh)).toEqual(expected);
  }, 300_000);

  it("backs up a database another process holds through that process, with what it has just written", async () => {
    const held = await openDatabase({ databaseUrl: null, dataDir: source });
    const serving = serveBackupRequests({
      db: held,
      dataDir: source,
      logger: createLogger("silent"),
      intervalMs: 50,
    });
    const file = join(root, "held.tar.gz");
    let live: Fingerprint;
    try {
      await createUser(
        held,
        { email: "nouvelle@station.sn", password: "un mot de passe assez long", role: "viewer" },
        NOW,
      );
      live = await fingerprint(held);
      expect(live.users?.rows).toBe((expected.users?.rows ?? 0) + 1);

      const backup = await run("backup", ["--to", file], { DATA_DIR: source });
      expect(backup.code, backup.out).toBe(0);
      expect(backup.out).toContain(`processus ${process.pid}`);

      // Restoring over a folder in use is refused, and nothing is touched.
      const refused = await run("restore", ["--from", file, "--force"], { DATA_DIR: source });
      expect(refused.code).toBe(3);
      expect(refused.out).toMatch(/arrêtez le service/);
      expect(await fingerprint(held)).toEqual(live);
    } finally {
      await serving.stop();
      await held.close();
    }
    // The service's request folder holds nothing once the backup is done.
    expect(readdirSync(join(source, "backup-requests"))).toEqual([]);

    const fresh = join(root, "fresh-from-held");
    const restored = await restoreEmbedded({ dataDir: fresh, from: file, force: false });
    expect(restored.previous).toBeNull();
    expect(await fingerprintOf(fresh)).toEqual(live);
  }, 300_000);

  it("refuses to replace a database without --force, keeps it on a bad file, and keeps the old one aside", async () => {
    const target = join(root, "fresh-from-stopped");
    const before = await fingerprintOf(target);
    const newer = join(root, "held.tar.gz");

    const refused = await restoreEmbedded({ dataDir: target, from: newer, force: false }).catch((e) => e);
    expect(refused).toBeInstanceOf(BackupError);
    expect((refused as BackupError).failure).toBe("exists");
    expect((refused as BackupError).message).toMatch(/existe déjà.*--force/);
    expect(await fingerprintOf(target)).toEqual(before);

    const truncated = join(root, "truncated.tar.gz");
    const bytes = await readFile(newer);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const bad = await run("restore", ["--from", truncated, "--force"], { DATA_DIR: target });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/tronquée ou endommagée/);
    expect(await fingerprintOf(target)).toEqual(before);
    expect(readdirSync(target).sort()).toEqual(["pgdata"]);

    const replaced = await run("restore", ["--from", newer, "--force"], { DATA_DIR: target });
    expect(replaced.code, replaced.out).toBe(0);
    const kept = readdirSync(target).filter((name) => name.startsWith("pgdata.avant-restauration-"));
    expect(kept).toHaveLength(1);
    expect(replaced.out).toContain(kept[0]);
    expect((await fingerprintOf(target)).users?.rows).toBe((before.users?.rows ?? 0) + 1);
  }, 300_000);

  it("refuses to overwrite a backup file without --force, and sends a PostgreSQL user to pg_dump", async () => {
    const file = join(root, "stopped.tar.gz");
    const original = await readFile(file);
    const refused = await run("backup", ["--to", file], { DATA_DIR: source });
    expect(refused.code).toBe(3);
    expect(refused.out).toMatch(/existe déjà.*--force/);
    expect(await readFile(file)).toEqual(original);

    const postgres = { DATABASE_URL: "postgres://pumpwatch@db.example/pumpwatch", DATA_DIR: source };
    const backup = await run("backup", ["--to", join(root, "pg.dump")], postgres);
    expect(backup.code).toBe(4);
    expect(backup.out).toContain("pg_dump --format=custom");
    const restore = await run("restore", ["--from", join(root, "pg.dump")], postgres);
    expect(restore.code).toBe(4);
    expect(restore.out).toContain("pg_restore --no-owner --no-acl --file=-");
    expect(existsSync(join(root, "pg.dump"))).toBe(false);

    const usage = await run("backup", [], { DATA_DIR: source });
    expect(usage.code).toBe(2);
  }, 300_000);

  it("says in French why a file is no backup, and changes nothing", async () => {
    const target = join(root, "bad-files");
    await mkdir(target);
    const cases: [string, Uint8Array, RegExp][] = [
      ["texte.tar.gz", Buffer.from("ceci n'est pas une sauvegarde\n"), /n'est pas une sauvegarde pumpwatch/],
      ["vide.tar.gz", new Uint8Array(0), /n'est pas une sauvegarde pumpwatch/],
      ["pas-un-tar.tar.gz", gzipSync("bonjour"), /tronquée ou endommagée/],
      // A well-formed tar holding one file, not a data folder.
      ["autre.tar.gz", gzipSync(tarOf("notes.txt", "bonjour")), /pas de dossier de données PostgreSQL/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = join(root, name);
      await writeFile(file, bytes);
      const error = await restoreEmbedded({ dataDir: target, from: file, force: true }).catch((e) => e);
      expect(error, name).toBeInstanceOf(BackupError);
      expect((error as BackupError).message, name).toMatch(message);
      expect((error as BackupError).failure, name).toBe("bad_file");
    }
    const missing = await restoreEmbedded({
      dataDir: target,
      from: join(root, "absent.tar.gz"),
      force: true,
    }).catch((e) => e);
    expect((missing as BackupError).message).toMatch(/ne se lit pas/);
    expect(readdirSync(target)).toEqual([]);
  });

  it("the service as npm start runs it answers a backup while it runs", async () => {
    const dataDir = join(root, "fresh-from-held");
    const service = await startService(
      parseConfig({ DATA_DIR: dataDir, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" }),
      createLogger("silent"),
    );
    const file = join(root, "running.tar.gz");
    // Tables the service's background work (cycle upkeep, alert evaluation) does not write to.
    const stable = ["readings", "devices", "users", "api_keys", "channel_config_versions", "pump_models"];
    let live: Fingerprint;
    try {
      const backup = await run("backup", ["--to", file], { DATA_DIR: dataDir });
      expect(backup.code, backup.out).toBe(0);
      expect(backup.out).toContain(`processus ${process.pid}`);
      live = await fingerprint(service.db);
    } finally {
      await service.stop();
    }
    const fresh = join(root, "fresh-from-running");
    await restoreEmbedded({ dataDir: fresh, from: file, force: false });
    const restored = await fingerprintOf(fresh);
    for (const table of stable) expect(restored[table], table).toEqual(live[table]);
  }, 300_000);
});

describe.skipIf(!onPostgres || !hasTool("pg_dump") || !hasTool("pg_restore"))(
  "the PostgreSQL recipe the commands print",
  () => {
    it("pg_dump then pg_restore into another database finds every row, and again over it", async () => {
      const from = await createTestDatabase();
      const to = await createTestDatabase({ migrate: false });
      try {
        await fillDatabase(from.db, from.migrationCount);
        const reopened = await createTestDatabaseView(from.url);
        const source = await fingerprint(reopened.db);
        await reopened.close();
        const cwd = await mkdtemp(join(tmpdir(), "pumpwatch-pgdump-"));
        try {
          const sh = (command: string, url: string | null) =>
            execFileSync("sh", ["-c", command], { cwd, env: { ...process.env, DATABASE_URL: url ?? "" } });
          sh(recipeCommand("pg_dump"), from.url);
          sh(recipeCommand("pg_restore"), to.url);
          expect(await fingerprint(to.db)).toEqual(source);
          // Over a database that already holds it (and a row more): the restore puts back what the dump holds.
          await createUser(
            to.db,
            { email: "de.trop@station.sn", password: "un mot de passe assez long", role: "viewer" },
            NOW,
          );
          sh(recipeCommand("pg_restore"), to.url);
          expect(await fingerprint(to.db)).toEqual(source);
        } finally {
          await rm(cwd, { recursive: true, force: true });
        }
      } finally {
        await from.drop();
        await to.drop();
      }
    }, 300_000);
  },
);

/** fillDatabase closes what it is given; the fingerprint is read through a connection of its own. */
async function createTestDatabaseView(url: string | null): Promise<{ db: Database; close(): Promise<void> }> {
  const db = await openDatabase({ databaseUrl: url, dataDir: "" });
  return { db, close: () => db.close() };
}

/** A one-file ustar archive. */
function tarOf(name: string, content: string): Buffer {
  const data = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${data.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  header.fill(" ", 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  data.copy(body);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}
