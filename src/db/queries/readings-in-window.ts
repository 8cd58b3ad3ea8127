import type { CycleSample } from "../../domain/cycles/types.js";
import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

/** The readings of one channel whose minute lies in [fromMinute, toMinute] (both included), oldest first. */
export async function readingsInWindow(
  db: Queryable,
  ref: ChannelRef,
  fromMinute: number,
  toMinute: number,
): Promise<CycleSample[]> {
  const { rows } = await db.query<{
    minute: number;
    apower_w: number | null;
    current_a: number | null;
    voltage_v: number | null;
    energy_total_wh: number | null;
    energy_last_minute_wh: number | null;
  }>(
    `SELECT (date_part('epoch', ts) / 60)::int8 AS minute, apower_w, current_a, voltage_v, energy_total_wh,
            energy_last_minute_wh
     FROM readings
     WHERE device_id = $1 AND channel = $2 AND ts >= to_timestamp($3::float8 * 60) AND ts <= to_timestamp($4::float8 * 60)
     ORDER BY ts`,
    [ref.deviceId, ref.channel, fromMinute, toMinute],
  );
  return rows.map((r) => ({
    minute: Number(r.minute),
    apowerW: r.apower_w,
    currentA: r.current_a,
    voltageV: r.voltage_v,
    energyTotalWh: r.energy_total_wh,
    energyLastMinuteWh: r.energy_last_minute_wh,
  }));
}
