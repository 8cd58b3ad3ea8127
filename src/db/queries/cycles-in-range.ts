import type { Queryable } from "../database.js";
import {
  type ChannelRef,
  type StoredCycle,
  type StoredCycleRow,
  storedCycleColumns,
  toStoredCycle,
} from "./stored-cycle.js";

/** Position after the last cycle of a page: the next page holds the cycles that sort after it. */
export interface CycleCursor {
  startMinute: number;
  deviceId: string;
  channel: number;
}

export interface CyclesInRangeQuery {
  channels: readonly ChannelRef[];
  /** cycles whose start minute lies in [fromMinute, toMinute) */
  fromMinute: number;
  toMinute: number;
  limit: number;
  /** only cycles after this one in the order (newest first, then device_id and channel descending) */
  after?: CycleCursor | undefined;
  /** default true; false leaves out the closed cycles flagged as noise */
  includeNoise?: boolean;
}

/**
 * Cycles of the given channels starting in [fromMinute, toMinute), newest first (ties: device_id, channel
 * descending), at most `limit`, after the cursor. Each channel is a backward range scan of the primary key
 * stopped by the limit, so a page costs the same whatever the length of the history.
 */
export async function cyclesInRange(db: Queryable, q: CyclesInRangeQuery): Promise<StoredCycle[]> {
  if (q.channels.length === 0 || q.limit <= 0) return [];
  // No cursor = a cursor at toMinute itself, which the range already excludes.
  const after = q.after ?? { startMinute: q.toMinute, deviceId: "", channel: -1 };
  const { rows } = await db.query<StoredCycleRow>(
    `SELECT c.* FROM unnest($1::text[], $2::int2[]) AS k(device_id, channel)
     CROSS JOIN LATERAL (
       SELECT ${storedCycleColumns("x")}
       FROM cycles x
       WHERE x.device_id = k.device_id AND x.channel = k.channel
         AND x.start_ts >= to_timestamp($3::float8 * 60) AND x.start_ts < to_timestamp($4::float8 * 60)
         AND x.start_ts <= to_timestamp($5::float8 * 60)
         AND (x.start_ts < to_timestamp($5::float8 * 60) OR (k.device_id, k.channel) < ($6::text, $7::int2))
         AND ($9 OR NOT x.noise)
       ORDER BY x.start_ts DESC
       LIMIT $8
     ) c
     ORDER BY c.start_minute DESC, c.device_id DESC, c.channel DESC
     LIMIT $8`,
    [
      q.channels.map((c) => c.deviceId),
      q.channels.map((c) => c.channel),
      q.fromMinute,
      q.toMinute,
      after.startMinute,
      after.deviceId,
      after.channel,
      q.limit,
      q.includeNoise ?? true,
    ],
  );
  return rows.map(toStoredCycle);
}
