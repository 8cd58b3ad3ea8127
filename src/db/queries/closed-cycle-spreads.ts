import type { PeriodSpreads, Spread } from "../../domain/impact/index.js";
import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

export interface ClosedCycleSpreadsQuery {
  channels: readonly ChannelRef[];
  /** cycles whose start minute lies in [fromMinute, toMinute) */
  fromMinute: number;
  toMinute: number;
}

type Row = Record<`${"power" | "current"}_${"lower" | "upper" | "min" | "max"}`, number | null>;

/**
 * Middle values and ranges of the per-cycle average power and current of the closed, non-noise cycles
 * starting in the period (values > 0). The two middle values come from `percentile_disc` ascending and
 * descending, so that the domain takes their mean exactly as `median()` does: `percentile_cont` interpolates
 * as lo + (hi − lo) / 2, which can differ from (lo + hi) / 2 in the last bit.
 */
export async function closedCycleSpreads(db: Queryable, q: ClosedCycleSpreadsQuery): Promise<PeriodSpreads> {
  if (q.channels.length === 0) return { avgPowerW: null, avgCurrentA: null };
  // NaN sorts above every number in PostgreSQL, and `NaN > 0` is false in JS: left out, as median() does.
  const power = "c.avg_power_w > 0 AND c.avg_power_w <> 'NaN'";
  const current = "c.avg_current_a > 0 AND c.avg_current_a <> 'NaN'";
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
     FROM cycles c
     -- device and channel as arrays and the period: one range scan of cycles_pkey per channel, bounded by the
     -- period whatever the history; the exact pairs then. No lateral subquery: Citus pushes this down whole
     -- (scale-rules.md, rule 4).
     WHERE c.device_id = ANY($1::text[]) AND c.channel = ANY($2::int2[])
       AND (c.device_id, c.channel) IN (SELECT * FROM unnest($1::text[], $2::int2[]))
       AND c.start_ts >= to_timestamp($3::float8 * 60) AND c.start_ts < to_timestamp($4::float8 * 60)
       AND NOT c.noise AND NOT c.ongoing`,
    [q.channels.map((c) => c.deviceId), q.channels.map((c) => c.channel), q.fromMinute, q.toMinute],
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
