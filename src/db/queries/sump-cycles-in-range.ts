import type { HealthCycle } from "../../domain/pump-health/daily.js";
import type { Queryable } from "../database.js";

/** The range's cycles column by column, each a json array in the same row order. */
interface Columns {
  channel: number[] | null;
  start_minute: number[] | null;
  start_s: (number | null)[] | null;
  stop_s: (number | null)[] | null;
  edge_resolution: ("second" | "minute" | null)[] | null;
  ongoing: boolean[] | null;
  noise: boolean[] | null;
  runtime_min: number[] | null;
  energy_wh: number[] | null;
}

/**
 * The cycles of some pumps of one meter (the pumps of a sump) starting in [fromS, toS), oldest first, with
 * their run edges to the second: what the volumetric method needs. One range scan of the primary key per
 * channel.
 *
 * The cycles come back as one row of nine json arrays (one per field; the aggregates of one row see the
 * scanned rows in the same order, so the arrays line up), not as one row per cycle: a channel-year is ~6 000
 * cycles, and the embedded database decodes each value of each row through its own per-type parsers — nine
 * columns × 6 000 rows were ~75 ms of the ~88 ms of `GET /api/pump-health` on a quiet machine, the scan itself
 * ~3 ms. Nine JSON.parse calls cost a fraction of that, on PostgreSQL too (docs/pump-health.md, "Speed"); json
 * arrays of whole rows or json_build_array per row were slower (types looked up per value, keys repeated).
 * Sorting is done here rather than in the aggregates (nine sorts). Times are epoch seconds as float8.
 */
export async function sumpCyclesInRange(
  db: Queryable,
  deviceId: string,
  channels: readonly number[],
  fromS: number,
  toS: number,
): Promise<HealthCycle[]> {
  if (channels.length === 0 || !(toS > fromS)) return [];
  const { rows } = await db.query<Columns>(
    `SELECT json_agg(channel) AS channel, json_agg((date_part('epoch', start_ts) / 60)::int8) AS start_minute,
            json_agg(date_part('epoch', run_started_at)) AS start_s,
            json_agg(date_part('epoch', run_stopped_at)) AS stop_s, json_agg(edge_resolution) AS edge_resolution,
            json_agg(ongoing) AS ongoing, json_agg(noise) AS noise, json_agg(runtime_min) AS runtime_min,
            json_agg(energy_wh) AS energy_wh
     FROM cycles
     WHERE device_id = $1 AND channel = ANY($2::int2[])
       AND start_ts >= to_timestamp($3::float8) AND start_ts < to_timestamp($4::float8)`,
    [deviceId, channels, fromS, toS],
  );
  const c = rows[0];
  if (!c?.channel) return []; // json_agg of no rows is null
  const cycles = c.channel.map(
    (channel, i): HealthCycle => ({
      channel,
      startMinute: c.start_minute?.[i] as number,
      startS: c.start_s?.[i] ?? null,
      stopS: c.stop_s?.[i] ?? null,
      resolution: c.edge_resolution?.[i] ?? null,
      ongoing: c.ongoing?.[i] as boolean,
      noise: c.noise?.[i] as boolean,
      runtimeMin: c.runtime_min?.[i] as number,
      energyWh: c.energy_wh?.[i] as number,
    }),
  );
  // start_ts is a whole minute: (startMinute, channel) is the primary key's order
  return cycles.sort((p, q) => p.startMinute - q.startMinute || p.channel - q.channel);
}
