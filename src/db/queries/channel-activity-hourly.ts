import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

/**
 * Recomputes the activity sums of some UTC hours of one channel (unix hours) from its readings, with the
 * given activity threshold: one row per hour, zero counts when nothing ran above the threshold. The
 * refresher calls it for the hours of the queued ranges it covers, in the same snapshot as the cycles.
 */
export async function rewriteActivityHours(
  tx: Queryable,
  ref: ChannelRef,
  hours: readonly number[],
  thresholdW: number,
): Promise<number> {
  if (hours.length === 0) return 0;
  const { rowCount } = await tx.query(
    `INSERT INTO channel_activity_hourly AS a
       (device_id, channel, hour_ts, threshold_w, active_n, power_sum, current_n, current_sum)
     SELECT $1, $2, to_timestamp(h.hour::float8 * 3600), $4::float8,
            count(r.ts), coalesce(sum(r.apower_w::numeric), 0), count(r.current_a), sum(r.current_a::numeric)
     FROM unnest($3::int8[]) AS h(hour)
     LEFT JOIN readings r
       ON r.device_id = $1 AND r.channel = $2
      AND r.ts >= to_timestamp(h.hour::float8 * 3600) AND r.ts < to_timestamp((h.hour + 1)::float8 * 3600)
      AND r.apower_w > $4::float8
     GROUP BY h.hour
     ON CONFLICT (device_id, channel, hour_ts) DO UPDATE SET
       threshold_w = excluded.threshold_w, active_n = excluded.active_n, power_sum = excluded.power_sum,
       current_n = excluded.current_n, current_sum = excluded.current_sum`,
    [ref.deviceId, ref.channel, hours, thresholdW],
  );
  return rowCount;
}

export interface ActivityBucketRow {
  channel: number;
  bucket_s: number;
  /** hours of the bucket that have a row computed with the asked threshold */
  hours: number;
  active_n: number;
  /** mean power of the active readings, rounded to 0.1 W (null: none) */
  power_w: number | null;
  /** mean of their non-null currents, rounded to 0.001 A (null: none) */
  current_a: number | null;
}

/**
 * The stored hourly sums of some channels of one device, added up per bucket (aligned on `originS`), for
 * the hours in [startS, endS) whose row was computed with the channel's threshold, as rounded means (exact
 * numeric arithmetic, rounded half away from zero as activePowerInRanges does). `hours` tells the caller
 * whether every hour of a bucket was there.
 */
export async function activitySumsPerBucket(
  db: Queryable,
  q: {
    deviceId: string;
    channels: readonly number[];
    thresholdsW: readonly number[];
    startS: number;
    endS: number;
    bucketSeconds: number;
    originS: number;
  },
): Promise<ActivityBucketRow[]> {
  const { rows } = await db.query<ActivityBucketRow>(
    `SELECT a.channel,
            extract(epoch FROM date_bin(make_interval(secs => $6), a.hour_ts, to_timestamp($7)))::int8 AS bucket_s,
            count(*)::int4 AS hours, sum(a.active_n)::int8 AS active_n,
            round(sum(a.power_sum) / nullif(sum(a.active_n), 0), 1) AS power_w,
            round(sum(a.current_sum) / nullif(sum(a.current_n), 0), 3) AS current_a
     FROM unnest($2::int2[], $3::float8[]) AS c(channel, threshold_w)
     JOIN channel_activity_hourly a
       ON a.device_id = $1 AND a.channel = c.channel AND a.threshold_w = c.threshold_w
      AND a.hour_ts >= to_timestamp($4) AND a.hour_ts < to_timestamp($5)
     GROUP BY a.channel, bucket_s`,
    [q.deviceId, q.channels, q.thresholdsW, q.startS, q.endS, q.bucketSeconds, q.originS],
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
