import type { Queryable } from "../database.js";

export interface ImportEvent {
  deviceId: string;
  channel: number;
  source: string;
  from: Date;
  to: Date;
  rowsImported: number;
  importedAt: Date;
}

/** The imports of history of some meters made in [from, to), per channel. */
export async function importsInRange(
  db: Queryable,
  deviceIds: readonly string[],
  from: Date,
  to: Date,
): Promise<ImportEvent[]> {
  if (deviceIds.length === 0) return [];
  const { rows } = await db.query<{
    device_id: string;
    channel: number;
    source: string;
    from_ts: Date;
    to_ts: Date;
    rows_imported: string | number;
    imported_at: Date;
  }>(
    `SELECT device_id, channel, source, from_ts, to_ts, rows_imported, imported_at FROM imported_history
     WHERE device_id = ANY($1::text[]) AND imported_at >= $2 AND imported_at < $3
     ORDER BY imported_at, device_id, channel`,
    [deviceIds, from, to],
  );
  return rows.map((r) => ({
    deviceId: r.device_id,
    channel: Number(r.channel),
    source: r.source,
    from: r.from_ts,
    to: r.to_ts,
    rowsImported: Number(r.rows_imported),
    importedAt: r.imported_at,
  }));
}
