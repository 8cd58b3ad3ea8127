import type { Queryable } from "../database.js";

/**
 * The end of the latest month whose readings were dropped (reading_months_dropped, migration 0019), unix
 * minutes: no reading before it is kept any more. null: nothing was ever dropped.
 */
export async function droppedReadingsEndMinute(db: Queryable): Promise<number | null> {
  const { rows } = await db.query<{ last: Date | null }>(
    "SELECT max(month_start) AS last FROM reading_months_dropped",
  );
  const last = rows[0]?.last;
  if (last === null || last === undefined) return null;
  return Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1) / 60_000;
}

/**
 * Whether every reading of [from, to) is in its hourly sums for good: no queued change of any meter meets the
 * span (a reading also reports the minute before it, and an hour's idle energy reads the first minute after
 * it), and every channel-hour that has readings has its row in channel_activity_hourly with its energy outside
 * cycles summed. A scan of the month's partition against the hourly key; the daily retention run only. Every
 * meter at once: the run's purpose is the whole month of the whole fleet, and on Citus each shard answers for
 * its meters (both tables are distributed by device_id and joined on it).
 */
export async function readingsSummedIn(db: Queryable, from: Date, to: Date): Promise<boolean> {
  const { rows } = await db.query<{ pending: boolean; unsummed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM cycle_refresh_queue q
                    WHERE q.from_minute <= $2::float8 / 60 + 1 AND q.to_minute >= $1::float8 / 60 - 1) AS pending,
            EXISTS (SELECT 1 FROM readings r
                    WHERE r.ts >= to_timestamp($1::float8) AND r.ts < to_timestamp($2::float8)
                      AND NOT EXISTS (
                            SELECT 1 FROM channel_activity_hourly a
                            WHERE a.device_id = r.device_id AND a.channel = r.channel
                              AND a.hour_ts = to_timestamp(floor(extract(epoch FROM r.ts) / 3600) * 3600)
                              AND a.idle_energy_wh IS NOT NULL)) AS unsummed`,
    [from.getTime() / 1000, to.getTime() / 1000],
  );
  return rows[0]?.pending === false && rows[0]?.unsummed === false;
}

/**
 * Keeps, per channel and UTC hour of [from, to), how many readings there were and the first and last of them
 * (reading_hours_dropped): the days a meter was monitored, once the readings are gone. A month dropped twice
 * (old history stored again into it) adds up. On Citus the statement runs on each shard for its meters.
 */
export async function keepHoursOfReadings(db: Queryable, from: Date, to: Date): Promise<void> {
  await db.query(
    `INSERT INTO reading_hours_dropped AS h (device_id, channel, hour_ts, first_ts, last_ts, readings_n)
     SELECT r.device_id, r.channel, to_timestamp(floor(extract(epoch FROM r.ts) / 3600) * 3600),
            min(r.ts), max(r.ts), count(*)
     FROM readings r
     WHERE r.ts >= to_timestamp($1::float8) AND r.ts < to_timestamp($2::float8)
     GROUP BY r.device_id, r.channel, 3
     ON CONFLICT (device_id, channel, hour_ts) DO UPDATE SET
       first_ts = least(h.first_ts, excluded.first_ts), last_ts = greatest(h.last_ts, excluded.last_ts),
       readings_n = h.readings_n + excluded.readings_n`,
    [from.getTime() / 1000, to.getTime() / 1000],
  );
}

/** How many readings [from, to) holds. */
export async function countReadingsIn(db: Queryable, from: Date, to: Date): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM readings WHERE ts >= to_timestamp($1::float8) AND ts < to_timestamp($2::float8)",
    [from.getTime() / 1000, to.getTime() / 1000],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Records that the readings of the month starting at `monthStart` were dropped (`readings` of them). */
export async function recordDroppedMonth(
  db: Queryable,
  monthStart: Date,
  readings: number,
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO reading_months_dropped AS m (month_start, dropped_at, readings_n) VALUES ($1, $2, $3)
     ON CONFLICT (month_start) DO UPDATE SET dropped_at = excluded.dropped_at,
       readings_n = m.readings_n + excluded.readings_n`,
    [monthStart.toISOString(), at.toISOString(), readings],
  );
}

/** Drops one month partition of `readings` (a name given by readingPartitions). */
export async function dropReadingPartition(db: Queryable, name: string): Promise<void> {
  if (!/^readings_y\d{4}m\d{2}$/.test(name)) throw new Error(`not a month partition of readings: ${name}`);
  await db.query(`DROP TABLE ${name}`);
}
