import type { Queryable } from "../database.js";

/** Removes one entry of the journal; whether there was one. */
export async function deleteJournalEntry(tx: Queryable, deviceId: string, n: string): Promise<boolean> {
  const { rowCount } = await tx.query("DELETE FROM journal_entries WHERE device_id = $1 AND id = $2::int8", [
    deviceId,
    n,
  ]);
  return rowCount > 0;
}
