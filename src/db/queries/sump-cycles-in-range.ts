import type { HealthCycle } from "../../domain/pump-health/daily.js";
import type { Queryable } from "../database.js";

interface Row {
  channel: number;
  start_minute: number;
  start_s: number | null;
  stop_s: number | null;
  edge_resolution: "second" | "minute" | null;
  ongoing: boolean;
  noise: boolean;
  runtime_min: number;
  energy_wh: number;
}

/**
 * The cycles of some pumps of one meter (the pumps of a sump) starting in [fromS, toS), oldest first, with
 * their run edges to the second: what the volumetric method needs. One range scan of the primary key per
 * channel.
 */
export async function sumpCyclesInRange(
  db: Queryable,
  deviceId: string,
  channels: readonly number[],
  fromS: number,
  toS: number,
): Promise<HealthCycle[]> {
  if (channels.length === 0 || !(toS > fromS)) return [];
  const { rows } = await db.query<Row>(
    `SELECT channel, (date_part('epoch', start_ts) / 60)::int8 AS start_minute,
            date_part('epoch', run_started_at) AS start_s, date_part('epoch', run_stopped_at) AS stop_s,
            edge_resolution, ongoing, noise, runtime_min, energy_wh
     FROM cycles
     WHERE device_id = $1 AND channel = ANY($2::int2[])
       AND start_ts >= to_timestamp($3::float8) AND start_ts < to_timestamp($4::float8)
     ORDER BY start_ts, channel`,
    [deviceId, channels, fromS, toS],
  );
  return rows.map((r) => ({
    channel: Number(r.channel),
    startMinute: Number(r.start_minute),
    startS: r.start_s === null ? null : Number(r.start_s),
    stopS: r.stop_s === null ? null : Number(r.stop_s),
    resolution: r.edge_resolution,
    ongoing: r.ongoing,
    noise: r.noise,
    runtimeMin: Number(r.runtime_min),
    energyWh: Number(r.energy_wh),
  }));
}
