import type { Queryable } from "../src/db/database.js";
import type { SeriesWindow } from "../src/domain/series/window.js";

export interface ReferenceBucket {
  /** what the former statement gave: avg of float8, rounded in JS as the route did */
  floatPowerW: number;
  floatCurrentA: number;
  /** the exact mean (numeric, unrounded, as text) and its rounding half away from zero */
  exactPower: string | null;
  exactCurrent: string | null;
  powerW: number;
  currentA: number;
  activeMin: number;
}

/**
 * The series as /api/series computed it before the hourly sums (decision 0009): one statement over every
 * reading of the window (kept verbatim: `avg` of float8), plus the exact means of the same readings.
 */
export async function referenceSeries(
  db: Queryable,
  deviceId: string,
  channels: { channel: number; thresholdW: number }[],
  window: SeriesWindow,
): Promise<{ channel: number; buckets: ReferenceBucket[] }[]> {
  const { rows } = await db.query<{
    channel: number;
    bucket_s: number;
    power_w: number | null;
    current_a: number | null;
    exact_power: string | null;
    exact_current: string | null;
    active_n: number;
  }>(
    `SELECT r.channel,
            extract(epoch FROM date_bin(make_interval(secs => $6), r.ts, to_timestamp($7)))::int8 AS bucket_s,
            avg(r.apower_w) AS power_w,
            avg(r.current_a) AS current_a,
            avg(r.apower_w::numeric)::text AS exact_power,
            avg(r.current_a::numeric)::text AS exact_current,
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
  const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
  // half away from zero on the decimal text, as numeric round() does
  const roundText = (v: string | null, d: number) => {
    if (v === null) return 0;
    const [int = "0", frac = ""] = v.replace("-", "").split(".");
    const kept = `${int}.${frac.padEnd(d + 1, "0").slice(0, d)}`;
    const up = (frac[d] ?? "0") >= "5";
    const magnitude = Number(kept) + (up ? 10 ** -d : 0);
    return (v.startsWith("-") ? -1 : 1) * round(magnitude, d);
  };
  return channels.map(({ channel }) => {
    const buckets: ReferenceBucket[] = window.bucketStartsS.map(() => ({
      floatPowerW: 0,
      floatCurrentA: 0,
      exactPower: null,
      exactCurrent: null,
      powerW: 0,
      currentA: 0,
      activeMin: 0,
    }));
    for (const row of rows) {
      if (Number(row.channel) !== channel) continue;
      const i = index.get(Number(row.bucket_s));
      if (i === undefined) continue;
      buckets[i] = {
        floatPowerW: round(row.power_w ?? 0, 1),
        floatCurrentA: round(row.current_a ?? 0, 3),
        exactPower: row.exact_power,
        exactCurrent: row.exact_current,
        powerW: roundText(row.exact_power, 1),
        currentA: roundText(row.exact_current, 3),
        activeMin: Number(row.active_n),
      };
    }
    return { channel, buckets };
  });
}
