import type { Queryable } from "../database.js";

export interface MeterSilence {
  deviceId: string;
  /** the last reading before the silence, and the first one after it */
  from: Date;
  to: Date;
}

/**
 * The silences of some meters that ended in [from, to): two consecutive readings of channel 0 (a Pro 4PM
 * reports its four switches in every status) at least `minMinutes` apart. One ordered pass over the readings'
 * key for all the meters at once, not one query per meter or per day; the spans of filtered imported history
 * (only the minutes above 10 W were kept: a gap there is a pump off, not a silent meter) are left out.
 */
export async function meterSilences(
  db: Queryable,
  deviceIds: readonly string[],
  from: Date,
  to: Date,
  minMinutes: number,
): Promise<MeterSilence[]> {
  if (deviceIds.length === 0) return [];
  const { rows } = await db.query<{ device_id: string; from_ts: Date; to_ts: Date }>(
    `SELECT g.device_id, g.prev_ts AS from_ts, g.ts AS to_ts
     FROM (
       SELECT device_id, ts, lag(ts) OVER (PARTITION BY device_id ORDER BY ts) AS prev_ts
       FROM (
         SELECT device_id, ts FROM readings
         WHERE device_id = ANY($1::text[]) AND channel = 0 AND ts >= $2 AND ts < $3
         UNION ALL
         SELECT k.device_id,
                (SELECT max(x.ts) FROM readings x WHERE x.device_id = k.device_id AND x.channel = 0 AND x.ts < $2)
         FROM unnest($1::text[]) AS k(device_id)
       ) r
       WHERE ts IS NOT NULL
     ) g
     WHERE g.ts >= $2 AND g.ts - g.prev_ts >= make_interval(mins => $4::int)
       AND NOT EXISTS (
         SELECT 1 FROM imported_history h
         WHERE h.device_id = g.device_id AND h.channel = 0 AND h.filtered_at_most_w IS NOT NULL
           AND h.from_ts <= g.prev_ts AND h.to_ts >= g.ts)
     ORDER BY g.ts, g.device_id`,
    [deviceIds, from, to, minMinutes],
  );
  return rows.map((r) => ({ deviceId: r.device_id, from: r.from_ts, to: r.to_ts }));
}
