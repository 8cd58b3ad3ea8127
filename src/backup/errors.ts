// What the backup commands need before they open anything: kept apart from embedded.ts, which loads PGlite,
// so that a usage error or DATABASE_URL answers at once.

export type BackupFailure =
  | "in_use" // restore: a service holds the folder
  | "exists" // restore: a database is there; backup: the file is there (no --force)
  | "no_database" // backup: nothing to back up
  | "bad_file" // restore: not a readable pumpwatch backup
  | "failed"; // the snapshot or a write failed, or the service did not answer

export class BackupError extends Error {
  override readonly name = "BackupError";
  constructor(
    readonly failure: BackupFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Exit codes of `npm run backup` and `npm run restore` (README, "Backups"). */
export const EXIT = { done: 0, failed: 1, usage: 2, refused: 3, postgres: 4 } as const;

export function exitCodeOf(failure: BackupFailure): number {
  return failure === "in_use" || failure === "exists" ? EXIT.refused : EXIT.failed;
}

/** What `npm run backup` / `restore` print when DATABASE_URL is set: PostgreSQL has its own tools. */
export const POSTGRES_RECIPE = `DATABASE_URL désigne un serveur PostgreSQL : sauvegardez-le avec les outils de PostgreSQL
(même version majeure que le serveur, ou plus récente), le service peut tourner pendant pg_dump :

  pg_dump --format=custom --no-owner --no-acl --file=pumpwatch.dump "$DATABASE_URL"

Restauration (service arrêté), dans la base visée par DATABASE_URL, en une transaction (la base reste telle
qu'elle était si la restauration échoue) :

  (echo 'DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'; pg_restore --no-owner --no-acl --file=- pumpwatch.dump) | psql --single-transaction --set=ON_ERROR_STOP=1 --quiet --dbname="$DATABASE_URL"

Voir README.md, « Sauvegardes ».`;
