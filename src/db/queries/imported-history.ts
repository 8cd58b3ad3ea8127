import type { Queryable } from "../database.js";

export interface ImportedSpan {
  deviceId: string;
  channel: number;
  fromMinute: number;
  /** exclusive */
  toMinute: number;
  filteredAtMostW: number | null;
  rowsImported: number;
  rowsAtMostW: number;
}

/**
 * Records (or widens, on a later import from the same source) the spans of imported history. A span only
 * grows: a second import of the same database leaves it as it was.
 */
export async function recordImportedHistory(
  db: Queryable,
  source: "predecessor",
  spans: readonly ImportedSpan[],
  at: Date,
): Promise<void> {
  if (spans.length === 0) return;
  await db.query(
    `INSERT INTO imported_history (device_id, channel, source, from_ts, to_ts, filtered_at_most_w,
                                   rows_imported, rows_at_most_w, imported_at)
     SELECT d, c, $1, to_timestamp(f * 60), to_timestamp(t * 60), w, n, z, $2::timestamptz
     FROM unnest($3::text[], $4::int2[], $5::int8[], $6::int8[], $7::float8[], $8::int8[], $9::int8[])
       AS s(d, c, f, t, w, n, z)
     ON CONFLICT (device_id, channel, source) DO UPDATE SET
       from_ts = LEAST(imported_history.from_ts, excluded.from_ts),
       to_ts = GREATEST(imported_history.to_ts, excluded.to_ts),
       filtered_at_most_w = excluded.filtered_at_most_w,
       rows_imported = GREATEST(imported_history.rows_imported, excluded.rows_imported),
       rows_at_most_w = GREATEST(imported_history.rows_at_most_w, excluded.rows_at_most_w)`,
    [
      source,
      at.toISOString(),
      spans.map((s) => s.deviceId),
      spans.map((s) => s.channel),
      spans.map((s) => s.fromMinute),
      spans.map((s) => s.toMinute),
      spans.map((s) => s.filteredAtMostW),
      spans.map((s) => s.rowsImported),
      spans.map((s) => s.rowsAtMostW),
    ],
  );
}

/** The spans of filtered history of one device's channels that meet [fromS, toS) (unix seconds). */
export async function filteredHistoryMeeting(
  db: Queryable,
  deviceId: string,
  fromS: number,
  toS: number,
): Promise<{ channel: number; from_s: number; to_s: number; filtered_at_most_w: number }[]> {
  const { rows } = await db.query<{
    channel: number;
    from_s: number;
    to_s: number;
    filtered_at_most_w: number;
  }>(
    `SELECT channel, extract(epoch FROM from_ts)::int8::float8 AS from_s, extract(epoch FROM to_ts)::int8::float8 AS to_s,
            filtered_at_most_w
     FROM imported_history
     WHERE device_id = $1 AND filtered_at_most_w IS NOT NULL
       AND from_ts < to_timestamp($3) AND to_ts > to_timestamp($2)
     ORDER BY channel, from_ts`,
    [deviceId, fromS, toS],
  );
  return rows;
}
