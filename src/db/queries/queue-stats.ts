import type { Queryable } from "../database.js";

export interface QueueStats {
  total_logs: number;
  devices: number;
  last_insert: Date | null;
}

/**
 * Readings received in the 24 h before `now`, how many devices sent them, and the latest arrival; of the
 * meters `deviceIds` only (null: every meter).
 */
export async function readingsReceivedInLastDay(
  db: Queryable,
  now: Date,
  deviceIds: readonly string[] | null,
): Promise<QueueStats> {
  const { rows } = await db.query<QueueStats>(
    `SELECT count(*)::int AS total_logs, count(DISTINCT device_id)::int AS devices, max(received_at) AS last_insert
     FROM readings WHERE received_at > $1::timestamptz - interval '24 hours' AND received_at <= $1::timestamptz
       AND ($2::text[] IS NULL OR device_id = ANY($2::text[]))`,
    [now.toISOString(), deviceIds === null ? null : [...deviceIds]],
  );
  return rows[0] ?? { total_logs: 0, devices: 0, last_insert: null };
}
