import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { gunzipSync } from "node:zlib";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import { loadMigrations } from "../db/migrate.js";
import { dataDirHolder, lockDataDir, migrationsDir, openDatabase, PGDATA } from "../db/open.js";
import { openPglite } from "../db/pglite.js";
import type { BackgroundTask } from "../server/lifecycle.js";
import { BackupError } from "./errors.js";

/**
 * Backups of the embedded database (docs/decisions/0010-embedded-backups.md). A backup is PGlite's own
 * data folder tarball, gzipped: gzip's CRC and length make a truncated or damaged file detectable before
 * anything is touched.
 */

/** Where the running service picks up snapshot requests, inside DATA_DIR. */
export const REQUESTS_DIR = "backup-requests";
const REQUEST_ID = /^[0-9a-f-]{36}$/;
// Snapshots a command gave up waiting for are removed after this long.
const STALE_MS = 60 * 60 * 1000;

// ─── the file ────────────────────────────────────────────────────────────────────────────────────────

function tarNames(tar: Buffer): string[] {
  const names: string[] = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return names;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    if (!Number.isFinite(size) || size < 0) throw new Error("bad tar header");
    const prefix = field(257, 6).startsWith("ustar") ? field(345, 155) : "";
    names.push((prefix ? `${prefix}/` : "") + field(0, 100));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error("tar archive without its end");
}

/** The tarball inside a backup file's bytes, or a French reason why it is not a usable backup. */
export function unpackBackup(bytes: Uint8Array): Buffer {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new BackupError(
      "bad_file",
      "ce fichier n'est pas une sauvegarde pumpwatch (une archive .tar.gz faite par npm run backup est attendue)",
    );
  }
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes);
  } catch {
    throw new BackupError(
      "bad_file",
      "la sauvegarde est tronquée ou endommagée : elle ne se décompresse pas jusqu'au bout",
    );
  }
  let names: string[];
  try {
    names = tarNames(tar).map((name) => name.replace(/^\/+/, ""));
  } catch {
    throw new BackupError("bad_file", "la sauvegarde est tronquée ou endommagée : l'archive est incomplète");
  }
  if (names.some((name) => name.split("/").includes(".."))) {
    throw new BackupError(
      "bad_file",
      "la sauvegarde contient des chemins hors du dossier de données : refusée",
    );
  }
  if (!names.includes("PG_VERSION") || !names.includes("global/pg_control")) {
    throw new BackupError("bad_file", "cette archive ne contient pas de dossier de données PostgreSQL");
  }
  return tar;
}

/** Writes next to `path`, then renames: a crash never leaves half a file under the final name. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const partial = `${path}.partiel-${process.pid}`;
  try {
    await writeFile(partial, bytes, { mode: 0o600 });
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

// ─── the running service's side ─────────────────────────────────────────────────────────────────────

/**
 * The running service writes a snapshot when a request file appears in DATA_DIR/backup-requests/. Only
 * someone who may write into DATA_DIR — who could read the database files anyway — can ask, and the
 * service writes only into that folder, never to a path a request names. No network endpoint.
 */
