import type { JournalEntry, JournalKind } from "../../domain/journal/index.js";

/** The columns every journal query answers, and the one place a row becomes a domain value. */
export const JOURNAL_COLUMNS =
  "device_id, id::text AS id, channel, occurred_at, kind, text, author, author_id, created_at, updated_at";

export interface JournalRow {
  device_id: string;
  id: string;
  channel: number | null;
  occurred_at: Date;
  kind: JournalKind;
  text: string;
  author: string;
  author_id: number | null;
  created_at: Date;
  updated_at: Date;
}

export function toJournalEntry(row: JournalRow): JournalEntry {
  return {
    id: `${row.device_id}:${row.id}`,
    deviceId: row.device_id,
    channel: row.channel === null ? null : Number(row.channel),
    at: row.occurred_at,
    kind: row.kind,
    text: row.text,
    author: row.author,
    authorId: row.author_id === null ? null : Number(row.author_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
