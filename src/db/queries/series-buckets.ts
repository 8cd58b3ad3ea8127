import type { Queryable } from "../database.js";

export interface SeriesBucketRow {
  channel: number;
  bucket_s: number;
  power_w: number | null;
  current_a: number | null;
}

/**
 * Mean power and current of the readings above each channel's activity threshold, per aligned bucket.
 * Buckets where the pump never ran are absent (the caller shows them as 0).
 */
export async function activePowerPerBucket(
  db: Queryable,
  q: {
    deviceId: string;
    channels: number[];
    thresholdsW: number[];
    startS: number;
    endS: number;
    bucketSeconds: number;
    originS: number;
  },
): Promise<SeriesBucketRow[]> {
  const { rows } = await db.query<SeriesBucketRow>(
    `SELECT r.channel,
            extract(epoch FROM date_bin(make_interval(secs => $6), r.ts, to_timestamp($7)))::int8 AS bucket_s,
            avg(r.apower_w) AS power_w,
            avg(r.current_a) AS current_a
     FROM unnest($2::int2[], $3::float8[]) AS c(channel, threshold_w)
     JOIN readings r ON r.device_id = $1 AND r.channel = c.channel
     WHERE r.ts >= to_timestamp($4) AND r.ts < to_timestamp($5) AND r.apower_w > c.threshold_w
     GROUP BY r.channel, bucket_s
     ORDER BY r.channel, bucket_s`,
    [q.deviceId, q.channels, q.thresholdsW, q.startS, q.endS, q.bucketSeconds, q.originS],
  );
  return rows;
}
