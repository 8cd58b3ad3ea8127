import type { Queryable } from "../database.js";

export interface MeterSilence {
  deviceId: string;
  /** the last reading before the silence, and the first one after it */
  from: Date;
  to: Date;
}

/**
 * The silences of some meters that ended in [from, to): two consecutive readings of channel 0 (a Pro 4PM
 * reports its four switches in every status) at least `minMinutes` apart, earliest end first. One ordered pass
 * over the readings' key per meter: a statement names one meter, so that Citus sends it whole to that meter's
 * shard (it cannot run the look-back before `from` as a subquery correlated with a list of meters). The spans of
 * filtered imported history (only the minutes above 10 W were kept: a gap there is a pump off, not a silent
 * meter) are left out.
 */
export async function meterSilences(
  db: Queryable,
  deviceIds: readonly string[],
  from: Date,
  to: Date,
  minMinutes: number,
): Promise<MeterSilence[]> {
  const silences: MeterSilence[] = [];
  for (const deviceId of deviceIds)
    silences.push(...(await silencesOfMeter(db, deviceId, from, to, minMinutes)));
  return silences.sort((a, b) => a.to.getTime() - b.to.getTime() || (a.deviceId < b.deviceId ? -1 : 1));
}

async function silencesOfMeter(
  db: Queryable,
  deviceId: string,
  from: Date,
  to: Date,
  minMinutes: number,
): Promise<MeterSilence[]> {
  const { rows } = await db.query<{ from_ts: Date; to_ts: Date }>(
    `SELECT g.prev_ts AS from_ts, g.ts AS to_ts
     FROM (
       SELECT ts, lag(ts) OVER (ORDER BY ts) AS prev_ts
       FROM (
         SELECT ts FROM readings WHERE device_id = $1 AND channel = 0 AND ts >= $2 AND ts < $3
         UNION ALL
         SELECT (SELECT max(x.ts) FROM readings x WHERE x.device_id = $1 AND x.channel = 0 AND x.ts < $2)
       ) r
       WHERE ts IS NOT NULL
     ) g
     WHERE g.ts >= $2 AND g.ts - g.prev_ts >= make_interval(mins => $4::int)
       AND NOT EXISTS (
         SELECT 1 FROM imported_history h
         WHERE h.device_id = $1 AND h.channel = 0 AND h.filtered_at_most_w IS NOT NULL
           AND h.from_ts <= g.prev_ts AND h.to_ts >= g.ts)
     ORDER BY g.ts`,
    [deviceId, from, to, minMinutes],
  );
  return rows.map((r) => ({ deviceId, from: r.from_ts, to: r.to_ts }));
}
