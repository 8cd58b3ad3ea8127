import type { PeriodSpreads, Spread } from "../../domain/impact/index.js";
import type { Queryable } from "../database.js";
import { channelBounds, type MeterDaysOf } from "./cycle-totals-per-day.js";
import type { ChannelRef } from "./stored-cycle.js";

export interface ClosedCycleSpreadsQuery {
  channels: readonly ChannelRef[];
  /** cycles whose start minute lies in [fromMinute, toMinute) */
  fromMinute: number;
  toMinute: number;
  /** a meter's own period inside it (a fleet across zones, issue 18); absent: the query's */
  meterDays?: MeterDaysOf | undefined;
}

type Row = Record<`${"power" | "current"}_${"lower" | "upper" | "min" | "max"}`, number | null>;

/**
 * Middle values and ranges of the per-cycle average power and current of the closed, non-noise cycles
 * starting in the period (values > 0). The two middle values come from `percentile_disc` ascending and
 * descending, so that the domain takes their mean exactly as `median()` does: `percentile_cont` interpolates
 * as lo + (hi − lo) / 2, which can differ from (lo + hi) / 2 in the last bit.
 *
 * Each channel brings its own period (a fleet across zones: each meter's local days, issue 18): a median
 * cannot be merged from per-zone parts, so the one statement reads every channel's own range.
 */
export async function closedCycleSpreads(db: Queryable, q: ClosedCycleSpreadsQuery): Promise<PeriodSpreads> {
  if (q.channels.length === 0) return { avgPowerW: null, avgCurrentA: null };
  // NaN sorts above every number in PostgreSQL, and `NaN > 0` is false in JS: left out, as median() does.
  const power = "c.avg_power_w > 0 AND c.avg_power_w <> 'NaN'";
  const current = "c.avg_current_a > 0 AND c.avg_current_a <> 'NaN'";
  const b = channelBounds(q.channels, { ...q, days: { dates: [], starts: [] } }, q.meterDays);
  const { rows } = await db.query<Row>(
    `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY c.avg_power_w) FILTER (WHERE ${power}) AS power_lower,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY c.avg_power_w DESC) FILTER (WHERE ${power}) AS power_upper,
            min(c.avg_power_w) FILTER (WHERE ${power}) AS power_min,
            max(c.avg_power_w) FILTER (WHERE ${power}) AS power_max,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY c.avg_current_a) FILTER (WHERE ${current})
              AS current_lower,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY c.avg_current_a DESC) FILTER (WHERE ${current})
              AS current_upper,
            min(c.avg_current_a) FILTER (WHERE ${current}) AS current_min,
            max(c.avg_current_a) FILTER (WHERE ${current}) AS current_max
     FROM unnest($1::text[], $2::int2[], $5::float8[], $6::float8[]) AS k(device_id, channel, from_minute, to_minute)
     -- the channel list joined inner (Citus evaluates it on each shard), then one range scan of cycles_pkey
     -- per channel, bounded by the period whatever the history. No lateral subquery (scale-rules.md, rule 4).
     JOIN cycles c
       ON c.device_id = k.device_id AND c.channel = k.channel
      AND c.start_ts >= to_timestamp(k.from_minute * 60) AND c.start_ts < to_timestamp(k.to_minute * 60)
     WHERE c.device_id = ANY($1::text[]) AND c.channel = ANY($2::int2[])
       AND c.start_ts >= to_timestamp($3::float8 * 60) AND c.start_ts < to_timestamp($4::float8 * 60)
       AND NOT c.noise AND NOT c.ongoing`,
    [
      q.channels.map((c) => c.deviceId),
      q.channels.map((c) => c.channel),
      q.fromMinute,
      q.toMinute,
      b.fromMinutes,
      b.toMinutes,
    ],
  );
  const row = rows[0];
  const spread = (of: "power" | "current"): Spread | null => {
    const lower = row?.[`${of}_lower`];
    const upper = row?.[`${of}_upper`];
    const min = row?.[`${of}_min`];
    const max = row?.[`${of}_max`];
    if (lower == null || upper == null || min == null || max == null) return null;
    return { lowerMiddle: Number(lower), upperMiddle: Number(upper), min: Number(min), max: Number(max) };
  };
  return { avgPowerW: spread("power"), avgCurrentA: spread("current") };
}
