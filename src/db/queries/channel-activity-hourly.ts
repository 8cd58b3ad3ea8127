import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

/**
 * Recomputes the activity sums of some UTC hours of one channel (unix hours) from its readings, with the
 * given activity threshold: one row per hour, zero counts when nothing ran above the threshold; and the energy
 * measured in the hour's minutes outside any cycle (`idleEnergySql`); and every reading of the hour, whatever its
 * power (`readings_n`: the pump-health read finds the meter's silences in it). The refresher calls it for the hours of
 * the queued ranges it covers (from the minute before each range: a reading reports the minute before it), in
 * the same snapshot as the cycles.
 */
export async function rewriteActivityHours(
  tx: Queryable,
  ref: ChannelRef,
  hours: readonly number[],
  thresholdW: number,
): Promise<number> {
  if (hours.length === 0) return 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const h of hours) {
    if (h < first) first = h;
    if (h > last) last = h;
  }
  // One range scan of the readings from the first hour to the last (those a refresh step has just read),
  // grouped by hour: joining each hour to the readings made the planner scan the channel's whole history
  // per call, 0.8 s a step on a channel-year and 95 % of a backfill's refresh time (decision 0015).
  const { rowCount } = await tx.query(
    `INSERT INTO channel_activity_hourly AS a
       (device_id, channel, hour_ts, threshold_w, active_n, power_sum, current_n, current_sum, idle_energy_wh,
        readings_n)
     SELECT $1, $2, to_timestamp(h.hour::float8 * 3600), $4::float8,
            coalesce(s.active_n, 0), coalesce(s.power_sum, 0), coalesce(s.current_n, 0), s.current_sum,
            coalesce(e.idle_wh, 0), coalesce(s.readings_n, 0)
     FROM unnest($3::int8[]) AS h(hour)
     LEFT JOIN (
       SELECT floor(extract(epoch FROM r.ts) / 3600)::int8 AS hour,
              count(*) FILTER (WHERE r.apower_w > $4::float8) AS active_n,
              sum(r.apower_w::numeric) FILTER (WHERE r.apower_w > $4::float8) AS power_sum,
              count(r.current_a) FILTER (WHERE r.apower_w > $4::float8) AS current_n,
              sum(r.current_a::numeric) FILTER (WHERE r.apower_w > $4::float8) AS current_sum,
              count(*) AS readings_n
       FROM readings r
       WHERE r.device_id = $1 AND r.channel = $2
         AND r.ts >= to_timestamp($5::float8 * 3600) AND r.ts < to_timestamp(($6::int8 + 1)::float8 * 3600)
       GROUP BY 1
     ) s ON s.hour = h.hour
     LEFT JOIN (
       SELECT floor((extract(epoch FROM m.ts) - 60) / 3600)::int8 AS hour, sum(m.idle_wh) AS idle_wh
       FROM (SELECT r.ts, ${idleEnergyOfReading("$4::float8")} AS idle_wh
             FROM readings r
             WHERE r.device_id = $1 AND r.channel = $2
               AND r.ts >= to_timestamp($5::float8 * 3600) AND r.ts < to_timestamp(($6::int8 + 1)::float8 * 3600 + 60)
             WINDOW w AS (PARTITION BY r.device_id ORDER BY r.ts)) m
       WHERE m.ts >= to_timestamp($5::float8 * 3600 + 60)
       GROUP BY 1
     ) e ON e.hour = h.hour
     ON CONFLICT (device_id, channel, hour_ts) DO UPDATE SET
       threshold_w = excluded.threshold_w, active_n = excluded.active_n, power_sum = excluded.power_sum,
       current_n = excluded.current_n, current_sum = excluded.current_sum,
       idle_energy_wh = excluded.idle_energy_wh, readings_n = excluded.readings_n`,
    [ref.deviceId, ref.channel, hours, thresholdW, first, last],
  );
  return rowCount;
}

/**
 * The expression giving, per reading `r` of a range scan ordered by time (window `w`, per meter), the energy of
 * the minute before the reading when that minute lies outside every cycle, else 0. The meter reports
 * minute m's energy with the reading of m + 1 (`energy_last_minute_wh`; without it, the counter's delta from
 * the reading of m, a decrease being a reset counted from 0 — as the cycle detector reads it). Minute m is
 * outside every cycle when the reading of m + 1 has a power at or below the threshold and the reading of m, if
 * there is one, is not above it: a cycle holds minute m only when m is one of its active minutes (its last one's
 * energy comes with the next, inactive reading) or the minute before its first active reading (m + 1 active).
 * A reading without power (a partial frame) may lie inside a cycle: its minute is not counted here. The first
 * reading of the scan has no reading before it: the caller counts only the readings after it.
 */
