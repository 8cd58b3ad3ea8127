import type { Queryable } from "../database.js";

export interface ActiveBucketRow {
  channel: number;
  bucket_s: number;
  power_w: number | null;
  current_a: number | null;
  active_n: number;
}

/**
 * Mean power (rounded to 0.1 W) and current (0.001 A) of the readings above each channel's activity
 * threshold, and their count, per bucket aligned on `originS`, over time ranges [fromS, toS) of some channels
 * of one device (a channel may have several ranges). Buckets where the pump never ran are absent. The means
 * are exact (numeric: each float8 value as its 15 significant digits, as the hourly sums take it) and rounded
 * half away from zero in SQL, so that a mean of one-decimal readings lying on x,x5 rounds the same way
 * whether it comes from here or from the hourly sums (decision 0009).
 */
export async function activePowerInRanges(
  db: Queryable,
  q: {
    deviceId: string;
    ranges: readonly { channel: number; thresholdW: number; fromS: number; toS: number }[];
    bucketSeconds: number;
    originS: number;
  },
): Promise<ActiveBucketRow[]> {
  if (q.ranges.length === 0) return [];
  const { rows } = await db.query<ActiveBucketRow>(
    `SELECT r.channel,
            extract(epoch FROM date_bin(make_interval(secs => $6), r.ts, to_timestamp($7)))::int8 AS bucket_s,
            round(avg(r.apower_w::numeric), 1) AS power_w,
            round(avg(r.current_a::numeric), 3) AS current_a,
            count(*) AS active_n
     FROM unnest($2::int2[], $3::float8[], $4::float8[], $5::float8[]) AS q(channel, threshold_w, from_s, to_s)
     JOIN readings r ON r.device_id = $1 AND r.channel = q.channel
      AND r.ts >= to_timestamp(q.from_s) AND r.ts < to_timestamp(q.to_s)
     WHERE r.apower_w > q.threshold_w
     GROUP BY r.channel, bucket_s`,
    [
      q.deviceId,
      q.ranges.map((r) => r.channel),
      q.ranges.map((r) => r.thresholdW),
      q.ranges.map((r) => r.fromS),
      q.ranges.map((r) => r.toS),
      q.bucketSeconds,
      q.originS,
    ],
  );
  return rows.map((r) => ({
    channel: Number(r.channel),
    bucket_s: Number(r.bucket_s),
    power_w: r.power_w === null ? null : Number(r.power_w),
    current_a: r.current_a === null ? null : Number(r.current_a),
    active_n: Number(r.active_n),
  }));
}
