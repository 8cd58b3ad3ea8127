import type { DetectedCycle } from "../../domain/cycles/types.js";

/** One channel of one device. */
export interface ChannelRef {
  deviceId: string;
  channel: number;
}

/** A row of `cycles` as the domain sees it: minutes, not timestamps. */
export interface StoredCycle extends DetectedCycle {
  deviceId: string;
  channel: number;
  detectedAt: Date;
}

export interface StoredCycleRow {
  device_id: string;
  channel: number;
  start_minute: number;
  end_minute: number | null;
  last_active_minute: number;
  ongoing: boolean;
  noise: boolean;
  samples: number;
  duration_min: number;
  runtime_min: number;
  avg_power_w: number;
  avg_current_a: number | null;
  median_voltage_v: number | null;
  energy_wh: number;
  detected_at_ms: number;
}

/**
 * The select list that `toStoredCycle` maps; `alias` is the name given to `cycles` in the query. Times leave
 * the database as numbers (float8 date_part, exact for whole minutes and milliseconds): parsing thousands of
 * timestamp strings would cost more than the query itself when a channel-year of cycles is listed.
 */
export const storedCycleColumns = (alias: string): string =>
  [
    `${alias}.device_id`,
    `${alias}.channel`,
    `(date_part('epoch', ${alias}.start_ts) / 60)::int8 AS start_minute`,
    `(date_part('epoch', ${alias}.end_ts) / 60)::int8 AS end_minute`,
    `(date_part('epoch', ${alias}.last_active_ts) / 60)::int8 AS last_active_minute`,
    `${alias}.ongoing`,
    `${alias}.noise`,
    `${alias}.samples`,
    `${alias}.duration_min`,
    `${alias}.runtime_min`,
    `${alias}.avg_power_w`,
    `${alias}.avg_current_a`,
    `${alias}.median_voltage_v`,
    `${alias}.energy_wh`,
    `date_part('epoch', ${alias}.detected_at) * 1000 AS detected_at_ms`,
  ].join(", ");

/** The one place a `cycles` row becomes a domain cycle. */
export function toStoredCycle(row: StoredCycleRow): StoredCycle {
  return {
    deviceId: row.device_id,
    channel: Number(row.channel),
    startMinute: Number(row.start_minute),
    endMinute: row.end_minute === null ? null : Number(row.end_minute),
    lastActiveMinute: Number(row.last_active_minute),
    ongoing: row.ongoing,
    noise: row.noise,
    samples: Number(row.samples),
    durationMin: Number(row.duration_min),
    runtimeMin: row.runtime_min,
    avgPowerW: row.avg_power_w,
    avgCurrentA: row.avg_current_a,
    medianVoltageV: row.median_voltage_v,
    energyWh: row.energy_wh,
    detectedAt: new Date(row.detected_at_ms),
  };
}

/** Only the fields detectCycles produces, e.g. to compare stored cycles with a fresh detection. */
export function detectedPart(cycle: StoredCycle): DetectedCycle {
  const { deviceId: _d, channel: _c, detectedAt: _t, ...detected } = cycle;
  return detected;
}
