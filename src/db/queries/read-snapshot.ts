import type { Database, Queryable } from "../database.js";

/**
 * Runs several reads on one snapshot of the database, e.g. a page of cycles, their total and the summary, so
 * that a refresh committing between two of them cannot make them disagree.
 */
export function inReadSnapshot<T>(db: Database, reads: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    return reads(tx);
  });
}
