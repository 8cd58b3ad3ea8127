import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./database.js";
import { loadMigrations, migrate } from "./migrate.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  poolSize?: number;
  onPoolError?: (error: Error) => void;
}

/** The `migrations/` folder of the project, found from this file whether it runs from src/ or dist/. */
export function migrationsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "migrations")))
      return join(dir, "migrations");
    const parent = dirname(dir);
    if (parent === dir) throw new Error("migrations folder not found");
    dir = parent;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The PostgreSQL data folder inside DATA_DIR. */
export const PGDATA = "pgdata";

/** The live process (not this one) whose pid file holds the embedded database in `dataDir`, if any. */
export function dataDirHolder(dataDir: string): number | null {
  const lockFile = join(dataDir, "pumpwatch.pid");
  if (!existsSync(lockFile)) return null;
  const pid = Number(readFileSync(lockFile, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid) ? pid : null;
}

/**
 * PGlite has no server to arbitrate between processes: two of them on one folder would corrupt it.
 * A pid file makes the second one stop with a clear message instead.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = join(dataDir, "pumpwatch.pid");
  const pid = dataDirHolder(dataDir);
  if (pid !== null) {
    throw new Error(
      `the embedded database in ${resolve(dataDir)} is in use by process ${pid}; stop it first or use DATABASE_URL`,
    );
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    return openPostgres({
      connectionString: options.databaseUrl,
      maxConnections: options.poolSize,
      onError: options.onPoolError,
    });
  }
  mkdirSync(options.dataDir, { recursive: true });
  const unlock = lockDataDir(options.dataDir);
  try {
    const db = await openPglite(join(options.dataDir, PGDATA));
    return {
      ...db,
      async close() {
        await db.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/** Opens the database and brings its schema up to date; returns how many migrations the code has. */
export async function openAndMigrate(
  options: OpenOptions,
): Promise<{ db: Database; migrationCount: number; applied: number[] }> {
  const db = await openDatabase(options);
  try {
    const migrations = await loadMigrations(migrationsDir());
    const applied = await migrate(db, migrations);
    return { db, migrationCount: migrations.length, applied };
  } catch (error) {
    await db.close();
    throw error;
  }
}
