import type { LocalDays } from "../../domain/config-versions/index.js";
import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

/**
 * The local dates among `days` on which at least one of the channels was monitored: a reading that day, or
 * a span of imported history overlapping it (filtered history keeps only the readings above 10 W, so its
 * quiet days have no row yet were watched), or, in a month whose readings the retention dropped, the first or
 * last reading of one of the day's hours (reading_hours_dropped, migration 0019). One index probe per day and channel on the readings' key: a
 * year of a whole fleet's days costs a few thousand probes, never a scan of its readings. One statement per
 * meter, whose days are merged here: Citus sends a statement that names one meter whole to its shard, and
 * cannot join a list of several meters' channels to the readings of several shards.
 */
export async function monitoredDates(
  db: Queryable,
  channels: readonly ChannelRef[],
  days: LocalDays,
  /** a meter's own days (a fleet across zones, issue 18: a date is monitored if any meter's own day was) */
  daysOfMeter?: ((deviceId: string) => LocalDays | undefined) | undefined,
): Promise<string[]> {
  if (channels.length === 0) return [];
  const byMeter = new Map<string, number[]>();
  for (const c of channels) byMeter.set(c.deviceId, [...(byMeter.get(c.deviceId) ?? []), c.channel]);
  const seen = new Set<string>();
  for (const [deviceId, meterChannels] of byMeter) {
    const own = daysOfMeter?.(deviceId) ?? days;
    if (own.dates.length === 0) continue;
    for (const day of await monitoredDaysOfMeter(db, deviceId, meterChannels, own.starts))
      seen.add(own.dates[day - 1] as string);
  }
  return [...seen].sort();
}

/** The 1-based numbers of the days (between consecutive `starts`, epoch seconds) one meter was monitored. */
async function monitoredDaysOfMeter(
  db: Queryable,
  deviceId: string,
  channels: readonly number[],
  starts: readonly number[],
): Promise<number[]> {
  const { rows } = await db.query<{ day: number }>(
    `SELECT d.i AS day
     FROM generate_series(1, cardinality($3::float8[]) - 1) AS d(i)
     WHERE EXISTS (
             SELECT 1 FROM readings r
             WHERE r.device_id = $1 AND r.channel = ANY($2::int2[])
               AND r.ts >= to_timestamp(($3::float8[])[d.i]) AND r.ts < to_timestamp(($3::float8[])[d.i + 1]))
        OR EXISTS (
             SELECT 1 FROM reading_hours_dropped x
             WHERE x.device_id = $1 AND x.channel = ANY($2::int2[])
               AND x.hour_ts > to_timestamp(($3::float8[])[d.i]) - interval '1 hour'
               AND x.hour_ts < to_timestamp(($3::float8[])[d.i + 1])
               AND ((x.first_ts >= to_timestamp(($3::float8[])[d.i]) AND x.first_ts < to_timestamp(($3::float8[])[d.i + 1]))
                 OR (x.last_ts >= to_timestamp(($3::float8[])[d.i]) AND x.last_ts < to_timestamp(($3::float8[])[d.i + 1]))))
        OR EXISTS (
             SELECT 1 FROM imported_history h
             WHERE h.device_id = $1 AND h.channel = ANY($2::int2[])
               AND h.from_ts < to_timestamp(($3::float8[])[d.i + 1]) AND h.to_ts > to_timestamp(($3::float8[])[d.i]))
     ORDER BY 1`,
    [deviceId, channels, starts],
  );
  return rows.map((row) => Number(row.day));
}
