import type { LocalDays } from "../../domain/config-versions/index.js";
import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

/**
 * The local dates among `days` on which at least one of the channels was monitored: a reading that day, or
 * a span of imported history overlapping it (filtered history keeps only the readings above 10 W, so its
 * quiet days have no row yet were watched). One index probe per day and channel on the readings' key: a
 * year of a whole fleet's days costs a few thousand probes, never a scan of its readings.
 */
export async function monitoredDates(
  db: Queryable,
  channels: readonly ChannelRef[],
  days: LocalDays,
): Promise<string[]> {
  if (channels.length === 0 || days.dates.length === 0) return [];
  const { rows } = await db.query<{ day: number }>(
    `SELECT d.i AS day
     FROM generate_series(1, cardinality($3::float8[]) - 1) AS d(i)
     WHERE EXISTS (
             SELECT 1
             FROM unnest($1::text[], $2::int2[]) AS k(device_id, channel)
             JOIN readings r ON r.device_id = k.device_id AND r.channel = k.channel
             WHERE r.device_id = ANY($1::text[])
               AND r.ts >= to_timestamp(($3::float8[])[d.i]) AND r.ts < to_timestamp(($3::float8[])[d.i + 1]))
        OR EXISTS (
             SELECT 1
             FROM unnest($1::text[], $2::int2[]) AS k(device_id, channel)
             JOIN imported_history h ON h.device_id = k.device_id AND h.channel = k.channel
             WHERE h.device_id = ANY($1::text[])
               AND h.from_ts < to_timestamp(($3::float8[])[d.i + 1]) AND h.to_ts > to_timestamp(($3::float8[])[d.i]))
     ORDER BY 1`,
    [channels.map((c) => c.deviceId), channels.map((c) => c.channel), days.starts],
  );
  return rows.map((row) => days.dates[Number(row.day) - 1] as string);
}