export function idleEnergyOfReading(thresholdW: string): string {
  const previousMinute = "lag(r.ts) OVER w = r.ts - interval '1 minute'";
  return `CASE WHEN r.apower_w IS NULL OR r.apower_w > ${thresholdW}
                      OR (${previousMinute} AND lag(r.apower_w) OVER w > ${thresholdW}) THEN 0
                    WHEN r.energy_last_minute_wh IS NOT NULL THEN greatest(r.energy_last_minute_wh::numeric, 0)
                    WHEN ${previousMinute} AND r.energy_total_wh IS NOT NULL
                         AND lag(r.energy_total_wh) OVER w IS NOT NULL THEN
                      CASE WHEN r.energy_total_wh >= lag(r.energy_total_wh) OVER w
                           THEN (r.energy_total_wh - lag(r.energy_total_wh) OVER w)::numeric
                           ELSE greatest(r.energy_total_wh::numeric, 0) END
                    ELSE 0 END`;
}

export interface SeriesRange {
  channel: number;
  /**
   * the activity threshold the stored hours must have been summed with; null (stored hours of a month whose
   * readings were dropped): whichever they were summed with, and not counted in `hours`
   */
  thresholdW: number | null;
  /** unix seconds, [fromS, toS) */
  fromS: number;
  toS: number;
}

export interface ActivityBucketRow {
  channel: number;
  bucket_s: number;
  /** stored hours added into the bucket */
  hours: number;
  active_n: number;
  /** mean power of the active readings, rounded to 0.1 W (null: none) */
  power_w: number | null;
  /** mean of their non-null currents, rounded to 0.001 A (null: none) */
  current_a: number | null;
}

/**
 * Per bucket (aligned on `originS`) of some channels of one device: the stored hourly sums of the hours in
 * `sumRanges` (rows computed with that threshold only) added to the sums of the readings above the threshold
 * in `rawRanges`, as exact numerics, then the rounded means (half away from zero). `hours` lets the caller see
 * whether every stored hour it counted on was there. A bucket without any reading or hour is absent.
 */
export async function activityPerBucket(
  db: Queryable,
  q: {
    deviceId: string;
    sumRanges: readonly SeriesRange[];
    rawRanges: readonly SeriesRange[];
    bucketSeconds: number;
    originS: number;
  },
): Promise<ActivityBucketRow[]> {
  const column = <K extends keyof SeriesRange>(ranges: readonly SeriesRange[], key: K) =>
    ranges.map((r) => r[key]);
  const { rows } = await db.query<ActivityBucketRow>(
    `SELECT x.channel, extract(epoch FROM x.bucket)::int8 AS bucket_s, sum(x.hours)::int4 AS hours,
            sum(x.active_n)::int8 AS active_n,
            round(sum(x.power_sum) / nullif(sum(x.active_n), 0), 1) AS power_w,
            round(sum(x.current_sum) / nullif(sum(x.current_n), 0), 3) AS current_a
     FROM (
       SELECT a.channel, date_bin(make_interval(secs => $10), a.hour_ts, to_timestamp($11)) AS bucket,
              CASE WHEN s.threshold_w IS NULL THEN 0 ELSE 1 END AS hours,
              a.active_n, a.power_sum, a.current_n, a.current_sum
       FROM unnest($2::int2[], $3::float8[], $4::float8[], $5::float8[]) AS s(channel, threshold_w, from_s, to_s)
       JOIN channel_activity_hourly a
         ON a.device_id = $1 AND a.channel = s.channel
        AND (s.threshold_w IS NULL OR a.threshold_w = s.threshold_w)
        AND a.hour_ts >= to_timestamp(s.from_s) AND a.hour_ts < to_timestamp(s.to_s)
       UNION ALL
       SELECT r.channel, date_bin(make_interval(secs => $10), r.ts, to_timestamp($11)),
              0, 1, r.apower_w::numeric, (r.current_a IS NOT NULL)::int, r.current_a::numeric
       FROM unnest($6::int2[], $7::float8[], $8::float8[], $9::float8[]) AS q(channel, threshold_w, from_s, to_s)
       JOIN readings r ON r.device_id = $1 AND r.channel = q.channel
        AND r.ts >= to_timestamp(q.from_s) AND r.ts < to_timestamp(q.to_s)
       WHERE r.apower_w > q.threshold_w
     ) x
     GROUP BY x.channel, x.bucket`,
    [
      q.deviceId,
      column(q.sumRanges, "channel"),
      column(q.sumRanges, "thresholdW"),
      column(q.sumRanges, "fromS"),
      column(q.sumRanges, "toS"),
      column(q.rawRanges, "channel"),
      column(q.rawRanges, "thresholdW"),
      column(q.rawRanges, "fromS"),
      column(q.rawRanges, "toS"),
      q.bucketSeconds,
      q.originS,
    ],
  );
  return rows.map((r) => ({
    channel: Number(r.channel),
    bucket_s: Number(r.bucket_s),
    hours: Number(r.hours),
    active_n: Number(r.active_n),
    power_w: r.power_w === null ? null : Number(r.power_w),
    current_a: r.current_a === null ? null : Number(r.current_a),
  }));
}
