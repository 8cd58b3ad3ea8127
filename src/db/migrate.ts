import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Database, Queryable } from "./database.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationError(`migration file name not of the form NNNN_name.sql: ${file}`);
    const sql = await readFile(join(dir, file), "utf8");
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new MigrationError(`two migrations numbered ${version}`);
    }
    migrations.push({ version, name: match[2] ?? "", sql, checksum: checksum(sql) });
  }
  return migrations;
}

// Line endings are normalised so a checkout with CRLF does not read as an edit.
function checksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

const MIGRATION_LOCK = 7305221;

/**
 * Applies the migrations not yet applied, each in its own transaction, in order. Refuses to run at all
 * when an applied migration was edited or removed since: the schema would no longer be what the files say.
 * Returns the versions it applied.
 */
export async function migrate(db: Database, migrations: Migration[]): Promise<number[]> {
  await db.transaction(async (tx) => {
    // Two instances starting together on an empty database: IF NOT EXISTS alone is not safe against a
    // concurrent CREATE (one fails on pg_type's unique index), so the creation waits for the same lock.
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  const applied = new Map<number, AppliedRow>();
  const { rows } = await db.query<AppliedRow>("SELECT version, name, checksum FROM schema_migrations");
  for (const row of rows) applied.set(row.version, row);

  const files = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied.values()) {
    const file = files.get(row.version);
    if (!file) {
      throw new MigrationError(`migration ${row.version} (${row.name}) was applied but its file is gone`);
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${row.version} (${row.name}) was edited after it was applied; add a new migration instead`,
      );
    }
  }

  const done: number[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await db.transaction(async (tx) => {
      // Two instances starting together: the second waits here, then finds the row and skips.
      await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      const again = await tx.query("SELECT 1 FROM schema_migrations WHERE version = $1", [migration.version]);
      if (again.rowCount > 0) return;
      await tx.exec(migration.sql);
      await giveTablesTheirClass(tx);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      done.push(migration.version);
    });
  }
  // A database that got the citus extension after its last migration: its tables are distributed now.
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await giveTablesTheirClass(tx);
  });
  return done;
}

/**
 * On Citus, distributes the tables a migration created (migration 0016's sweep: by device_id, or as reference
 * tables), in the migration's transaction, so that the next migration finds them distributed. Elsewhere, and
 * before 0016, a no-op.
 */
async function giveTablesTheirClass(tx: Queryable): Promise<void> {
  const { rows } = await tx.query<{ present: boolean }>(
    "SELECT to_regproc('citus_ready_sweep') IS NOT NULL AS present",
  );
  if (rows[0]?.present) await tx.query("SELECT citus_ready_sweep()");
}

export async function pendingMigrations(db: Database, migrations: Migration[]): Promise<number> {
  const { rows } = await db.query<{ version: number }>("SELECT version FROM schema_migrations");
  const applied = new Set(rows.map((r) => r.version));
  return migrations.filter((m) => !applied.has(m.version)).length;
}
