import type { Queryable } from "../database.js";

export interface DeviceSighting {
  deviceId: string;
  model: string | null;
  firstMinute: number;
  lastMinute: number;
}

const SQL = `
INSERT INTO devices (device_id, model, first_seen, last_seen)
SELECT device_id, model, to_timestamp(first_minute * 60), to_timestamp(last_minute * 60)
FROM unnest($1::text[], $2::text[], $3::int8[], $4::int8[]) AS input(device_id, model, first_minute, last_minute)
ON CONFLICT (device_id) DO UPDATE SET
  model = COALESCE(devices.model, excluded.model),
  first_seen = LEAST(devices.first_seen, excluded.first_seen),
  last_seen = GREATEST(devices.last_seen, excluded.last_seen)
WHERE excluded.first_seen < devices.first_seen
   OR excluded.last_seen > devices.last_seen
   OR (devices.model IS NULL AND excluded.model IS NOT NULL)`;

/** Registers devices on their first reading and widens their first/last seen times. Sorted input, as for readings. */
export async function upsertDevices(tx: Queryable, sightings: readonly DeviceSighting[]): Promise<void> {
  if (sightings.length === 0) return;
  await tx.query(SQL, [
    sightings.map((s) => s.deviceId),
    sightings.map((s) => s.model),
    sightings.map((s) => s.firstMinute),
    sightings.map((s) => s.lastMinute),
  ]);
}
