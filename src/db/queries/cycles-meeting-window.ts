import type { Queryable } from "../database.js";
import {
  type ChannelRef,
  type StoredCycle,
  type StoredCycleRow,
  storedCycleColumns,
  toStoredCycle,
} from "./stored-cycle.js";

/**
 * The stored cycles of one channel that meet [fromMinute, toMinute] (start ≤ toMinute and last active minute
 * ≥ fromMinute), oldest first. Cycles never overlap, so only the last one starting at or before fromMinute
 * can reach into the window from the left: both bounds are range scans of the primary key.
 */
export async function cyclesMeetingWindow(
  db: Queryable,
  ref: ChannelRef,
  fromMinute: number,
  toMinute: number,
): Promise<StoredCycle[]> {
  const { rows } = await db.query<StoredCycleRow>(
    `SELECT ${storedCycleColumns("c")}
     FROM cycles c
     WHERE c.device_id = $1 AND c.channel = $2
       AND c.start_ts <= to_timestamp($4::float8 * 60)
       AND c.start_ts >= coalesce(
             (SELECT max(p.start_ts) FROM cycles p
              WHERE p.device_id = $1 AND p.channel = $2 AND p.start_ts <= to_timestamp($3::float8 * 60)),
             to_timestamp($3::float8 * 60))
       AND c.last_active_ts >= to_timestamp($3::float8 * 60)
     ORDER BY c.start_ts`,
    [ref.deviceId, ref.channel, fromMinute, toMinute],
  );
  return rows.map(toStoredCycle);
}

/** The ongoing cycles (at most one per channel) of all channels, or only of `refs`. */
export async function ongoingCycles(
  db: Queryable,
  refs: readonly ChannelRef[] | null,
): Promise<StoredCycle[]> {
  const { rows } = await db.query<StoredCycleRow>(
    `SELECT ${storedCycleColumns("c")}
     FROM cycles c
     WHERE c.ongoing
       AND ($1::text[] IS NULL OR (c.device_id, c.channel) IN (SELECT * FROM unnest($1::text[], $2::int2[])))
     ORDER BY c.device_id, c.channel`,
    [refs?.map((r) => r.deviceId) ?? null, refs?.map((r) => r.channel) ?? null],
  );
  return rows.map(toStoredCycle);
}