export function serveBackupRequests(deps: {
  db: Database;
  dataDir: string;
  logger: Logger;
  intervalMs?: number;
}): BackgroundTask {
  const { db, logger } = deps;
  const dir = join(deps.dataDir, REQUESTS_DIR);
  let stopped = false;
  let current: Promise<void> | null = null;

  const handle = async (id: string) => {
    const working = join(dir, `${id}.en-cours`);
    try {
      await rename(join(dir, `${id}.request`), working);
    } catch {
      return; // withdrawn by the command meanwhile
    }
    const started = Date.now();
    try {
      if (!db.snapshot) throw new Error("this database cannot be snapshotted");
      const bytes = await db.snapshot();
      await writeAtomically(join(dir, `${id}.tar.gz`), bytes);
      logger.info({ bytes: bytes.length, ms: Date.now() - started }, "backup snapshot written");
    } catch (error) {
      logger.error({ err: error }, "backup snapshot failed");
      const reason = error instanceof Error ? error.message : String(error);
      await writeFile(join(dir, `${id}.error`), `l'instantané a échoué : ${reason}`, { mode: 0o600 }).catch(
        () => {},
      );
    } finally {
      await rm(working, { force: true });
    }
  };

  const tick = async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(dir)) {
      if (stopped) return;
      const id = name.slice(0, 36);
      if (!REQUEST_ID.test(id)) continue;
      if (name === `${id}.request`) {
        await handle(id);
      } else {
        // A snapshot or an error nobody came for, or what a crash left behind.
        const file = join(dir, name);
        const info = await stat(file).catch(() => null);
        if (info && Date.now() - info.mtimeMs > STALE_MS) await rm(file, { force: true });
      }
    }
  };

  const timer = setInterval(() => {
    if (current || stopped) return;
    current = tick()
      .catch((error) => logger.warn({ err: error }, "backup requests unreadable"))
      .finally(() => {
        current = null;
      });
  }, deps.intervalMs ?? 1000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current;
    },
  };
}

// ─── the commands ───────────────────────────────────────────────────────────────────────────────────

async function snapshotFromService(dataDir: string, pid: number, timeoutMs: number): Promise<Uint8Array> {
  const dir = join(dataDir, REQUESTS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const id = randomUUID();
  const request = join(dir, `${id}.request`);
  const done = join(dir, `${id}.tar.gz`);
  const failed = join(dir, `${id}.error`);
  await writeFile(request, "", { flag: "wx", mode: 0o600 });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(done)) {
      const bytes = await readFile(done);
      await rm(done, { force: true });
      return bytes;
    }
    if (existsSync(failed)) {
      const reason = await readFile(failed, "utf8");
      await rm(failed, { force: true });
      throw new BackupError("failed", reason);
    }
    if (dataDirHolder(dataDir) !== pid) {
      await rm(request, { force: true });
      throw new BackupError(
        "failed",
        `le service (processus ${pid}) s'est arrêté avant d'écrire l'instantané`,
      );
    }
    if (Date.now() > deadline) {
      await rm(request, { force: true });
      throw new BackupError(
        "failed",
        `le service (processus ${pid}) n'a pas écrit l'instantané en ${Math.round(timeoutMs / 1000)} s ` +
          "(une version de pumpwatch qui ne sait pas encore le faire ?) ; arrêtez-le et relancez la sauvegarde",
      );
    }
    await sleep(100);
  }
}

export interface BackupResult {
  bytes: number;
  /** the service that wrote the snapshot, or null when the command opened the folder itself */
  servicePid: number | null;
}

/** `npm run backup -- --to FILE`: asks the running service for a snapshot, or opens the folder itself. */
export async function backupEmbedded(options: {
  dataDir: string;
  to: string;
  force: boolean;
  timeoutMs: number;
  onWaiting?: (pid: number) => void;
}): Promise<BackupResult> {
  const { dataDir, to } = options;
  if (!existsSync(join(dataDir, PGDATA, "PG_VERSION"))) {
    throw new BackupError(
      "no_database",
      `aucune base embarquée dans ${dataDir} (DATA_DIR) : rien à sauvegarder`,
    );
  }
  if (existsSync(to) && !options.force) {
    throw new BackupError("exists", `${to} existe déjà ; ajoutez --force pour le remplacer`);
  }
  if (!existsSync(dirname(to))) {
    throw new BackupError("failed", `le dossier de ${to} n'existe pas`);
  }
  const holder = dataDirHolder(dataDir);
  let bytes: Uint8Array;
  if (holder !== null) {
    options.onWaiting?.(holder);
    bytes = await snapshotFromService(dataDir, holder, options.timeoutMs);
  } else {
    let db: Database;
    try {
      db = await openDatabase({ databaseUrl: null, dataDir });
    } catch (error) {
      throw new BackupError("failed", `la base embarquée ne s'ouvre pas : ${(error as Error).message}`);
    }
    try {
      if (!db.snapshot) throw new Error("no snapshot on this database");
      bytes = await db.snapshot();
    } finally {
      await db.close();
    }
  }
  // A backup that would not restore is no backup: the same checks as the restore, before writing.
  unpackBackup(bytes);
  await writeAtomically(to, bytes);
  return { bytes: bytes.length, servicePid: holder };
}

