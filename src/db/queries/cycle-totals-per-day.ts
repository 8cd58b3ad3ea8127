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
  /**
   * A meter whose days are not `days` (a fleet across zones, issue 18): its own period, inside
   * [fromMinute, toMinute), and its own days; absent or undefined for a meter: the query's.
   */
  meterDays?: MeterDaysOf | undefined;
}

/** One meter's period (start minutes, half-open) and the local days it is cut into. */
export interface MeterDays {
  fromMinute: number;
  toMinute: number;
  days: LocalDays;
}

export type MeterDaysOf = (deviceId: string) => MeterDays | undefined;

/**
 * Each channel's period and days as the parameters of one statement: the distinct day lists laid end to end
 * in one array (a fleet has one list per zone, not one per meter), each channel naming its slice `lo:hi`.
 */
export function channelBounds(
  channels: readonly ChannelRef[],
  fallback: MeterDays,
  meterDays: MeterDaysOf | undefined,
) {
  const starts: number[] = [];
  const slices = new Map<LocalDays, { lo: number; hi: number }>();
  const sliceOf = (days: LocalDays) => {
    let slice = slices.get(days);
    if (slice === undefined) {
      slice = { lo: starts.length + 1, hi: starts.length + days.starts.length };
      starts.push(...days.starts);
      slices.set(days, slice);
    }
    return slice;
  };
  const per = channels.map((c) => {
    const own = meterDays?.(c.deviceId) ?? fallback;
    return { ...own, ...sliceOf(own.days) };
  });
  return {
    per,
    starts,
    fromMinutes: per.map((p) => p.fromMinute),
    toMinutes: per.map((p) => p.toMinute),
    los: per.map((p) => p.lo),
    his: per.map((p) => p.hi),
  };
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
 *
 * Each channel brings its own period and day starts (a slice of one array), so a fleet across zones reads
 * each meter's days in its own zone in one statement (issue 18); the query's period bounds the range scans.
 */
export async function cycleTotalsPerChannelDay(
  db: Queryable,
  q: CycleTotalsQuery,
): Promise<ChannelDayTotals[]> {
  if (q.channels.length === 0) return [];
  const b = channelBounds(q.channels, q, q.meterDays);
  const { rows } = await db.query<Row>(
    `WITH k AS MATERIALIZED (
       -- each channel's day starts sliced once: a slice in the select list is a new array per cycle
       -- (a meter-year's summary took 170 ms in slicing alone, 10 ms without)
       SELECT device_id, channel, from_minute, to_minute, ($5::float8[])[lo:hi] AS starts
       FROM unnest($1::text[], $2::int2[], $6::float8[], $7::float8[], $8::int4[], $9::int4[])
              AS u(device_id, channel, from_minute, to_minute, lo, hi)
     )
     SELECT x.device_id, x.channel,
            width_bucket(date_part('epoch', x.start_ts), k.starts) AS day,
            count(*)::int4 AS cycles,
            count(*) FILTER (WHERE x.noise)::int4 AS noise_cycles,
            count(*) FILTER (WHERE x.ongoing)::int4 AS ongoing,
            sum(x.energy_wh) AS energy_wh,
            count(*) FILTER (WHERE NOT x.noise AND NOT x.ongoing)::int4 AS closed,
            coalesce(sum(x.duration_min) FILTER (WHERE NOT x.noise AND NOT x.ongoing), 0)::float8
              AS closed_duration_min,
            coalesce(sum(x.runtime_min) FILTER (WHERE NOT x.noise AND NOT x.ongoing), 0) AS closed_runtime_min
     FROM k
     -- an inner join of the channel list (Citus sends the materialized list to each shard), then one range scan of
     -- cycles_pkey per channel inside the query's period; no lateral subquery (scale-rules.md, rule 4)
     JOIN cycles x
       ON x.device_id = k.device_id AND x.channel = k.channel
      AND x.start_ts >= to_timestamp(k.from_minute * 60) AND x.start_ts < to_timestamp(k.to_minute * 60)
     WHERE x.device_id = ANY($1::text[]) AND x.channel = ANY($2::int2[])
       AND x.start_ts >= to_timestamp($3::float8 * 60) AND x.start_ts < to_timestamp($4::float8 * 60)
     GROUP BY x.device_id, x.channel, 3`,
    [
      q.channels.map((c) => c.deviceId),
      q.channels.map((c) => c.channel),
      q.fromMinute,
      q.toMinute,
      b.starts,
      b.fromMinutes,
      b.toMinutes,
      b.los,
      b.his,
    ],
  );
  const daysOf = new Map(q.channels.map((c, i) => [`${c.deviceId}_${c.channel}`, b.per[i]?.days ?? q.days]));
  return rows.map((row) => {
    // width_bucket numbers the day [starts[i], starts[i + 1]) i + 1
    const date = daysOf.get(`${row.device_id}_${Number(row.channel)}`)?.dates[Number(row.day) - 1];
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
