import type { JournalEntry, JournalKind } from "../../domain/journal/index.js";
import type { Queryable } from "../database.js";
import { JOURNAL_COLUMNS, type JournalRow, toJournalEntry } from "./journal-entry-row.js";

export interface NewJournalEntry {
  deviceId: string;
  channel: number | null;
  at: Date;
  kind: JournalKind;
  text: string;
  author: string;
  authorId: number | null;
  now: Date;
}

/** Writes one entry of the journal; answers it as stored. */
export async function insertJournalEntry(tx: Queryable, e: NewJournalEntry): Promise<JournalEntry> {
  const { rows } = await tx.query<JournalRow>(
    `INSERT INTO journal_entries (device_id, channel, occurred_at, kind, text, author, author_id, created_at,
                                  updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     RETURNING ${JOURNAL_COLUMNS}`,
    [e.deviceId, e.channel, e.at, e.kind, e.text, e.author, e.authorId, e.now],
  );
  return toJournalEntry(rows[0] as JournalRow);
}
