import type { JournalEntry, JournalKind } from "../../domain/journal/index.js";
import type { Queryable } from "../database.js";
import { JOURNAL_COLUMNS, type JournalRow, toJournalEntry } from "./journal-entry-row.js";

export interface JournalEntryChange {
  channel: number | null;
  at: Date;
  kind: JournalKind;
  text: string;
  now: Date;
}

/** Rewrites one entry's content (the author stays); answers it as stored. */
export async function updateJournalEntry(
  tx: Queryable,
  deviceId: string,
  n: string,
  c: JournalEntryChange,
): Promise<JournalEntry | null> {
  const { rows } = await tx.query<JournalRow>(
    `UPDATE journal_entries SET channel = $3, occurred_at = $4, kind = $5, text = $6, updated_at = $7
     WHERE device_id = $1 AND id = $2::int8
     RETURNING ${JOURNAL_COLUMNS}`,
    [deviceId, n, c.channel, c.at, c.kind, c.text, c.now],
  );
  return rows[0] ? toJournalEntry(rows[0]) : null;
}
