import type { LocalDays } from "../../domain/config-versions/index.js";
import type { DayTotals } from "../../domain/impact/index.js";
import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

export interface CycleTotalsQuery {
  channels: readonly ChannelRef[];
  /** cycles whose start minute lies in [fromMinute, toMinute), all inside `days` */
  fromMinute: number;
  toMinute: number;
  /** the local days the cycles are counted in, by their start */
  days: LocalDays;
}

/** The cycles of one channel starting on one local date, summed; the caller adds the version in force. */
export interface ChannelDayTotals extends ChannelRef, Omit<DayTotals, "version"> {}

interface Row {
  device_id: string;
  channel: number;
  day: number;
  cycles: number;
  noise_cycles: number;
  ongoing: number;
  energy_wh: number;
  closed: number;
  closed_duration_min: number;
  closed_runtime_min: number;
}

/**
 * Per channel and local start date, the counts and sums the period's summary is made of: one row per day
 * with cycles, however many cycles the days hold. The day is found among the day starts that the domain
 * computed (`width_bucket`, a binary search), not with `AT TIME ZONE`: the listed cycles, the period's
 * bounds and these sums then cut days with the same zone database (Node's ICU), never PostgreSQL's.
 */
export async function cycleTotalsPerChannelDay(
  db: Queryable,
  q: CycleTotalsQuery,
): Promise<ChannelDayTotals[]> {
  if (q.channels.length === 0) return [];
  const { rows } = await db.query<Row>(
    `SELECT x.device_id, x.channel, width_bucket(date_part('epoch', x.start_ts), $5::float8[]) AS day,
            count(*)::int4 AS cycles,
            count(*) FILTER (WHERE x.noise)::int4 AS noise_cycles,
            count(*) FILTER (WHERE x.ongoing)::int4 AS ongoing,
            sum(x.energy_wh) AS energy_wh,
            count(*) FILTER (WHERE NOT x.noise AND NOT x.ongoing)::int4 AS closed,
            coalesce(sum(x.duration_min) FILTER (WHERE NOT x.noise AND NOT x.ongoing), 0)::float8
              AS closed_duration_min,
            coalesce(sum(x.runtime_min) FILTER (WHERE NOT x.noise AND NOT x.ongoing), 0) AS closed_runtime_min
     FROM cycles x
     -- one range scan of cycles_pkey per channel (device and channel as arrays), then the exact pairs; no
     -- lateral subquery, so Citus pushes it down whole (scale-rules.md, rule 4)
     WHERE x.device_id = ANY($1::text[]) AND x.channel = ANY($2::int2[])
       AND (x.device_id, x.channel) IN (SELECT * FROM unnest($1::text[], $2::int2[]))
       AND x.start_ts >= to_timestamp($3::float8 * 60) AND x.start_ts < to_timestamp($4::float8 * 60)
     GROUP BY x.device_id, x.channel, 3`,
    [
      q.channels.map((c) => c.deviceId),
      q.channels.map((c) => c.channel),
      q.fromMinute,
      q.toMinute,
      q.days.starts,
    ],
  );
  return rows.map((row) => {
    // width_bucket numbers the day [starts[i], starts[i + 1]) i + 1
    const date = q.days.dates[Number(row.day) - 1];
    if (date === undefined) throw new RangeError(`a cycle of ${row.device_id} starts outside the days`);
    return {
      deviceId: row.device_id,
      channel: Number(row.channel),
      date,
      cycles: Number(row.cycles),
      noiseCycles: Number(row.noise_cycles),
      ongoing: Number(row.ongoing),
      energyWh: Number(row.energy_wh),
      closed: Number(row.closed),
      closedDurationMin: Number(row.closed_duration_min),
      closedRuntimeMin: Number(row.closed_runtime_min),
    };
  });
}
