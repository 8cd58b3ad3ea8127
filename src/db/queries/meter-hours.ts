import type { MeterHours } from "../../domain/pump-health/silences.js";
import type { Queryable } from "../database.js";

/** The row's json arrays; times are epoch seconds (float8) or unix hours. */
interface Row {
  hour: number[] | null;
  readings_n: (number | null)[] | null;
  first_s: number | null;
  last_s: number | null;
  filtered: [number, number][] | null;
  queued: [number, number][] | null;
}

/**
 * What is needed to find the silences of a meter in [fromS, toS) (`silentHours`): the summed hours of its
 * channel 0 (a Pro 4PM reports its four switches in every status, as `meter-silences.ts` reads it) in the
 * range with their reading counts, its first and last summed hours overall, the spans of its filtered imported
 * history (a gap there is a pump off) and the minutes of channel 0 still queued for refresh (their sums are not
 * written yet). One statement, one meter (Citus sends it whole to the meter's shard), one row of json arrays as
 * `sump-cycles-in-range.ts` (a year is ~8 800 hours: decoding them row by row would cost more than the scan).
 */
export async function meterHours(
  db: Queryable,
  deviceId: string,
  fromS: number,
  toS: number,
): Promise<MeterHours> {
  const { rows } = await db.query<Row>(
    `SELECT json_agg((date_part('epoch', a.hour_ts) / 3600)::int8) AS hour, json_agg(a.readings_n) AS readings_n,
            (SELECT date_part('epoch', min(x.hour_ts)) FROM channel_activity_hourly x
             WHERE x.device_id = $1 AND x.channel = 0) AS first_s,
            (SELECT date_part('epoch', max(x.hour_ts)) FROM channel_activity_hourly x
             WHERE x.device_id = $1 AND x.channel = 0) AS last_s,
            (SELECT json_agg(json_build_array(date_part('epoch', h.from_ts), date_part('epoch', h.to_ts)))
             FROM imported_history h
             WHERE h.device_id = $1 AND h.channel = 0 AND h.filtered_at_most_w IS NOT NULL) AS filtered,
            (SELECT json_agg(json_build_array(q.from_minute, q.to_minute)) FROM cycle_refresh_queue q
             WHERE q.device_id = $1 AND q.channel = 0) AS queued
     FROM channel_activity_hourly a
     WHERE a.device_id = $1 AND a.channel = 0
       AND a.hour_ts >= to_timestamp($2::float8) AND a.hour_ts < to_timestamp($3::float8)`,
    [deviceId, fromS, toS],
  );
  const r = rows[0];
  const hours = r?.hour ?? [];
  return {
    hours: hours.map(Number),
    readingsN: hours.map((_, i) => {
      const n = r?.readings_n?.[i];
      return n === null || n === undefined ? null : Number(n);
    }),
    firstHour: r?.first_s == null ? null : Math.round(Number(r.first_s) / 3600),
    lastHour: r?.last_s == null ? null : Math.round(Number(r.last_s) / 3600),
    unknownSpans: [
      ...(r?.filtered ?? []).map(([from, to]) => ({ fromS: Number(from), toS: Number(to) })),
      // a queued range is rewritten from the minute before it (a reading reports the minute before)
      ...(r?.queued ?? []).map(([from, to]) => ({
        fromS: (Number(from) - 1) * 60,
        toS: (Number(to) + 1) * 60,
      })),
    ],
  };
}
