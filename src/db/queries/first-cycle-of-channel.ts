import type { Queryable } from "../database.js";

/** When the channel's first stored cycle starts (null: none): one step of the cycles key. */
export async function firstCycleStartOfChannel(
  db: Queryable,
  deviceId: string,
  channel: number,
): Promise<Date | null> {
  const { rows } = await db.query<{ start_ts: Date }>(
    "SELECT start_ts FROM cycles WHERE device_id = $1 AND channel = $2 ORDER BY start_ts LIMIT 1",
    [deviceId, channel],
  );
  return rows[0]?.start_ts ?? null;
}
