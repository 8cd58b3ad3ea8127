import type { DetectedCycle } from "../../domain/cycles/types.js";
import type { RunEdges } from "../../domain/pump-health/edges.js";
import type { Queryable } from "../database.js";
import type { ChannelRef } from "./stored-cycle.js";

/**
 * Deletes the stored cycles of one channel starting in [fromMinute, lastStartMinute] except those starting at
 * one of `keepStartMinutes` (the caller upserts those next).
 */
export async function deleteCyclesStartingIn(
  tx: Queryable,
  ref: ChannelRef,
  fromMinute: number,
  lastStartMinute: number,
  keepStartMinutes: readonly number[],
): Promise<number> {
  const { rowCount } = await tx.query(
    `DELETE FROM cycles
     WHERE device_id = $1 AND channel = $2
       AND start_ts >= to_timestamp($3::float8 * 60) AND start_ts <= to_timestamp($4::float8 * 60)
       AND start_ts NOT IN (SELECT to_timestamp(m::float8 * 60) FROM unnest($5::int8[]) AS k(m))`,
    [ref.deviceId, ref.channel, fromMinute, lastStartMinute, keepStartMinutes],
  );
  return rowCount;
}

const VALUES = [
  "end_ts",
  "last_active_ts",
  "ongoing",
  "noise",
  "samples",
  "duration_min",
  "runtime_min",
  "avg_power_w",
  "avg_current_a",
  "median_voltage_v",
  "energy_wh",
  "run_started_at",
  "run_stopped_at",
  "edge_resolution",
] as const;

/**
 * Inserts the cycles of one channel, or updates the stored cycle with the same start when any field differs.
 * An identical cycle is left alone, so its detected_at tells when it last really changed. Returns the number
 * of rows written. `detectedAt` is passed in rather than now() (scale-rules.md, rule 3: ON CONFLICT … DO
 * UPDATE uses only immutable expressions).
 */
export async function upsertCycles(
  tx: Queryable,
  ref: ChannelRef,
  cycles: readonly DetectedCycle[],
  detectedAt: Date,
  /** the run edges of each cycle (migration 0012); left out: none (NULL) */
  edges?: readonly (RunEdges | null)[],
): Promise<number> {
  if (cycles.length === 0) return 0;
  const { rowCount } = await tx.query(
    `INSERT INTO cycles (device_id, channel, start_ts, ${VALUES.join(", ")}, detected_at)
     SELECT $1, $2, to_timestamp(start_m::float8 * 60),
            to_timestamp(end_m::float8 * 60), to_timestamp(last_m::float8 * 60),
            ongoing, noise, samples, duration_min, runtime_min, avg_power_w, avg_current_a, median_voltage_v, energy_wh,
            to_timestamp(start_s), to_timestamp(stop_s), edge_resolution,
            $15::timestamptz
     FROM unnest($3::int8[], $4::int8[], $5::int8[], $6::bool[], $7::bool[], $8::int4[], $9::int4[],
                 $10::float8[], $11::float8[], $12::float8[], $13::float8[], $14::float8[],
                 $16::float8[], $17::float8[], $18::text[])
          AS k(start_m, end_m, last_m, ongoing, noise, samples, duration_min, runtime_min, avg_power_w,
               avg_current_a, median_voltage_v, energy_wh, start_s, stop_s, edge_resolution)
     ON CONFLICT (device_id, channel, start_ts) DO UPDATE SET
       ${VALUES.map((v) => `${v} = excluded.${v}`).join(", ")}, detected_at = excluded.detected_at
     WHERE (${VALUES.map((v) => `cycles.${v}`).join(", ")}) IS DISTINCT FROM (${VALUES.map((v) => `excluded.${v}`).join(", ")})`,
    [
      ref.deviceId,
      ref.channel,
      cycles.map((c) => c.startMinute),
      cycles.map((c) => c.endMinute),
      cycles.map((c) => c.lastActiveMinute),
      cycles.map((c) => c.ongoing),
      cycles.map((c) => c.noise),
      cycles.map((c) => c.samples),
      cycles.map((c) => c.durationMin),
      cycles.map((c) => c.runtimeMin),
      cycles.map((c) => c.avgPowerW),
      cycles.map((c) => c.avgCurrentA),
      cycles.map((c) => c.medianVoltageV),
      cycles.map((c) => c.energyWh),
      detectedAt,
      // microseconds are what timestamptz keeps: rounded here, an unchanged cycle compares equal
      cycles.map((_, i) => roundMicro(edges?.[i]?.startS)),
      cycles.map((_, i) => roundMicro(edges?.[i]?.stopS)),
      cycles.map((_, i) => edges?.[i]?.resolution ?? null),
    ],
  );
  return rowCount;
}

function roundMicro(s: number | null | undefined): number | null {
  return s === null || s === undefined ? null : Math.round(s * 1e6) / 1e6;
}