export interface RestoreResult {
  /** rows per table of the restored database */
  tables: Record<string, number>;
  migrations: number;
  /** where the database that was there before now is (kept, not deleted), or null */
  previous: string | null;
}

async function rowCounts(db: Database): Promise<Record<string, number>> {
  const { rows } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of rows) {
    const quoted = `"${table_name.replaceAll('"', '""')}"`;
    const result = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoted}`);
    counts[table_name] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
}

/**
 * `npm run restore -- --from FILE`: the service stopped; the backup is unpacked and opened in a folder of
 * its own, checked, and only then swapped in. The database that was there is kept beside it.
 */
export async function restoreEmbedded(options: {
  dataDir: string;
  from: string;
  force: boolean;
}): Promise<RestoreResult> {
  const { dataDir } = options;
  await mkdir(dataDir, { recursive: true });
  const holder = dataDirHolder(dataDir);
  if (holder !== null) {
    throw new BackupError(
      "in_use",
      `la base embarquée de ${dataDir} est ouverte par le processus ${holder} : arrêtez le service avant de restaurer`,
    );
  }
  const target = join(dataDir, PGDATA);
  const existing = existsSync(join(target, "PG_VERSION"));
  if (existing && !options.force) {
    throw new BackupError(
      "exists",
      `une base existe déjà dans ${dataDir} ; ajoutez --force pour la remplacer (elle sera gardée à côté)`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(options.from);
  } catch {
    throw new BackupError("bad_file", `${options.from} ne se lit pas (fichier absent ou illisible)`);
  }
  const tar = unpackBackup(bytes);

  const unlock = lockDataDir(dataDir);
  const staging = join(dataDir, `${PGDATA}.restauration-${process.pid}`);
  try {
    await rm(staging, { recursive: true, force: true });
    let restored: Database;
    try {
      const view = new Uint8Array(tar.buffer as ArrayBuffer, tar.byteOffset, tar.length);
      restored = await openPglite(staging, { loadDataDir: new Blob([view], { type: "application/x-tar" }) });
    } catch {
      throw new BackupError(
        "bad_file",
        "la sauvegarde ne s'ouvre pas comme une base PostgreSQL (endommagée ?)",
      );
    }
    let tables: Record<string, number>;
    let migrations: number;
    try {
      const applied = await restored.query<{ version: number }>("SELECT version FROM schema_migrations");
      const known = new Set((await loadMigrations(migrationsDir())).map((m) => m.version));
      const unknown = applied.rows.map((r) => r.version).filter((v) => !known.has(v));
      if (unknown.length > 0) {
        throw new BackupError(
          "bad_file",
          `cette sauvegarde vient d'une version plus récente de pumpwatch (migration ${Math.max(...unknown)}) : mettez le code à jour d'abord`,
        );
      }
      migrations = applied.rowCount;
      tables = await rowCounts(restored);
    } catch (error) {
      if (error instanceof BackupError) throw error;
      throw new BackupError("bad_file", "cette sauvegarde ne contient pas de base pumpwatch");
    } finally {
      await restored.close();
    }
    let previous: string | null = null;
    if (existsSync(target)) {
      previous = join(dataDir, `${PGDATA}.avant-restauration-${stamp(new Date())}`);
      await rename(target, previous);
    }
    try {
      await rename(staging, target);
    } catch (error) {
      if (previous) await rename(previous, target);
      throw error;
    }
    return { tables, migrations, previous };
  } finally {
    await rm(staging, { recursive: true, force: true });
    unlock();
  }
}
