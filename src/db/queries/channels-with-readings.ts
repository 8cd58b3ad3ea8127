import type { Queryable } from "../database.js";

/**
 * Which channels of these devices have at least one stored reading: one probe of the readings key per
 * (device, channel), so a year of readings costs the same as a day.
 */
export async function channelsWithReadings(
  db: Queryable,
  deviceIds: readonly string[],
): Promise<{ deviceId: string; channel: number }[]> {
  if (deviceIds.length === 0) return [];
  const { rows } = await db.query<{ device_id: string; channel: number }>(
    `SELECT d.device_id, c.channel
     FROM devices d CROSS JOIN (VALUES (0::int2), (1::int2), (2::int2), (3::int2)) AS c(channel)
     -- from devices (a meter with readings has its row) and a VALUES list, not unnest and generate_series:
     -- Citus runs a correlated EXISTS only beside distributed tables joined on device_id
     WHERE d.device_id = ANY($1::text[])
       AND EXISTS (SELECT 1 FROM readings r WHERE r.device_id = d.device_id AND r.channel = c.channel)
     ORDER BY 1, 2`,
    [deviceIds],
  );
  return rows.map((r) => ({ deviceId: r.device_id, channel: r.channel }));
}
