import type { JournalEntry } from "../../domain/journal/index.js";
import type { Queryable } from "../database.js";
import { JOURNAL_COLUMNS, type JournalRow, toJournalEntry } from "./journal-entry-row.js";

/** One entry of the journal, locked for the transaction's change when `forUpdate`; null when there is none. */
export async function journalEntryById(
  db: Queryable,
  deviceId: string,
  n: string,
  forUpdate = false,
): Promise<JournalEntry | null> {
  const { rows } = await db.query<JournalRow>(
    `SELECT ${JOURNAL_COLUMNS} FROM journal_entries WHERE device_id = $1 AND id = $2::int8
     ${forUpdate ? "FOR UPDATE" : ""}`,
    [deviceId, n],
  );
  return rows[0] ? toJournalEntry(rows[0]) : null;
}
