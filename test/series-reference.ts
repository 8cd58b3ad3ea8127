import type { Queryable } from "../src/db/database.js";
import type { SeriesWindow } from "../src/domain/series/window.js";

/**
 * The series as /api/series computed it before the hourly sums (decision 0010): one statement over every
 * reading of the window, kept here verbatim as the reference the sums must agree with.
 */
export async function referenceSeries(
  db: Queryable,
  deviceId: string,
  channels: { channel: number; thresholdW: number }[],
  window: SeriesWindow,
): Promise<{ channel: number; powerW: number[]; currentA: number[]; activeMin: number[] }[]> {
  const { rows } = await db.query<{
    channel: number;
    bucket_s: number;
    power_w: number | null;
    current_a: number | null;
    active_n: number;
  }>(
    `SELECT r.channel,
            extract(epoch FROM date_bin(make_interval(secs => $6), r.ts, to_timestamp($7)))::int8 AS bucket_s,
            avg(r.apower_w) AS power_w,
            avg(r.current_a) AS current_a,
            count(*) AS active_n
     FROM unnest($2::int2[], $3::float8[]) AS c(channel, threshold_w)
     JOIN readings r ON r.device_id = $1 AND r.channel = c.channel
     WHERE r.ts >= to_timestamp($4) AND r.ts < to_timestamp($5) AND r.apower_w > c.threshold_w
     GROUP BY r.channel, bucket_s
     ORDER BY r.channel, bucket_s`,
    [
      deviceId,
      channels.map((c) => c.channel),
      channels.map((c) => c.thresholdW),
      window.startS,
      window.endS,
      window.bucketSeconds,
      window.originS,
    ],
  );
  const index = new Map(window.bucketStartsS.map((t, i) => [t, i]));
  return channels.map(({ channel }) => {
    const powerW = window.bucketStartsS.map(() => 0);
    const currentA = window.bucketStartsS.map(() => 0);
    const activeMin = window.bucketStartsS.map(() => 0);
    for (const row of rows) {
      if (Number(row.channel) !== channel) continue;
      const i = index.get(Number(row.bucket_s));
      if (i === undefined) continue;
      powerW[i] = row.power_w ?? 0;
      currentA[i] = row.current_a ?? 0;
      activeMin[i] = Number(row.active_n);
    }
    return { channel, powerW, currentA, activeMin };
  });
}
