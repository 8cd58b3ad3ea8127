import type { JournalEntry, JournalKind } from "../../domain/journal/index.js";
import type { Queryable } from "../database.js";
import { JOURNAL_COLUMNS, type JournalRow, toJournalEntry } from "./journal-entry-row.js";

/** The written entries of some meters with `at` in [from, to), of the given kinds (null: all), newest first. */
export async function journalEntriesInRange(
  db: Queryable,
  deviceIds: readonly string[],
  from: Date,
  to: Date,
  kinds: readonly JournalKind[] | null = null,
): Promise<JournalEntry[]> {
  if (deviceIds.length === 0) return [];
  const { rows } = await db.query<JournalRow>(
    `SELECT ${JOURNAL_COLUMNS} FROM journal_entries
     WHERE device_id = ANY($1::text[]) AND occurred_at >= $2 AND occurred_at < $3
       AND ($4::text[] IS NULL OR kind = ANY($4::text[]))
     ORDER BY occurred_at DESC, device_id, id DESC`,
    [deviceIds, from, to, kinds],
  );
  return rows.map(toJournalEntry);
}
